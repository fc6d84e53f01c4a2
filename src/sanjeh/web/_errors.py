"""Web errors: part of the one exception tree, each with an HTTP status.

Every error leaves the API as ``{"error": {"type": code, "message": text}}`` and an
HTML page as the error page in the user's language (see ``_app``).
"""

from __future__ import annotations

from ..errors import (
    ConfigError,
    NotAuthenticated,
    PermissionDenied,
    RecordNotFound,
    SanjehError,
    ServerBusy,
    TooManyAttempts,
    ValidationError,
    WorkflowError,
)

#: statuses of library errors that are the user's doing (most specific first)
_STATUSES: tuple[tuple[type[SanjehError], int], ...] = (
    (NotAuthenticated, 401),
    (PermissionDenied, 403),
    (TooManyAttempts, 429),
    (RecordNotFound, 404),
    (WorkflowError, 409),
    (ConfigError, 400),
    (ValidationError, 400),  # a value the model refuses (out of range, NUL …)
    (ServerBusy, 503),  # with Retry-After (``retry_after``), as TooManyAttempts
)


class InvalidParameter(ConfigError):
    """A query parameter the dashboard cannot use (unknown agent, reversed dates …)."""

    code = "invalid_parameter"
    status = 400

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


class NotFound(SanjehError):
    """No such page, agent or customer."""

    code = "not_found"
    status = 404


def status_of(exc: SanjehError) -> int:
    """HTTP status of a library error: the user's request (4xx) or the server (5xx)."""
    explicit = getattr(exc, "status", None)
    if isinstance(explicit, int):
        return explicit
    for kind, status in _STATUSES:
        if isinstance(exc, kind):
            return status
    return 500
