"""Single sign-on, SCIM and the CSV import apply what they say about a person by one rule
(marketplace.person_values): the same department whatever the case, the same cut of a long name, and only
what the source gives changes."""

import pytest
from django.utils import timezone

from marketplace.models import DISPLAY_NAME_MAX_LENGTH, Department
from marketplace.sso import apply_identity
from marketplace.sso_claims import Identity
from provisioning.services import PersonData, create_person, update_person

pytestmark = pytest.mark.django_db


def test_sso_and_scim_land_a_person_in_the_same_department_whatever_its_case():
    now = timezone.now()
    by_scim = create_person(data=PersonData(email="a@example.com", department="Customer Success"), now=now)
    by_sso = create_person(data=PersonData(email="b@example.com"), now=now)

    apply_identity(
        by_sso, Identity(email=by_sso.email, email_verified=True, department="customer success"), new=False
    )

    by_sso.refresh_from_db()
    assert by_sso.department_id == by_scim.department_id
    assert Department.objects.count() == 1


def test_both_cut_a_long_name_to_the_same_length():
    now = timezone.now()
    long_name = "Ana " + "Maria " * 40
    by_scim = create_person(data=PersonData(email="a@example.com", display_name=long_name), now=now)
    by_sso = create_person(data=PersonData(email="b@example.com"), now=now)

    apply_identity(
        by_sso, Identity(email=by_sso.email, email_verified=True, display_name=long_name), new=False
    )

    by_sso.refresh_from_db()
    assert by_sso.display_name == by_scim.display_name == long_name[:DISPLAY_NAME_MAX_LENGTH]


def test_an_empty_claim_keeps_the_value_and_an_empty_scim_value_clears_it():
    now = timezone.now()
    person = create_person(
        data=PersonData(email="a@example.com", job_title="Analyst", department="Sales"), now=now
    )

    assert (
        apply_identity(person, Identity(email=person.email, email_verified=True, job_title=""), new=False)
        == []
    )
    person.refresh_from_db()
    assert person.department is not None
    assert (person.job_title, person.department.name) == ("Analyst", "Sales")

    update_person(person=person, data=PersonData(email=person.email, job_title="", department=""), now=now)
    person.refresh_from_db()
    assert (person.job_title, person.department) == ("", None)
