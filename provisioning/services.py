"""Every write of provisioning: a person created or updated from what the identity provider (SCIM) or HR's
file says, deactivated and reactivated, deleted for SCIM; and a previewed CSV import carried out.

One rule each, whichever way a person arrives (docs/design.md, flow 10): an address is the login and is
unique whatever its case; a provisioned person logs in by single sign-on or by setting a password through
"forgot password" (their address counts as confirmed: the company vouches for it); deactivating someone
cancels their upcoming sessions with notice to the other person and keeps everything HR's figures count.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from marketplace.departures import person_departed
from marketplace.errors import Conflict
from marketplace.models import Department, User
from marketplace.person_values import KEEP, Keep, apply_person_values
from provisioning.models import PeopleImport, ProvisionedPerson
from provisioning.people_csv import ImportedRow, ParsedFile, stored
from sessions_app.models import Booking
from sessions_app.services.bookings import cancel_sessions_of_deactivated_person

EMAIL_TAKEN = "email_taken"
EXTERNAL_ID_TAKEN = "external_id_taken"


@dataclass(frozen=True)
class PersonData:
    """A person as a source describes them, each value already cleaned (provisioning.values). ``KEEP``: the
    source says nothing about it; ``""`` (or None for the manager): it has none."""

    email: str
    display_name: str | Keep = KEEP
    given_name: str | Keep = KEEP
    family_name: str | Keep = KEEP
    job_title: str | Keep = KEEP
    job_level: str | Keep = KEEP
    department: str | Keep = KEEP  # a department's name, created if missing
    timezone: str | Keep = KEEP
    external_id: str | Keep = KEEP
    manager_id: int | Keep | None = KEEP  # a person's id; one that does not exist is no manager
    active: bool | Keep = KEEP


_RECORD_FIELDS = ("given_name", "family_name", "external_id")


@transaction.atomic
def create_person(*, data: PersonData, now: datetime) -> User:
    """A new person (active unless `data` says otherwise). An address already registered is a Conflict, except
    for someone SCIM deleted: they come back, with their history.
    """
    existing = User.objects.filter(email__iexact=data.email).first()
    if existing is not None:
        record = ProvisionedPerson.objects.filter(user=existing).first()
        if record is None or record.scim_deleted_at is None:
            raise Conflict(EMAIL_TAKEN, gettext("Someone with this email address is already registered."))
        record.scim_deleted_at = None
        record.save(update_fields=["scim_deleted_at", "updated_at"])
        active = True if data.active is KEEP else data.active
        return update_person(person=existing, data=_with(data, active=active), now=now)
    user = User(email=data.email, is_active=data.active is not False)
    user.set_unusable_password()
    _set_user_fields(user, data)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    record = ProvisionedPerson(user=user, deactivated_at=None if user.is_active else now)
    _set_record_fields(record, data)
    _check_external_id(record)
    record.save()
    return user


@transaction.atomic
def update_person(*, person: User, data: PersonData, now: datetime) -> User:
    """Applies what `data` gives to `person`: a new address (refused if someone else has it), names, title,
    level, department, manager; `active` false deactivates them, true reactivates them."""
    if data.active is False:
        deactivate_person(person=person, now=now)  # first: it locks rows in the bookings' order
    user = User.objects.select_for_update().get(pk=person.pk)
    if data.email != user.email:
        if User.objects.filter(email__iexact=data.email).exclude(pk=user.pk).exists():
            raise Conflict(EMAIL_TAKEN, gettext("Someone else already has this email address."))
        _change_address(user, data.email)
    _set_user_fields(user, data)
    user.save()
    record, _ = ProvisionedPerson.objects.get_or_create(user=user)
    _set_record_fields(record, data)
    _check_external_id(record)
    record.save()
    if data.active is True and not user.is_active:
        reactivate_person(person=user, now=now)
        user.refresh_from_db()
    return user


@transaction.atomic
def deactivate_person(*, person: User, now: datetime) -> list[Booking]:
    """No login from now on (pages, API tokens), hidden as a mentor, their upcoming sessions cancelled with
    notice to the other person. Sessions, feedback, requests and moments stay: HR's figures count them.
    Returns the sessions cancelled; a person already deactivated has none left."""
    cancelled = cancel_sessions_of_deactivated_person(person=person, now=now)
    person_departed(person, now)
    if User.objects.filter(pk=person.pk, is_active=True).update(is_active=False):
        ProvisionedPerson.objects.update_or_create(user_id=person.pk, defaults={"deactivated_at": now})
    person.is_active = False
    Token.objects.filter(user_id=person.pk).delete()
    return cancelled


@transaction.atomic
def reactivate_person(*, person: User, now: datetime) -> None:
    """They can log in again; the sessions cancelled when they were deactivated stay cancelled."""
    User.objects.filter(pk=person.pk).update(is_active=True)
    ProvisionedPerson.objects.filter(user_id=person.pk).update(deactivated_at=None, updated_at=now)
    person.is_active = True


@transaction.atomic
def delete_person_for_scim(*, person: User, now: datetime) -> None:
    """SCIM's DELETE: deactivated, and unknown to SCIM from now on (RFC 7644 3.6). Nothing is erased: the
    sessions they took part in are in HR's figures."""
    deactivate_person(person=person, now=now)
    ProvisionedPerson.objects.update_or_create(user_id=person.pk, defaults={"scim_deleted_at": now})


def _with(data: PersonData, **changes: object) -> PersonData:
    values = {field.name: getattr(data, field.name) for field in fields(data)}
    return PersonData(**{**values, **changes})


def _set_user_fields(user: User, data: PersonData) -> None:
    apply_person_values(
        user,
        display_name=data.display_name,
        job_title=data.job_title,
        job_level=data.job_level,
        timezone=data.timezone,
        department=data.department,
    )


def _set_record_fields(record: ProvisionedPerson, data: PersonData) -> None:
    for name in _RECORD_FIELDS:
        value = getattr(data, name)
        if value is not KEEP:
            setattr(record, name, value)
    if data.manager_id is not KEEP:
        manager_id = data.manager_id
        if manager_id is not None and (
            manager_id == record.user_id or not User.objects.filter(pk=manager_id).exists()
        ):
            manager_id = None
        record.manager_id = manager_id


def _check_external_id(record: ProvisionedPerson) -> None:
    if (
        record.external_id
        and ProvisionedPerson.objects.filter(external_id=record.external_id).exclude(pk=record.pk).exists()
    ):
        raise Conflict(EXTERNAL_ID_TAKEN, gettext("Someone else already has this externalId."))


def _change_address(user: User, email: str) -> None:
    """The login moves to the new address, which counts as confirmed (the identity provider vouches)."""
    old = user.email
    user.email = email
    EmailAddress.objects.filter(user=user, email__iexact=old).delete()
    EmailAddress.objects.filter(user=user).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )


# --- CSV import ---


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


Progress = Callable[[int, int], None]
CHUNK = 500


@transaction.atomic
def import_people(
    *, rows: list[ImportedRow], now: datetime, progress: Progress | None = None
) -> ImportResult:
    """Creates the people of `rows` not registered yet and updates the others, matched on their address
    whatever its case: all of them or, should anything fail, none. Importing the same file again changes
    nothing. Managers are people of the file or already registered (checked by the preview). `progress` is
    told (done, total) after each chunk of rows.
    """
    total = len(rows)
    departments = _departments_for(row.department for row in rows if row.department)
    existing = _people_by_address([row.email for row in rows])
    created = updated = unchanged = 0
    new_people: list[User] = []
    changed_people: list[User] = []
    done = 0
    for start in range(0, total, CHUNK):
        chunk = rows[start : start + CHUNK]
        new_in_chunk = []
        for row in chunk:
            person = existing.get(row.email)
            if person is None:
                person = User(email=row.email, password=make_password(None), date_joined=now)
                _apply_row(person, row, departments)
                new_in_chunk.append(person)
            elif _apply_row(person, row, departments):
                changed_people.append(person)
        User.objects.bulk_create(new_in_chunk)
        EmailAddress.objects.bulk_create(
            EmailAddress(user=person, email=person.email, verified=True, primary=True)
            for person in new_in_chunk
        )
        for person in new_in_chunk:
            existing[person.email] = person
        new_people += new_in_chunk
        done += len(chunk)
        if progress and done < total:
            progress(done, total)
    User.objects.bulk_update(
        changed_people, ["display_name", "department", "job_title", "job_level"], batch_size=CHUNK
    )
    created, updated = len(new_people), len(changed_people)
    managers_changed = _set_managers(rows, existing)
    updated += len(managers_changed - {person.pk for person in changed_people} - {p.pk for p in new_people})
    unchanged = total - created - updated
    if progress:
        progress(total, total)
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def record_people_file(*, parsed: ParsedFile, file_name: str, by: User, now: datetime) -> PeopleImport:
    """Keeps what was read from an uploaded file, to be previewed and then, without problems, imported."""
    return PeopleImport.objects.create(
        uploaded_by=by,
        file_name=file_name[:255],
        created_at=now,
        headers=parsed.headers,
        ignored_columns=parsed.ignored,
        rows=[stored(row, number) for row, number in zip(parsed.rows, parsed.row_numbers, strict=True)],
        errors=[
            {"row": error.row, "column": error.column, "message": error.message} for error in parsed.errors
        ],
    )


@transaction.atomic
def import_previewed_file(
    *, people_import: PeopleImport, rows: list[ImportedRow], now: datetime
) -> ImportResult:
    """Imports a file HR previewed, once: a second confirmation (a double click, a reload) is a Conflict."""
    locked = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
    if locked.status != PeopleImport.Status.PREVIEWED:
        raise Conflict("already_imported", gettext("This file has already been imported."))
    result = import_people(rows=rows, now=now)
    locked.status = PeopleImport.Status.IMPORTED
    locked.imported_at = now
    locked.created_count, locked.updated_count = result.created, result.updated
    locked.save()
    people_import.__dict__.update(locked.__dict__)
    return result


def _apply_row(person: User, row: ImportedRow, departments: dict[str, Department]) -> bool:
    """Sets what the row gives; True when anything changed."""
    wanted: dict[str, object] = {"display_name": row.display_name}
    if row.department is not None:
        wanted["department_id"] = departments[row.department.casefold()].pk if row.department else None
    if row.job_title is not None:
        wanted["job_title"] = row.job_title
    if row.job_level is not None:
        wanted["job_level"] = row.job_level
    changed = False
    for name, value in wanted.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed = True
    return changed


def _departments_for(names: Iterable[str]) -> dict[str, Department]:
    """Each name's department by its case-folded name, those missing created (at most three queries)."""
    wanted = {name.casefold(): name for name in names}
    found = {department.name.casefold(): department for department in Department.objects.all()}
    missing = [Department(name=name) for key, name in wanted.items() if key not in found]
    if missing:
        Department.objects.bulk_create(missing, ignore_conflicts=True)
        found = {department.name.casefold(): department for department in Department.objects.all()}
    return found


def _people_by_address(emails: list[str]) -> dict[str, User]:
    people: dict[str, User] = {}
    for start in range(0, len(emails), CHUNK):
        chunk = emails[start : start + CHUNK]
        for person in User.objects.annotate(address=Lower("email")).filter(address__in=chunk):
            people[person.email.lower()] = person
    return people


def _set_managers(rows: list[ImportedRow], people: dict[str, User]) -> set[int]:
    """Writes the managers the rows name (a file without the column leaves them alone); returns the ids of
    the people whose manager changed."""
    wanted = {
        people[row.email].pk: (people[row.manager_email].pk if row.manager_email else None)
        for row in rows
        if row.manager_email is not None and (not row.manager_email or row.manager_email in people)
    }
    if not wanted:
        return set()
    current = dict(ProvisionedPerson.objects.filter(user_id__in=wanted).values_list("user_id", "manager_id"))
    changed = [
        person_id
        for person_id, manager_id in wanted.items()
        if person_id not in current or current[person_id] != manager_id
    ]
    records = [ProvisionedPerson(user_id=person_id, manager_id=wanted[person_id]) for person_id in changed]
    ProvisionedPerson.objects.bulk_create(
        records,
        batch_size=CHUNK,
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["manager", "updated_at"],
    )
    return {person_id for person_id in changed if current.get(person_id) != wanted[person_id]}
