"""schemathesis over every operation of the OpenAPI schema, against gunicorn serving the demo organisation, as
an employee and as an HR admin: no server error, no status, content type, header or body that the schema
does not declare, no request the schema calls invalid accepted (issue 13 item 18).

Each role gets a freshly seeded database (the test's own), so neither run depends on what the other changed.
Both run as one pytest-xdist unit (tests/conftest.py), one after the other: each keeps both cores busy.
"""

import io
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from marketplace.models import User
from tests.deploy.conftest import ARTIFACTS, database_url, production_env

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
MAX_EXAMPLES = 15  # per operation, in the fuzzing and stateful phases: about 1.5 minutes a role on two cores

# `--checks all` but for this one, which cannot judge this API (negative_data_rejection runs: a JSON value of
# the wrong type is a 400, marketplace.api_fields.StrictJSONInput):
EXCLUDED_CHECKS = [
    # "Schema-valid data must be accepted": validity here depends on the server's state and on rules
    # between fields, which JSON Schema cannot state: an existing mentor or colleague id, a known skill
    # slug, a start in the future, an end after the start, the right password. Each field's own rules are
    # in the schema.
    "positive_data_acceptance",
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("email", ["mentee@example.com", "hr@example.com"])
def test_schemathesis_finds_nothing_the_schema_does_not_declare(email, start_gunicorn, tmp_path):
    call_command(
        "seed_demo",
        "--mentors",
        "12",
        "--employees",
        "30",
        "--weeks-of-history",
        "3",
        "--force",
        stdout=io.StringIO(),
    )
    token, _ = Token.objects.get_or_create(user=User.objects.get(email=email))
    server = start_gunicorn(
        production_env(DATABASE_URL=database_url(tmp_path)),
        ready_path="/healthz",
        arguments=("config.wsgi", "--workers", "2"),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"schemathesis-{email.split('@')[0]}.txt"

    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"http://127.0.0.1:{server.port}/api/schema/",
            "--checks",
            "all",
            "--exclude-checks",
            ",".join(EXCLUDED_CHECKS),
            # Revoking the token would leave the rest of the run without credentials (tests/marketplace
            # test_api_tokens.py covers it).
            "--exclude-name",
            "DELETE /api/v1/auth/token/",
            "--header",
            f"Authorization: Token {token.key}",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-deterministic",  # the same cases every run (and nothing remembered between runs)
            # One thread: on Python 3.11.7 hypothesis reading lambdas' source (ast) in two threads at once
            # can fail with "AST constructor recursion depth mismatch" (CPython gh-106905), a flaky run.
            "--workers",
            "1",
            "--request-timeout",
            "20",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    report.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"{result.stdout[-12000:]}\n{result.stderr[-3000:]}\n{server.log()}"
    tested = operations_in(server.port) - 1  # all but DELETE /api/v1/auth/token/
    assert f"Tested: {tested}" in result.stdout, result.stdout[-3000:]


def operations_in(port: int) -> int:
    """How many operations the served schema declares, so that the run is seen to have tested each."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/?format=json", timeout=20) as answer:
        schema = json.load(answer)
    methods = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
    return sum(1 for path in schema["paths"].values() for method in path if method in methods)
