"""Tables of the alerts Sanjeh evaluates itself (docs/insights.md, "Alerts").

Written by ``sanjeh.insights`` (alerts), never imported from files.
"""

from __future__ import annotations

from ._spec import TableSpec

ALERT_TABLES: dict[str, TableSpec] = {}
