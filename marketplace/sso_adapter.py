"""allauth's social-account adapter: single sign-on provisions the person (marketplace.sso), signs in only an
address the identity provider verified, and signs up only the domains SIGNUP_ALLOWED_DOMAINS allows."""

from typing import NoReturn

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from marketplace import sso, sso_claims
from marketplace.account_adapter import email_domain


def identity_of(sociallogin: SocialLogin) -> sso_claims.Identity:
    data = sociallogin.account.extra_data or {}
    if sociallogin.provider.id == SAMLProvider.id:
        address = sociallogin.email_addresses[0].email if sociallogin.email_addresses else None
        return sso_claims.from_saml(data, email=address)
    # allauth keeps the ID token's claims and userinfo's apart; userinfo's are the fuller.
    if "userinfo" in data or "id_token" in data:
        data = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return sso_claims.from_oidc(data)


def confirm_connected_addresses(sender, request: HttpRequest, sociallogin: SocialLogin, **kwargs) -> None:
    """When single sign-on connects to an existing person by their address, the provider has verified that
    address: it counts as confirmed, so they are signed in without a confirmation mail. (allauth has already
    taken the password off an account whose address was not confirmed: whoever set it may not own it.)"""
    verified = [address.email.lower() for address in sociallogin.email_addresses if address.verified]
    if verified and sociallogin.user is not None:
        unconfirmed = EmailAddress.objects.filter(user=sociallogin.user, email__in=verified, verified=False)
        unconfirmed.update(verified=True)


def _refuse(request: HttpRequest, message: str) -> NoReturn:
    """Back to the sign-in page, saying why."""
    messages.error(request, message)
    raise ImmediateHttpResponse(redirect("account_login"))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_email_verified(self, provider, email: str) -> bool:
        # A SAML assertion is signed by the company's identity provider, which vouches for its addresses; an
        # email_verified attribute saying false is refused in pre_social_login.
        if provider.id == SAMLProvider.id:
            return True
        return super().is_email_verified(provider, email)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        identity = identity_of(sociallogin)
        provider = sociallogin.provider.name
        if not identity.email:
            _refuse(
                request,
                _(
                    "%(provider)s did not give Sidebar your email address, which is what you sign in with: "
                    "ask your administrator to release it to Sidebar."
                )
                % {"provider": provider},
            )
        if not identity.email_verified:
            _refuse(
                request,
                _(
                    "%(provider)s has not verified your email address %(email)s, so Sidebar cannot sign you "
                    "in with it. Verify the address there first, or ask your administrator."
                )
                % {"provider": provider, "email": identity.email},
            )
        if sociallogin.is_existing:
            # Someone known (by this provider's account, or by the address): their details follow the
            # company's.
            sso.apply_identity(sociallogin.user, identity, new=False)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        identity = identity_of(sociallogin)
        allowed = settings.SIGNUP_ALLOWED_DOMAINS
        if allowed and identity.email and email_domain(identity.email) not in allowed:
            _refuse(
                request,
                _("Sidebar is open to addresses ending in %(domains)s: %(email)s cannot join.")
                % {"domains": ", ".join(f"@{domain}" for domain in allowed), "email": identity.email},
            )
        return super().is_open_for_signup(request, sociallogin)

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None):
        # Before allauth saves the new person, so that they are stored once, complete.
        sso.apply_identity(sociallogin.user, identity_of(sociallogin), new=True)
        return super().save_user(request, sociallogin, form)
