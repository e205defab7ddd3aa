"""Domain errors with stable codes; api_errors.exception_handler turns them into docs/api.md's shapes."""


class DomainError(Exception):
    status_code = 409

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Conflict(DomainError):
    """The request is well-formed but conflicts with the current state (409 {"detail", "code"}); `details`
    go along in the body (a series' refusal names its first `start` that is not bookable)."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(code, message)
        self.details = details


class InvalidInput(DomainError):
    """A value is wrong in a way only a service can tell (400 {"<field>": ["message"]})."""

    status_code = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__("invalid", message)
        self.field = field
