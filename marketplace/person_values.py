"""One rule for what a company's systems say about a person (single sign-on's claims, SCIM, the CSV import):
only what the source gives changes; an empty value means the person has none; a department is matched by
name whatever its case, or created. `marketplace.sso` and `provisioning.services` both apply values here."""

from enum import Enum

from django.db import IntegrityError, transaction

from marketplace.models import DISPLAY_NAME_MAX_LENGTH, JOB_TITLE_MAX_LENGTH, Department, User


class Keep(Enum):
    """A value the source did not give: what is stored stays as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP

DEPARTMENT_MAX_LENGTH = Department._meta.get_field("name").max_length or 100
_FIELDS = ("display_name", "job_title", "job_level", "timezone")
# Free texts a source may send longer than the column; a level and a zone are checked values, never cut.
_CUT_TO = {"display_name": DISPLAY_NAME_MAX_LENGTH, "job_title": JOB_TITLE_MAX_LENGTH}


def department_named(name: str) -> Department:
    """The department of that name whatever its case, created when there is none yet."""
    name = name[:DEPARTMENT_MAX_LENGTH]
    existing = Department.objects.filter(name__iexact=name).order_by("id").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Department.objects.create(name=name)
    except IntegrityError:  # created meanwhile by someone signing in or provisioned at the same moment
        return Department.objects.get(name__iexact=name)


def apply_person_values(
    user: User,
    *,
    display_name: str | Keep = KEEP,
    job_title: str | Keep = KEEP,
    job_level: str | Keep = KEEP,
    timezone: str | Keep = KEEP,
    department: str | Keep = KEEP,
) -> list[str]:
    """Sets on `user` (unsaved) each value given, a text cut to its column; the department by name ("" for
    none). Returns the fields that changed, for `save(update_fields=...)`."""
    given = dict(zip(_FIELDS, (display_name, job_title, job_level, timezone), strict=True))
    values: dict[str, object] = {}
    for name, value in given.items():
        if value is not KEEP:
            values[name] = value[: _CUT_TO[name]] if name in _CUT_TO else value
    if department is not KEEP:
        values["department"] = department_named(department) if department else None
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    return changed
