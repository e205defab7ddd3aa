"""Reading HR's CSV file of people: a pure function of the file's bytes (no database)."""

import pytest

from provisioning.people_csv import BadFile, ImportedRow, RowError, parse_people_csv

GOOD = (
    "email,name,department,job title,level,manager\n"
    "ana@example.com,Ana Lima,Sales,Account executive,senior,\n"
    "Ben@Example.com,Ben Okoro,Sales,Sales lead,Lead / staff,ana@example.com\n"
)


def parse(text: str, **options):
    return parse_people_csv(text.encode("utf-8"), **options)


def test_a_good_file_gives_its_people_cleaned_with_their_spreadsheet_rows():
    parsed = parse(GOOD)

    assert parsed.errors == []
    assert parsed.row_numbers == [2, 3]
    assert parsed.rows == [
        ImportedRow("ana@example.com", "Ana Lima", "Sales", "Account executive", "senior", ""),
        ImportedRow("ben@example.com", "Ben Okoro", "Sales", "Sales lead", "lead", "ana@example.com"),
    ]


def test_excel_files_read_the_same_semicolons_a_byte_order_mark_crlf_and_other_header_spellings():
    excel = (
        "\ufeffE-Mail;Full Name;Dept;Job_Title;Job Level;Manager Email\r\n"
        "ana@example.com;Ana Lima;Sales;AE;Senior;\r\n"
    )

    parsed = parse_people_csv(excel.encode("utf-8"))

    assert parsed.rows == [ImportedRow("ana@example.com", "Ana Lima", "Sales", "AE", "senior", "")]
    assert parsed.headers["email"] == "E-Mail"


def test_columns_the_file_lacks_are_none_and_unknown_ones_are_reported_as_ignored():
    parsed = parse("Name,Email,Phone\nAna Lima,ana@example.com,+44 20\n")

    assert parsed.rows == [ImportedRow("ana@example.com", "Ana Lima", None, None, None, None)]
    assert parsed.ignored == ["Phone"]


def test_a_value_with_a_comma_in_quotes_and_blank_lines_keep_the_row_numbers_of_the_spreadsheet():
    parsed = parse('email,name\n\n"ana@example.com","Lima, Ana"\n,\nben@example.com,Ben\n')

    assert [row.display_name for row in parsed.rows] == ["Lima, Ana", "Ben"]
    assert parsed.row_numbers == [3, 5]


def test_every_problem_is_reported_with_its_row_and_column_as_the_file_names_it():
    parsed = parse(
        "Email,Name,Department,Job Title,Level,Manager\n"
        "not-an-address,Ana,Sales,,,\n"  # row 2
        "ben@example.com,,Sales,,,\n"  # row 3
        "cy@example.com,Cy,Sales,,Principal,\n"  # row 4
        "BEN@example.com,Ben again,,,,\n"  # row 5
        "di@example.com,Di,,,,di@example.com\n"  # row 6
        "ed@example.com,Ed\n"  # row 7
        "fe@example.com,Fe,Sales,Engineer,senior,ana@example.com,extra\n"  # row 8
        f"gi@example.com,Gi,{'d' * 101},,,\n"  # row 9
        "ok@example.com,Okay,,,,\n"  # row 10
    )

    problems = [(error.row, error.column) for error in parsed.errors]
    assert problems == [
        (2, "Email"),
        (3, "Name"),
        (4, "Level"),
        (5, "Email"),
        (6, "Manager"),
        (8, ""),
        (9, "Department"),
    ]
    assert "row 3" in parsed.errors[3].message
    assert "senior" in parsed.errors[2].message
    assert [row.email for row in parsed.rows] == ["ed@example.com", "ok@example.com"]


def test_a_quoted_line_break_inside_a_name_is_refused_on_its_row():
    parsed = parse('email,name\nana@example.com,"Ana\nLima"\n')

    assert parsed.errors == [RowError(2, "name", parsed.errors[0].message)]
    assert parsed.rows == []


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"email,name\n", "nobody"),
        (b"name,department\nAna,Sales\n", "email"),
        (b"ana@example.com,Ana Lima\n", "first line"),
        (b"email,name,e-mail\nana@example.com,Ana,ana@example.com\n", "both"),
        ("email,name\nzoë@example.com,Zoë\n".encode("utf-16"), "UTF-16"),
        ("email,name\nana@example.com,Ana\nzoe@example.com,Zoë Müller\n".encode("latin-1"), "line 3"),
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", "CSV UTF-8"),
        (b"email,name\nana@example.com,Ana\x00\n", "NUL"),
        (b'email,name\nana@example.com,"Ana\n', "quotes"),
    ],
    ids=[
        "empty",
        "blank",
        "header-only",
        "no-email-column",
        "no-header",
        "two-email-columns",
        "utf-16",
        "latin-1",
        "xlsx",
        "nul",
        "open-quote",
    ],
)
def test_a_file_that_is_no_table_of_people_says_what_to_do(content, says):
    with pytest.raises(BadFile) as error:
        parse_people_csv(content)
    assert says in error.value.message


def test_a_file_too_large_or_too_long_is_refused_before_any_row():
    with pytest.raises(BadFile) as too_long:
        parse("email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(11)), max_rows=10)
    assert "11" in too_long.value.message

    with pytest.raises(BadFile) as too_large:
        parse_people_csv(b"email,name\n" + b"a" * 100, max_bytes=50)
    assert "MB" in too_large.value.message
