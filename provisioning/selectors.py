"""Reads of provisioning: the people SCIM sees, and what a CSV preview needs to know of who is registered."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext

from marketplace.models import User
from provisioning.models import PeopleImport
from provisioning.people_csv import ImportedRow, RowError, from_stored
from provisioning.scim.filters import EMAIL, EXTERNAL_ID, ID, USER_NAME, Filter


def scim_people(found: Filter | None = None) -> QuerySet[User]:
    """Everyone but those SCIM deleted, in id order, with what their resource shows (no query per person)."""
    people = (
        User.objects.select_related("department", "provisioning", "provisioning__manager")
        .filter(Q(provisioning__isnull=True) | Q(provisioning__scim_deleted_at__isnull=True))
        .order_by("pk")
    )
    if found is None:
        return people
    if found.attribute in (USER_NAME, EMAIL):
        return people.filter(email__iexact=found.value)  # userName is caseExact false (RFC 7643 4.1.1)
    if found.attribute == EXTERNAL_ID:
        return people.filter(provisioning__external_id=found.value) if found.value else people.none()
    if found.attribute == ID:
        return (
            people.filter(pk=int(found.value))
            if found.value.isdigit() and len(found.value) < 19
            else people.none()
        )
    raise ValueError(found.attribute)


def scim_person(user_id: int) -> User | None:
    return scim_people().filter(pk=user_id).first()


def registered_addresses(emails: list[str]) -> set[str]:
    """Which of these addresses (lower case) belong to someone registered, whatever the case they have."""
    found: set[str] = set()
    for start in range(0, len(emails), 1000):
        chunk = emails[start : start + 1000]
        found |= set(
            User.objects.annotate(address=Lower("email"))
            .filter(address__in=chunk)
            .values_list("address", flat=True)
        )
    return found


NEW, UPDATE, UNCHANGED = "new", "update", "unchanged"


@dataclass(frozen=True)
class PreviewRow:
    row: int
    person: ImportedRow
    action: str  # NEW, UPDATE or UNCHANGED


@dataclass
class ImportPreview:
    rows: list[PreviewRow]
    errors: list[RowError]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def import_preview(
    rows: list[ImportedRow], row_numbers: list[int], *, manager_header: str | None
) -> ImportPreview:
    """What importing these rows would do to each person, and the problems only the database can tell (a
    manager who is neither in the file nor registered), in a fixed number of queries per 1,000 rows."""
    emails = [row.email for row in rows]
    existing: dict[str, User] = {}
    for start in range(0, len(emails), 1000):
        for person in (
            User.objects.annotate(address=Lower("email"))
            .filter(address__in=emails[start : start + 1000])
            .select_related("department", "provisioning__manager")
        ):
            existing[person.email.lower()] = person
    in_file = set(emails)
    wanted_managers = sorted({row.manager_email for row in rows if row.manager_email} - in_file)
    registered = registered_addresses(wanted_managers)
    errors = [
        RowError(
            number, manager_header or "", gettext("Nobody with this address is in the file or registered.")
        )
        for number, row in zip(row_numbers, rows, strict=True)
        if row.manager_email and row.manager_email not in in_file and row.manager_email not in registered
    ]
    return ImportPreview(
        rows=[
            PreviewRow(number, row, _action(row, existing.get(row.email)))
            for number, row in zip(row_numbers, rows, strict=True)
        ],
        errors=errors,
    )


def _action(row: ImportedRow, person: User | None) -> str:
    if person is None:
        return NEW
    stored_department = person.department.name.casefold() if person.department else ""
    record = getattr(person, "provisioning", None) if _has_record(person) else None
    stored_manager = record.manager.email.lower() if record and record.manager else ""
    differences = [
        row.display_name != person.display_name,
        row.department is not None and row.department.casefold() != stored_department,
        row.job_title is not None and row.job_title != person.job_title,
        row.job_level is not None and row.job_level != person.job_level,
        row.manager_email is not None and row.manager_email != stored_manager,
    ]
    return UPDATE if any(differences) else UNCHANGED


def _has_record(person: User) -> bool:
    try:
        person.provisioning  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True


def recent_imports(limit: int = 5) -> list[PeopleImport]:
    return list(PeopleImport.objects.select_related("uploaded_by").order_by("-created_at", "-pk")[:limit])


def stored_rows(people_import: PeopleImport) -> tuple[list[int], list[ImportedRow]]:
    numbered = [from_stored(item) for item in people_import.rows]
    return [number for number, _ in numbered], [row for _, row in numbered]


def stored_errors(people_import: PeopleImport) -> list[RowError]:
    return [RowError(item["row"], item["column"], item["message"]) for item in people_import.errors]
