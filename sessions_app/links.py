"""Signed links in emails: open one booking's feedback or follow-up page without a password.

A token names the booking, the person and the purpose; django.core.signing guards it with SECRET_KEY and a
salt, and it expires after SIGNED_LINK_MAX_AGE_DAYS. It grants nothing beyond that one page for that person.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext

SALT = "sessions_app.links"
FEEDBACK = "feedback"
FOLLOW_UP = "follow_up"


@dataclass(frozen=True, slots=True)
class LinkGrant:
    booking_id: int
    user_id: int
    purpose: str


class BadLink(Exception):
    """The link was tampered with, has expired, or is for another booking or purpose."""


def make_token(*, booking_id: int, user_id: int, purpose: str) -> str:
    return signing.dumps({"b": booking_id, "u": user_id, "p": purpose}, salt=SALT, compress=True)


def read_token(token: str, *, booking_id: int, purpose: str) -> LinkGrant:
    try:
        data = signing.loads(
            token or "", salt=SALT, max_age=timedelta(days=settings.SIGNED_LINK_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired as error:
        raise BadLink(gettext("This link has expired: sign in to open the session instead.")) from error
    except signing.BadSignature as error:
        raise BadLink(gettext("This link is not valid: sign in to open the session instead.")) from error
    if not isinstance(data, dict) or data.get("b") != booking_id or data.get("p") != purpose:
        raise BadLink(gettext("This link is for another session: sign in to open the session instead."))
    return LinkGrant(booking_id=booking_id, user_id=int(data["u"]), purpose=purpose)


def feedback_url(*, booking_id: int, user_id: int, rating: int | None = None) -> str:
    token = make_token(booking_id=booking_id, user_id=user_id, purpose=FEEDBACK)
    url = f"{settings.SITE_URL}{reverse('session-feedback', args=[booking_id])}?t={token}"
    return url if rating is None else f"{url}&rating={rating}"


def follow_up_url(*, booking_id: int, user_id: int) -> str:
    token = make_token(booking_id=booking_id, user_id=user_id, purpose=FOLLOW_UP)
    return f"{settings.SITE_URL}{reverse('session-follow-up', args=[booking_id])}?t={token}"
