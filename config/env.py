"""Reading configuration from the environment, failing loudly with the variable's name."""

import os
from collections.abc import Callable
from typing import TypeVar

import environ
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


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


def _positive_int_list(raw: str) -> tuple[int, ...]:
    values = tuple(int(part) for part in raw.split(",") if part.strip())
    if not values or any(value <= 0 for value in values):
        raise ValueError("expected a comma-separated list of positive whole minutes")
    return values


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected a whole number ≥ 0")
    return value


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return raw.rstrip("/")


def read_bool(name: str, default: bool) -> bool:
    return _read(name, default, _bool)


def read_str(name: str, default: str) -> str:
    return _read(name, default, str)


def read_list(name: str, default: list[str]) -> list[str]:
    return _read(name, default, lambda raw: [part.strip() for part in raw.split(",") if part.strip()])


def read_minutes_list(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    return _read(name, default, _positive_int_list)


def read_minutes(name: str, default: int) -> int:
    return _read(name, default, _non_negative_int)


def read_url(name: str, default: str) -> str:
    return _read(name, default, _url)


def read_optional_url(name: str) -> str | None:
    return _read(name, None, lambda raw: _url(raw) if raw else None)


def read_database(name: str, default: str) -> dict:
    return _read(name, environ.Env.db_url_config(default), environ.Env.db_url_config)


def read_email(name: str) -> dict | None:
    return _read(name, None, lambda raw: environ.Env.email_url_config(raw) if raw else None)
