"""One exception tree for the whole library.

Every message says what went wrong *and* what to do next. The CLI prints the
message on one red line and exits non-zero; the web API returns it in its one
JSON error shape (``{"error": {"type": ..., "message": ...}}``).

    SanjehError
    ├── ConfigError              bad settings, URL or option
    │   └── StaffingError        a staffing / forecast input out of range (names the argument)
    ├── StoreError               the database cannot be opened / used
    │   ├── BackendUnavailable   the server is unreachable or a driver is missing
    │   └── SchemaMismatch       the store was written by an incompatible model version
    ├── IngestError              a file cannot be imported at all
    │   ├── UnknownFormat
    │   ├── MissingColumns
    │   ├── EncodingError
    │   ├── EmptyFile
    │   ├── MappingError         a summary-CSV mapping file is wrong
    │   └── StrictModeError      --strict and a row was rejected
    ├── ValidationError          a value breaks the canonical model (used for rejects)
    ├── AccessError              who may do what (accounts, QA workflow)
    │   ├── NotAuthenticated     no or wrong credentials: log in / send a token
    │   ├── PermissionDenied     logged in, but the role may not do this
    │   └── TooManyAttempts      login throttled: wait, then try again
    ├── WorkflowError            a QA action that does not fit the record's state
    │   └── RecordNotFound       no such review, scorecard, dispute, user …
    └── ServerBusy               too many views being computed: try again in a moment
"""

from __future__ import annotations


class SanjehError(Exception):
    """Base class of every error Sanjeh raises on purpose."""

    #: short machine-readable name used by the CLI and the JSON API
    code: str = "sanjeh_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(SanjehError):
    code = "config_error"


class StaffingError(ConfigError, ValueError):
    """A staffing or forecast input that cannot be used (negative arrivals, AHT 0, a
    series with gaps …). ``argument`` names it; also a ``ValueError`` for callers
    of the Python API that catch that."""

    code = "staffing_error"

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


class StoreError(SanjehError):
    code = "store_error"


class BackendUnavailable(StoreError):
    code = "backend_unavailable"


class SchemaMismatch(StoreError):
    code = "schema_mismatch"


class IngestError(SanjehError):
    """A whole file cannot be imported. Carries the path it is about."""

    code = "ingest_error"

    def __init__(self, path: object, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)


class UnknownFormat(IngestError):
    code = "unknown_format"


class MissingColumns(IngestError):
    code = "missing_columns"


class EncodingError(IngestError):
    code = "encoding_error"


class EmptyFile(IngestError):
    code = "empty_file"


class MappingError(IngestError):
    code = "mapping_error"


class StrictModeError(IngestError):
    code = "strict_mode"


class ValidationError(SanjehError):
    """One value that breaks the canonical model; becomes a quarantined row."""

    code = "validation_error"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class AccessError(SanjehError):
    code = "access_error"


class NotAuthenticated(AccessError):
    code = "not_authenticated"


class PermissionDenied(AccessError):
    code = "permission_denied"


class TooManyAttempts(AccessError):
    """Too many failed logins; ``retry_after`` seconds until the next try is allowed."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class WorkflowError(SanjehError):
    """A QA action that does not fit (dispute on a disputed review, bad rating …)."""

    code = "workflow_error"


class RecordNotFound(WorkflowError):
    code = "not_found"


class ServerBusy(SanjehError):
    """The dashboard is computing as many uncached views as it takes on at once (or this
    user already has theirs computing); ``retry_after`` seconds is a fair wait."""

    code = "server_busy"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
