"""Reads of provisioning: the people SCIM sees, and what a CSV preview needs to know of who is registered."""

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from marketplace.models import User
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
