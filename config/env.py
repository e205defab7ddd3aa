"""Reading configuration from the environment, failing loudly with the variable's name.

Each kind of value has its own reader (minutes, seconds, days, counts, flags, lists, URLs, header names), so
a variable is read in the unit its name says, and nonsense (not a number, negative, zero where zero makes no
sense) stops the start with ImproperlyConfigured naming the variable instead of being taken for the default.
"""

import os
import re
from collections.abc import Callable, Collection
from typing import TypeVar
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DOMAIN = r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"


def _read(name: str, default: T, parse: Callable[[str], T]) -> T:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return parse(raw.strip())
    except (ValueError, TypeError, environ.ImproperlyConfigured) as error:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed ({raw!r}): {error}") from error


def _bool(raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ValueError("expected one of 1/0, true/false, yes/no, on/off")


def _whole_number(unit: str, low: int, high: int | None) -> Callable[[str], int]:
    """A parser of one whole number of `unit` from `low` to `high` (no upper limit when None)."""
    expected = f"a whole number of {unit}, " + (
        f"from {low} to {high}" if high is not None else f"at least {low}"
    )

    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"expected {expected}") from None
        if value < low or (high is not None and value > high):
            raise ValueError(f"expected {expected}")
        return value

    return parse


def _positive_int_list(raw: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        values = ()
    if not values or any(value <= 0 for value in values):
        raise ValueError("expected a comma-separated list of positive whole minutes")
    return values


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return raw.rstrip("/")


def _email(raw: str) -> dict | None:
    if not raw:
        return None
    config = environ.Env.email_url_config(raw)
    if config.get("OPTIONS"):
        # Nothing reads them: better to say so than to send mail some other way than asked.
        names = ", ".join(sorted(name.lower() for name in config["OPTIONS"]))
        raise ValueError(f"options {names} are not read: pick TLS or SSL with smtp+tls:// or smtp+ssl://")
    for flag in ("EMAIL_USE_TLS", "EMAIL_USE_SSL"):  # ?email_use_tls=false arrives as the string "false"
        if flag in config:
            config[flag] = _bool(str(config[flag]))
    return config


def read_bool(name: str, default: bool) -> bool:
    return _read(name, default, _bool)


def read_str(name: str, default: str) -> str:
    return _read(name, default, str)


def read_secret(name: str, *, min_length: int) -> str:
    """A shared secret, "" when unset or empty. One that is short or holds spaces stops the start; the
    message never repeats the value (it would end up in logs)."""
    raw = os.environ.get(name, "").strip()
    if raw and (len(raw) < min_length or not raw.isprintable() or any(char.isspace() for char in raw)):
        raise ImproperlyConfigured(
            f"Environment variable {name} must be at least {min_length} printable characters without spaces: "
            "make one with python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return raw


def read_choice(name: str, default: str, choices: Collection[str]) -> str:
    """One of `choices`, compared as given (so LOG_LEVEL=info is refused, as logging would refuse it)."""

    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return raw

    return _read(name, default, parse)


def read_list(name: str, default: list[str]) -> list[str]:
    return _read(name, default, lambda raw: [part.strip() for part in raw.split(",") if part.strip()])


def read_domains(name: str) -> tuple[str, ...]:
    """Comma-separated email domains (`example.com, example.org`), lower-cased, or () when unset or empty.
    A domain is what follows the `@`: no `@`, scheme, path or space; `sub.example.com` is a domain of its own.
    """

    def parse(raw: str) -> tuple[str, ...]:
        domains = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
        for domain in domains:
            if not re.fullmatch(_DOMAIN, domain):
                raise ValueError(f"{domain!r} is not an email domain such as example.com")
        return domains

    return _read(name, (), parse)


def read_minutes_list(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    return _read(name, default, _positive_int_list)


def read_minutes(name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    return _read(name, default, _whole_number("minutes", low, high))


def read_seconds(name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    return _read(name, default, _whole_number("seconds", low, high))


def read_days(name: str, default: int, *, low: int = 1, high: int | None = None) -> int:
    return _read(name, default, _whole_number("days", low, high))


def read_count(name: str, default: int, *, low: int = 1, high: int | None = None) -> int:
    """How many of something (a batch size): at least one unless `low` says otherwise."""
    return _read(name, default, _whole_number("items", low, high))


def read_port(name: str, default: int) -> int:
    """A TCP port number, 1 to 65535."""

    def parse(raw: str) -> int:
        if not raw.isdigit() or not 1 <= int(raw) <= 65535:
            raise ValueError("expected a port number from 1 to 65535")
        return int(raw)

    return _read(name, default, parse)


def read_url(name: str, default: str) -> str:
    return _read(name, default, _url)


def read_header_name(name: str, default: str) -> str:
    """An HTTP header name (letters, digits and hyphens), or "" for none."""

    def parse(raw: str) -> str:
        if raw and not re.fullmatch(r"[A-Za-z0-9-]+", raw):
            raise ValueError("expected a header name such as X-Forwarded-Proto (letters, digits, hyphens)")
        return raw

    return _read(name, default, parse)


def _origins(raw: str) -> list[str]:
    """Comma-separated origins (scheme://host[:port], nothing after), each given once."""
    found: list[str] = []
    for part in (part.strip().rstrip("/") for part in raw.split(",")):
        if not part:
            continue
        parts = urlsplit(_url(part))
        if not parts.hostname or parts.path or parts.query or parts.fragment or parts.username:
            raise ValueError(f"expected origins such as https://login.example.com, not {part!r}")
        if part not in found:
            found.append(part)
    return found


def read_origins(name: str) -> list[str]:
    return _read(name, [], _origins)


def read_optional_url(name: str) -> str | None:
    return _read(name, None, lambda raw: _url(raw) if raw else None)


def read_database(name: str, default: str) -> dict:
    return _read(name, environ.Env.db_url_config(default), environ.Env.db_url_config)


def read_email(name: str) -> dict | None:
    """An email URL (smtp+tls://user:pass@host:587, consolemail://, filemail:///path …) as Django's EMAIL_*
    settings, or None when unset or empty."""
    return _read(name, None, _email)


def _saml_metadata(raw: str) -> dict | None:
    if not raw:
        return None
    xml = raw
    if not raw.startswith("<"):
        try:
            with open(raw, encoding="utf-8") as file:
                xml = file.read()
        except OSError as error:
            raise ValueError(f"expected the metadata XML, or the path of a file with it ({error})") from None
    # Only when set: python3-saml brings lxml and xmlsec, which a start without SAML need not load.
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    try:
        idp = OneLogin_Saml2_IdPMetadataParser.parse(xml).get("idp", {})
    except Exception as error:  # lxml's and python3-saml's errors have no common base
        raise ValueError(f"expected an identity provider's SAML metadata ({error})") from None
    certificates = idp.get("x509certMulti", {}).get("signing") or [idp.get("x509cert")]
    sso_url = idp.get("singleSignOnService", {}).get("url")
    if not idp.get("entityId") or not sso_url or not certificates[0]:
        raise ValueError("the metadata names no identity provider with a sign-in URL and signing certificate")
    config = {"entity_id": idp["entityId"], "sso_url": sso_url, "x509cert": certificates[0]}
    if slo_url := idp.get("singleLogoutService", {}).get("url"):
        config["slo_url"] = slo_url
    return config


def read_saml_metadata(name: str) -> dict | None:
    """An identity provider's SAML metadata (the XML itself, or the path of a file holding it) as allauth's
    `idp` settings (`entity_id`, `sso_url`, `x509cert`, maybe `slo_url`), or None when unset or empty."""
    return _read(name, None, _saml_metadata)
