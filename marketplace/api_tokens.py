"""API tokens (docs/api.md, "Authentication"): a person has at most one, valid for API_TOKEN_LIFETIME_DAYS
from its creation; it ends early when they revoke it or their password changes, however it changes."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from marketplace.models import User

EXPIRED = "Token has expired: ask POST /api/v1/auth/token/ for a new one."


def expires_at(token: Token) -> datetime:
    return token.created + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def is_expired(token: Token, *, now: datetime) -> bool:
    return now >= expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (and deleting) a token past its lifetime: 401 "…expired…"."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user, token = super().authenticate_credentials(key)
        if is_expired(token, now=timezone.now()):
            token.delete()
            raise AuthenticationFailed(EXPIRED)
        if user.language:  # a script's person: UserLanguageMiddleware ran before DRF knew who it was
            translation.activate(user.language)
        return user, token


def delete_token_on_password_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    """pre_save of User: a new password hash, from any path that saves the model (the password change and
    reset pages, the admin, `manage.py changepassword`, set_password() then save()), deletes the person's
    token. One query per save that may write the password; none for a save(update_fields=...) without it."""
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
