"""Personal data found and replaced: in texts (``redact``) and in canonical tables
(``redact_table``).

It needs nothing but ``sanjeh.errors``, so it sits at the bottom of the layers
(docs/architecture.md): ``store`` (export) and ``ingest`` (import) redact without
importing ``sanjeh.text``, which re-exports these names as its public API.
"""

from ._pii import PII_KINDS, PiiMatch, find_pii, redact
from ._tables import redact_table, redacted_columns

__all__ = ["PII_KINDS", "PiiMatch", "find_pii", "redact", "redact_table", "redacted_columns"]
