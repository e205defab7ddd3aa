"""HR imports people from a CSV file: a preview that writes nothing, an import that is all or nothing and
idempotent on the address, from the insights page and from manage.py import_people."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.models import Department, User
from provisioning import services
from provisioning.models import PeopleImport, ProvisionedPerson
from provisioning.people_csv import parse_people_csv
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
PAGE = "/insights/people/import/"
FILE = (
    "email,name,department,job title,level,manager\n"
    "ana@example.com,Ana Lima,Sales,Account executive,senior,\n"
    "ben@example.com,Ben Okoro,sales,Sales lead,lead,ana@example.com\n"
    "Known@Example.com,Kim Known,Legal,Counsel,,ana@example.com\n"
)


def upload(client, content: str | bytes, name: str = "people.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def import_text(text: str) -> services.ImportResult:
    parsed = parse_people_csv(text.encode())
    assert parsed.errors == []
    return services.import_people(rows=parsed.rows, now=timezone.now())


def manager_of(person: User) -> str | None:
    return ProvisionedPerson.objects.filter(user=person).values_list("manager__email", flat=True).first()


@pytest.fixture
def known(db):
    return UserFactory(email="known@example.com", display_name="Old Name", job_title="Clerk", department=None)


# --- The service ---


def test_the_import_creates_new_people_and_updates_known_ones_matched_whatever_the_case(known):
    DepartmentFactory(name="Sales")

    result = import_text(FILE)

    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    known.refresh_from_db()
    assert (known.display_name, known.job_title, str(known.department)) == ("Kim Known", "Counsel", "Legal")
    ben = User.objects.get(email="ben@example.com")
    assert (ben.display_name, str(ben.department), ben.job_level) == ("Ben Okoro", "Sales", "lead")
    assert not ben.has_usable_password()
    assert EmailAddress.objects.get(user=ben).verified
    assert manager_of(ben) == "ana@example.com"
    assert manager_of(known) == "ana@example.com"
    assert sorted(Department.objects.values_list("name", flat=True)) == ["Legal", "Sales"]


def test_importing_the_same_file_again_changes_nothing_and_duplicates_nobody(known):
    import_text(FILE)
    people = User.objects.count()

    again = import_text(FILE)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert User.objects.count() == people
    assert EmailAddress.objects.filter(email="ben@example.com").count() == 1


def test_a_changed_manager_alone_counts_as_an_update(known):
    import_text(FILE)

    again = import_text(
        FILE.replace(
            "Known@Example.com,Kim Known,Legal,Counsel,,ana@example.com",
            "known@example.com,Kim Known,Legal,Counsel,,ben@example.com",
        )
    )

    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert manager_of(known) == "ben@example.com"


def test_an_empty_cell_clears_and_a_missing_column_keeps(known):
    known.job_level = "senior"
    known.save()

    import_text("email,name,job title\nknown@example.com,Kim Known,\n")

    known.refresh_from_db()
    assert (known.job_title, known.job_level, known.department) == ("", "senior", None)


def test_an_import_that_fails_half_way_writes_nothing(known, monkeypatch):
    rows = parse_people_csv(
        ("email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(services.CHUNK + 10))).encode()
    ).rows
    calls = []
    real = EmailAddress.objects.bulk_create

    def fail_on_the_second_chunk(objects, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(objects, *args, **kwargs)

    monkeypatch.setattr(EmailAddress.objects, "bulk_create", fail_on_the_second_chunk)

    with pytest.raises(RuntimeError):
        services.import_people(rows=rows, now=timezone.now())

    assert User.objects.count() == 1
    assert len(calls) == 2


def test_progress_is_told_after_each_chunk_and_at_the_end(db):
    rows = parse_people_csv(
        (
            "email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(services.CHUNK * 2 + 1))
        ).encode()
    ).rows
    told = []

    services.import_people(
        rows=rows, now=timezone.now(), progress=lambda done, total: told.append((done, total))
    )

    total = services.CHUNK * 2 + 1
    assert told == [(services.CHUNK, total), (services.CHUNK * 2, total), (total, total)]


def test_the_import_takes_a_fixed_number_of_queries_per_chunk(db):
    def queries_for(count: int, offset: int) -> int:
        text = "email,name,department\n" + "".join(
            f"p{offset + n}@example.com,P {n},Dept {offset} {n % 3}\n" for n in range(count)
        )
        rows = parse_people_csv(text.encode()).rows
        with CaptureQueriesContext(connection) as queries:
            services.import_people(rows=rows, now=timezone.now())
        return len(queries)

    # 40 rows: within one INSERT on SQLite too (999 parameters at most, about 20 columns a person).
    assert queries_for(5, 0) == queries_for(40, 1000)


# --- The page ---


def test_the_dashboard_links_to_the_import_and_only_hr_may_open_it(client, hr, mentee):
    client.force_login(mentee)
    assert client.get(PAGE).status_code == 403
    assert upload(client, FILE).status_code == 403

    client.force_login(hr)
    assert f'href="{PAGE}"' in client.get("/insights/").content.decode()
    assert client.get(PAGE).status_code == 200


def test_upload_previews_without_writing_then_confirm_imports_once(client, hr, known):
    client.force_login(hr)

    uploaded = upload(client, FILE)

    assert uploaded.status_code == 302
    preview_url = uploaded["Location"]
    preview = client.get(preview_url)
    page = preview.content.decode()
    assert "3 people in the file: 2 new, 1 to update, 0 unchanged." in page
    assert "ben@example.com" in page
    assert not User.objects.filter(email="ben@example.com").exists()
    known.refresh_from_db()
    assert known.display_name == "Old Name"

    confirmed = client.post(preview_url)

    assert confirmed.status_code == 302
    assert User.objects.filter(email="ben@example.com").exists()
    done = client.get(preview_url).content.decode()
    assert "Imported: 2 new, 1 updated, 0 unchanged." in done
    assert PeopleImport.objects.get().status == PeopleImport.Status.IMPORTED
    people = User.objects.count()
    client.post(preview_url)  # a second click
    assert "already been imported" in client.get(preview_url).content.decode()
    assert User.objects.count() == people


def test_a_file_with_problems_shows_each_with_row_and_column_and_cannot_be_imported(client, hr):
    client.force_login(hr)
    bad = (
        "Email,Name,Level,Manager\n"
        "ana@example.com,Ana,senior,\n"
        "nope,Ben,,\n"
        "cy@example.com,Cy,boss,\n"
        "di@example.com,Di,,who@example.com\n"
    )

    preview_url = upload(client, bad)["Location"]
    page = client.get(preview_url).content.decode()

    assert "3 problems: nothing is imported" in page
    for row, column in (("3", "Email"), ("4", "Level"), ("5", "Manager")):
        assert f'<th scope="row">{row}</th><td>{column}</td>' in page
    assert "Import 1 person" not in page
    response = client.post(preview_url)
    assert response.status_code == 400
    assert not User.objects.filter(email="ana@example.com").exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "The file is empty."),
        (b"name,department\nAna,Sales\n", "at least email and name"),
        ("email,name\nzoe@example.com,Zoë Müller\n".encode("cp1252"), "not UTF-8"),
        ("email,name\nzoe@example.com,Zoë\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00binary", "CSV UTF-8"),
    ],
    ids=["empty", "no-header", "cp1252", "utf-16", "xlsx"],
)
def test_a_bad_file_is_a_clear_error_on_the_page_never_a_500(client, hr, content, says):
    client.force_login(hr)

    response = upload(client, content)

    assert response.status_code == 400
    assert says in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_a_huge_file_is_refused_before_it_is_read(client, hr, monkeypatch):
    from provisioning import people_csv

    monkeypatch.setattr(people_csv, "MAX_BYTES", 100)
    client.force_login(hr)

    response = upload(client, "email,name\n" + "a@example.com,A\n" * 20)

    assert response.status_code == 400
    assert "larger than" in response.content.decode()


def test_no_file_is_a_form_error(client, hr):
    client.force_login(hr)
    response = client.post(PAGE, {})
    assert response.status_code == 400
    assert "Choose a CSV file" in response.content.decode()


# --- The command ---


def test_the_command_dry_run_writes_nothing_and_says_what_would_change(tmp_path, known):
    path = tmp_path / "people.csv"
    path.write_text(FILE)
    out = io.StringIO()

    call_command("import_people", str(path), "--dry-run", stdout=out)

    assert (
        "Would import 3 people: 2 new, 1 to update, 0 unchanged. Nothing written (--dry-run)."
        in out.getvalue()
    )
    assert not User.objects.filter(email="ana@example.com").exists()


def test_the_command_imports_with_progress(tmp_path, db):
    path = tmp_path / "people.csv"
    path.write_text("email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(services.CHUNK + 1)))
    out = io.StringIO()

    call_command("import_people", str(path), stdout=out)

    output = out.getvalue()
    assert f"{services.CHUNK:,} of {services.CHUNK + 1:,} people written" in output
    assert (
        f"Imported {services.CHUNK + 1} people: {services.CHUNK + 1} new, 0 updated, 0 unchanged." in output
    )
    assert User.objects.count() == services.CHUNK + 1


def test_the_command_lists_the_problems_and_imports_nothing(tmp_path, db):
    path = tmp_path / "people.csv"
    path.write_text("email,name\nana@example.com,Ana\nbad,Ben\n")
    err = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_people", str(path), stderr=err)

    assert "row 3, email:" in err.getvalue()
    assert "nothing was imported" in str(error.value)
    assert not User.objects.exists()


def test_the_command_refuses_a_missing_or_unreadable_file(tmp_path, db):
    with pytest.raises(CommandError, match="No file"):
        call_command("import_people", str(tmp_path / "nothing.csv"))
    path = tmp_path / "people.csv"
    path.write_bytes("email,name\nzoe@example.com,Zoë\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_people", str(path))
