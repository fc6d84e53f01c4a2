"""The mapping file of the event-log format: columns, the date format, and activities.

A process-mining log has one row per activity of a case (``Case ID, Activity,
Complete Timestamp, Resource, …``). Its mapping says which column is which, how the
file writes dates that are not ISO 8601, which texts mean "no value", and what each
activity is in Sanjeh's terms (a status, an assignment, an escalation …). See
docs/formats.md, "Event logs with a mapping file".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import MappingError
from ...model import ACTOR_TYPES, CHANNELS, EVENT_KINDS, PRIORITIES, STATUSES
from ._mapping import (
    BUILT_IN,
    COMMON,
    Common,
    columns_of,
    known_keys,
    read_common,
    read_toml,
    resolve_columns,
    table_of,
    value_table,
)

NAME = "event_log"
COLUMNS = {
    "case_id": "the case (ticket) id (required)",
    "activity": "what happened (required)",
    "timestamp": "when it happened (required)",
    "resource": "who did it (an agent's id or name)",
    "team": "the team / group working on the case",
    "priority": "the case's priority",
    "category": "category / product / topic",
    "channel": "where the case came in",
    "customer": "the requester's id",
}
REQUIRED = ("case_id", "activity", "timestamp")
TOP: tuple[str, ...] = (*COMMON, "columns", "activities", "values")
VALUE_TABLES: dict[str, tuple[str, ...]] = {"channel": CHANNELS, "priority": PRIORITIES}
#: an activity may become any kind of event but a merge (which needs the target ticket)
KINDS = tuple(k for k in EVENT_KINDS if k != "merge")
ACTIVITY_KEYS = ("kind", "status", "actor", "public")


@dataclasses.dataclass(frozen=True)
class Activity:
    """What one activity of the log is in Sanjeh's terms."""

    kind: str
    status: str | None = None
    actor: str = "agent"
    public: bool = False

    @classmethod
    def of(cls, kind: str, status: str | None = None, **given: Any) -> Activity:
        """Defaults: a creation sets status new and is the customer's; status changes,
        creations and messages are public, other events internal."""
        if kind == "created":
            status = status or "new"
        defaults = {
            "actor": "customer" if kind == "created" else "agent",
            "public": kind in ("created", "status", "message"),
        }
        return cls(kind=kind, status=status, **{**defaults, **given})


#: an activity the mapping does not name: kept as an event of kind ``other``
UNMAPPED = Activity.of("other")


@dataclasses.dataclass(frozen=True)
class EventLogMapping(Common):
    columns: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: lower-case activity → what it is
    activities: Mapping[str, Activity] = dataclasses.field(default_factory=dict)
    #: lower-case user value → canonical value, per column (built-ins included)
    values: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)

    def resolve(self, header: list[str], data: Path) -> dict[str, str]:
        """Map each configured key to the file's actual column name."""
        return resolve_columns(self.path, self.columns, header, data)


def load_event_log_mapping(path: Path | None) -> EventLogMapping:
    if path is None:
        raise MappingError(
            NAME,
            "the event-log format needs a mapping file: pass --mapping FILE "
            "(examples: examples/event_log/*.toml and docs/formats.md)",
        )
    data = read_toml(path)
    common = read_common(path, data, NAME)  # first: a mapping of another format
    known_keys(path, "", data, TOP)
    columns = columns_of(path, data, COLUMNS, REQUIRED)
    activities = {
        str(name).strip().lower(): _activity(path, str(name), spec)
        for name, spec in table_of(path, data, "activities").items()
    }
    values = table_of(path, data, "values")
    known_keys(path, "[values.X] ", values, tuple(VALUE_TABLES))
    merged = {k: dict(BUILT_IN.get(k, {})) for k in VALUE_TABLES}
    for column, table in values.items():
        if not isinstance(table, dict):
            raise MappingError(path, f"values.{column} must be a table: [values.{column}]")
        merged[column].update(value_table(path, column, table))
    return EventLogMapping(
        **common.settings(), columns=columns, activities=activities, values=merged
    )


def _activity(path: Path, name: str, spec: object) -> Activity:
    """``"solved"`` (a status), ``"escalate"`` (a kind) or a table of kind, status,
    actor and public."""
    where = f"[activities] {name!r}"
    if isinstance(spec, str):
        word = spec.strip().lower()
        if word in STATUSES:
            return Activity.of("status", word)
        if word in KINDS:
            return Activity.of(word)
        raise MappingError(
            path,
            f"{where} = {spec!r}: write a status ({', '.join(STATUSES)}), an event kind "
            f'({", ".join(KINDS)}) or a table such as {{ kind = "assign", status = "open" }}',
        )
    if not isinstance(spec, dict):
        raise MappingError(path, f"{where} must be a text or a table, not {spec!r}")
    known_keys(path, f"{where}: ", spec, ACTIVITY_KEYS)
    status = spec.get("status")
    if status is not None and status not in STATUSES:
        raise MappingError(path, f"{where} status = {status!r}: use one of {', '.join(STATUSES)}")
    kind = spec.get("kind", "status" if status else None)
    if kind not in KINDS:
        raise MappingError(path, f"{where} kind = {kind!r}: use one of {', '.join(KINDS)}")
    given: dict[str, Any] = {}
    if "actor" in spec:
        if spec["actor"] not in ACTOR_TYPES:
            raise MappingError(
                path, f"{where} actor = {spec['actor']!r}: use one of {', '.join(ACTOR_TYPES)}"
            )
        given["actor"] = spec["actor"]
    if "public" in spec:
        if not isinstance(spec["public"], bool):
            raise MappingError(path, f"{where} public must be true or false")
        given["public"] = spec["public"]
    return Activity.of(kind, status, **given)
