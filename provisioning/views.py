"""HR's CSV import of people, in the insights area: upload, preview (problems by row and column, before
anything is written), confirm (all or nothing)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.errors import Conflict
from marketplace.http import SignedInPageRequest
from marketplace.models import VIEW_INSIGHTS_PERMISSION, JobLevel
from provisioning import people_csv, selectors, services
from provisioning.forms import PeopleFileForm
from provisioning.models import PeopleImport
from provisioning.people_csv import ImportedRow

SHOWN_ROWS = 200  # the preview lists this many people; the counts cover them all
COLUMN_LABELS = (
    (people_csv.EMAIL, _("Email")),
    (people_csv.NAME, _("Name")),
    (people_csv.DEPARTMENT, _("Department")),
    (people_csv.JOB_TITLE, _("Job title")),
    (people_csv.LEVEL, _("Level")),
    (people_csv.MANAGER, _("Manager")),
)
_FIELDS = {
    people_csv.EMAIL: "email",
    people_csv.NAME: "display_name",
    people_csv.DEPARTMENT: "department",
    people_csv.JOB_TITLE: "job_title",
    people_csv.LEVEL: "job_level",
    people_csv.MANAGER: "manager_email",
}


def _cell(person: ImportedRow, column: str) -> str:
    value = getattr(person, _FIELDS[column]) or ""
    if column == people_csv.LEVEL and value:
        return str(JobLevel(value).label)
    return value


def _require_hr(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_INSIGHTS_PERMISSION):
        raise PermissionDenied(gettext("Only HR admins can import people."))


@login_required
def people_import(request: SignedInPageRequest) -> HttpResponse:
    _require_hr(request)
    form = PeopleFileForm()
    status = 200
    if request.method == "POST":
        form = PeopleFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            recorded = services.record_people_file(
                parsed=form.parsed, file_name=upload.name or "", by=request.user, now=timezone.now()
            )
            return redirect("people-import-detail", pk=recorded.pk)
        status = 400
    return render(
        request,
        "provisioning/people_import.html",
        {
            "form": form,
            "recent": selectors.recent_imports(),
            "levels": people_csv.level_names(),
            "example": people_csv.HEADER_EXAMPLE,
        },
        status=status,
    )


@login_required
def people_import_detail(request: SignedInPageRequest, pk: int) -> HttpResponse:
    _require_hr(request)
    recorded = get_object_or_404(PeopleImport.objects.select_related("uploaded_by"), pk=pk)
    numbers, rows = selectors.stored_rows(recorded)
    preview = selectors.import_preview(rows, numbers, manager_header=recorded.headers.get(people_csv.MANAGER))
    errors = selectors.stored_errors(recorded) + preview.errors
    columns = [(column, label) for column, label in COLUMN_LABELS if column in recorded.headers]
    status = 200
    if request.method == "POST":
        if errors:
            status = 400
        else:
            try:
                result = services.import_previewed_file(people_import=recorded, rows=rows, now=timezone.now())
            except Conflict as error:
                messages.info(request, error.message)
            else:
                messages.success(
                    request,
                    gettext("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
            return redirect("people-import-detail", pk=recorded.pk)
    return render(
        request,
        "provisioning/people_import_preview.html",
        {
            "recorded": recorded,
            "preview": preview,
            "table_columns": [label for _, label in columns],
            "table_rows": [
                (item.row, [_cell(item.person, column) for column, _ in columns], item.action)
                for item in preview.rows[:SHOWN_ROWS]
            ],
            "hidden_count": max(len(preview.rows) - SHOWN_ROWS, 0),
            "errors": sorted(errors, key=lambda error: error.row),
            "counts": {
                "total": len(preview.rows),
                "new": preview.count(selectors.NEW),
                "update": preview.count(selectors.UPDATE),
                "unchanged": preview.count(selectors.UNCHANGED),
            },
            "imported": recorded.status == PeopleImport.Status.IMPORTED,
        },
        status=status,
    )
