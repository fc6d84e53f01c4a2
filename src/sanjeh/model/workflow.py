"""Tables of the QA workflow (scorecards, reviews, disputes, calibration, coaching …).

Append-only: a change is a new row (revision) with who and when; the current state
of a record is its latest revision. Filled in by ``sanjeh.qa``.
"""

from __future__ import annotations

from ._spec import TableSpec

WORKFLOW_TABLES: dict[str, TableSpec] = {}
