"""Throttles of the token endpoint: per client address (NUM_PROXIES decides which) and per account."""

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView


class TokenAddressThrottle(ScopedRateThrottle):
    """The "token" rate per client address: DRF's get_ident, which trusts X-Forwarded-For only as far as
    REST_FRAMEWORK["NUM_PROXIES"] says."""


class TokenAccountThrottle(SimpleRateThrottle):
    """The "token_account" rate per email asked for, whatever the address: guesses spread over many
    addresses still meet it."""

    scope = "token_account"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data = request.data
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None  # a 400 anyway; the per-address throttle still counts it
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()}
