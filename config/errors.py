"""The one family of domain errors. Services raise them; the API handler and the HTML views turn
them into a response in one place each, so a refused move always reads the same to a person."""


class DomainError(Exception):
    """A request the domain refuses. `message` is shown to the person who asked."""

    status_code = 400
    code = "refused"

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class IllegalTransition(DomainError):
    status_code = 409
    code = "illegal_transition"


class NotAllowed(DomainError):
    status_code = 403
    code = "not_allowed"


class NotFound(DomainError):
    """The request names a record that does not exist (an id from a form, a URL or the API)."""

    status_code = 404
    code = "not_found"


class ValidationFailed(DomainError):
    status_code = 400
    code = "invalid"


class TooMany(DomainError):
    """Asked too often (one-time codes to one phone): try again later."""

    status_code = 429
    code = "too_many"
