"""Domain errors with stable codes; api_errors.exception_handler turns them into docs/api.md's shapes."""


class DomainError(Exception):
    status_code = 409

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Conflict(DomainError):
    """The request is well-formed but conflicts with the current state (409 {"detail", "code"}, and "field"
    when one input is to blame: the start a host moved a group session to, say); `details` go along in the
    body too (a series' refusal names its first `start` that is not bookable)."""

    def __init__(self, code: str, message: str, *, field: str | None = None, **details: object) -> None:
        super().__init__(code, message)
        self.field = field
        self.details = details


class InvalidInput(DomainError):
    """A value is wrong in a way only a service can tell (400 {"<field>": ["message"]})."""

    status_code = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__("invalid", message)
        self.field = field


class TooSoon(DomainError):
    """Asked again before the action may run again (429 {"detail", "code"} with Retry-After)."""

    status_code = 429

    def __init__(self, code: str, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(code, message)
        self.retry_after_seconds = retry_after_seconds
