"""Mapping files: read, check, explain every mistake.

A small TOML file names which column of a user's file holds what. The settings every
mapping shares (``format``, ``source``, ``timezone``, ``timestamp_format``,
``null_values``, ``delimiter``) are read here, with the ticket-summary mapping (see
docs/formats.md, "Ticket-summary CSV"); the event-log mapping builds on them
(``_event_log_mapping.py``). Every problem is a ``MappingError`` that names the mapping
file and the key, and says how to fix it.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ConfigError, MappingError
from ...model import CHANNELS, PRIORITIES, STATUSES, SURVEYS
from ._helpers import check_zone

#: formats that read a file through a mapping; ``format`` names one (default: summary)
MAPPED_FORMATS = ("summary", "event_log")
#: settings every mapping file may have
COMMON: tuple[str, ...] = ("format", "source", "timezone", "timestamp_format", "null_values")
COMMON += ("delimiter",)

#: [columns] keys: what each names in the user's file
COLUMNS = {
    "ticket_id": "the ticket's id (required)",
    "created_at": "when the ticket was opened (required)",
    "updated_at": "when it last changed",
    "assigned_at": "when it was first assigned",
    "first_response_at": "the first agent reply",
    "first_response_minutes": "minutes from creation to the first reply (calendar time)",
    "resolved_at": "when it was solved",
    "closed_at": "when it was closed",
    "status": "the current status",
    "agent": "the agent assigned",
    "team": "the team / group",
    "channel": "where it came in",
    "priority": "the priority",
    "category": "category / type / topic",
    "tags": "tags",
    "customer": "the requester's id",
    "customer_name": "the requester's name",
    "customer_email": "the requester's e-mail",
    "subject": "the subject",
    "description": "the customer's first message",
    "language": "the language (fa, ar, en …)",
    "satisfaction": "the satisfaction score or label",
    "satisfaction_comment": "the satisfaction comment",
    "satisfaction_at": "when the survey was answered",
}
REQUIRED = ("ticket_id", "created_at")
TIMES: tuple[str, ...] = (
    "created_at",
    "updated_at",
    "assigned_at",
    "first_response_at",
    "resolved_at",
)
TIMES += ("closed_at", "satisfaction_at")
#: [values.X] tables: canonical values each may map to (satisfaction maps to numbers)
VALUE_TABLES: dict[str, tuple[str, ...] | None] = {
    "channel": CHANNELS,
    "priority": PRIORITIES,
    "status": STATUSES,
    "satisfaction": None,
}
TOP: tuple[str, ...] = (*COMMON, "tags_separator", "columns", "values", "satisfaction")
SATISFACTION = ("survey", "scale_min", "scale_max")
#: values most exports use, so a mapping only lists what differs
BUILT_IN: dict[str, dict[str, str]] = {
    "channel": {
        "e-mail": "email",
        "mail": "email",
        "portal": "web",
        "web form": "web",
        "feedback widget": "web",
        "twitter": "social",
        "facebook": "social",
        "instagram": "social",
        "whatsapp": "messaging",
        "telegram": "messaging",
        "sms": "messaging",
        "voice": "phone",
        "call": "phone",
    },
    "priority": {"medium": "normal", "critical": "urgent"},
    "status": {
        "resolved": "solved",
        "hold": "on_hold",
        "waiting on customer": "pending",
        "waiting on third party": "on_hold",
        "reopened": "open",
    },
}


@dataclasses.dataclass(frozen=True)
class Common:
    """The settings every mapping file shares."""

    path: Path
    source: str | None = None
    timezone: str | None = None
    timestamp_format: str | None = None
    delimiter: str | None = None
    #: values that mean "no value" in the user's file, e.g. ``?`` or ``NULL``
    null_values: tuple[str, ...] = ()

    def nulled(self, values: pa.Array) -> pa.Array:
        """Trimmed text with the declared null markers (and blanks, already) as null."""
        if not self.null_values:
            return values
        marked = pc.is_in(values, value_set=pa.array(self.null_values, pa.string()))
        return pc.if_else(marked, pa.scalar(None, pa.string()), values)

    def settings(self) -> dict[str, Any]:
        """These settings as keyword arguments (for a mapping that extends them)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(Common)}

    def declare_format(self) -> str:
        """How to declare a timestamp format, for messages (``{fmt}``: the format)."""
        return f'timestamp_format = "{{fmt}}" in {self.path.name}'


def resolve_columns(
    path: Path, columns: Mapping[str, str], header: list[str], data: Path
) -> dict[str, str]:
    """Map each configured key to the file's actual column name.

    Names must match the header; a match that differs only in case or blanks is
    accepted when it is the only one.
    """
    out = {}
    for key, wanted in columns.items():
        if wanted in header:
            out[key] = wanted
            continue
        loose = [h for h in header if h.strip().lower() == wanted.strip().lower()]
        if len(loose) != 1:
            shown = ", ".join(header[:30]) + (" …" if len(header) > 30 else "")
            raise MappingError(
                path,
                f"[columns] {key} = {wanted!r}: {data.name} has no such column; its "
                f"columns are: {shown}. Write the name exactly as in the header",
            )
        out[key] = loose[0]
    return out


@dataclasses.dataclass(frozen=True)
class SummaryMapping(Common):
    tags_separator: str | None = None
    columns: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: lower-case user value → canonical value, per column (built-ins included)
    values: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    survey: str = "csat"
    scale_min: int = 1
    scale_max: int = 5

    def resolve(self, header: list[str], data: Path) -> dict[str, str]:
        """Map each configured key to the file's actual column name."""
        return resolve_columns(self.path, self.columns, header, data)


def load_mapping(path: Path | None) -> SummaryMapping:
    if path is None:
        raise MappingError(
            "summary",
            "the ticket-summary format needs a mapping file: pass --mapping FILE "
            "(examples: examples/summary/*.toml and docs/formats.md)",
        )
    data = read_toml(path)
    common = read_common(path, data, "summary")  # first: a mapping of another format
    known_keys(path, "", data, TOP)
    columns = columns_of(path, data, COLUMNS, REQUIRED)
    values = table_of(path, data, "values")
    known_keys(path, "[values.X] ", values, tuple(VALUE_TABLES))
    merged: dict[str, dict[str, str]] = {k: dict(v) for k, v in BUILT_IN.items()}
    for column, table in values.items():
        if not isinstance(table, dict):
            raise MappingError(path, f"values.{column} must be a table: [values.{column}]")
        merged.setdefault(column, {}).update(value_table(path, column, table))
    satisfaction = table_of(path, data, "satisfaction")
    known_keys(path, "[satisfaction] ", satisfaction, SATISFACTION)
    survey = satisfaction.get("survey", "csat")
    if survey not in SURVEYS:
        raise MappingError(
            path, f"[satisfaction] survey = {survey!r}: use one of {', '.join(SURVEYS)}"
        )
    low, high = satisfaction.get("scale_min", 1), satisfaction.get("scale_max", 5)
    for key, number in (("scale_min", low), ("scale_max", high)):
        if not isinstance(number, int) or isinstance(number, bool):
            raise MappingError(path, f"[satisfaction] {key} must be a whole number, not {number!r}")
    if low >= high:
        raise MappingError(
            path, f"[satisfaction] scale_min ({low}) must be below scale_max ({high})"
        )
    if "tags_separator" in data:
        text_of(path, "tags_separator", data["tags_separator"])
    return SummaryMapping(
        **common.settings(),
        tags_separator=data.get("tags_separator"),
        columns=columns,
        values=merged,
        survey=survey,
        scale_min=low,
        scale_max=high,
    )


def read_toml(path: Path) -> dict[str, Any]:
    """The mapping file as TOML data; a clear error when it cannot be read."""
    if not path.is_file():
        raise MappingError(path, "no such mapping file; check the path given to --mapping")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise MappingError(
            path, "the mapping file is not UTF-8 text; re-save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(path, f"not valid TOML ({exc}); fix the file") from None


def mapping_format(path: Path) -> str:
    """The format a mapping file describes: its ``format`` key, else ``summary``."""
    name = read_toml(path).get("format", "summary")
    if name not in MAPPED_FORMATS:
        raise MappingError(
            path, f"format = {name!r}: a mapping file describes one of {', '.join(MAPPED_FORMATS)}"
        )
    return str(name)


def read_common(path: Path, data: dict[str, Any], expected: str) -> Common:
    """Check and return the settings every mapping has; ``expected``: the format reading it."""
    named = data.get("format", expected)
    if named != expected:
        raise MappingError(
            path,
            f"format = {named!r}, but the file is being read as {expected!r}: use "
            f"--format {named} (or leave --format out), or fix the mapping",
        )
    fmt = data.get("timestamp_format")
    if fmt is not None and (not isinstance(fmt, str) or "%" not in fmt):
        raise MappingError(
            path,
            f'timestamp_format = {fmt!r}: write a strptime format such as "%d/%m/%Y %H:%M"',
        )
    zone = data.get("timezone")
    if zone is not None:
        try:
            check_zone(text_of(path, "timezone", zone), "timezone")
        except ConfigError:
            raise MappingError(
                path, f"timezone = {zone!r}: not an IANA time zone such as Asia/Tehran"
            ) from None
    for key in ("source", "delimiter"):
        if key in data:
            text_of(path, key, data[key])
    if len(data.get("delimiter", ",")) != 1:
        raise MappingError(path, 'delimiter must be one character, e.g. "," or ";"')
    nulls = data.get("null_values", [])
    if not isinstance(nulls, list) or not all(isinstance(v, str) and v.strip() for v in nulls):
        raise MappingError(
            path,
            f'null_values = {nulls!r}: write a list of the texts that mean "no value", '
            'e.g. ["?", "NULL", "-"] (empty fields are always null)',
        )
    return Common(
        path=path,
        source=data.get("source"),
        timezone=zone,
        timestamp_format=fmt,
        delimiter=data.get("delimiter"),
        null_values=tuple(v.strip() for v in nulls),
    )


def columns_of(
    path: Path, data: dict[str, Any], known: Mapping[str, str], required: tuple[str, ...]
) -> dict[str, Any]:
    """The ``[columns]`` table: only ``known`` keys (key → what the column holds), every
    ``required`` one, each naming a column."""
    columns = table_of(path, data, "columns")
    known_keys(path, "[columns] ", columns, tuple(known))
    for key in required:
        if key not in columns:
            raise MappingError(path, f"[columns] needs {key}: the column that holds {known[key]}")
    for key, name in columns.items():
        text_of(path, f"[columns] {key}", name)
    return columns


def table_of(path: Path, data: dict[str, Any], key: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise MappingError(path, f"{key} must be a table: write it as [{key}] with keys below it")
    return table


def known_keys(path: Path, where: str, table: dict[str, Any], known: tuple[str, ...]) -> None:
    for key in table:
        if key not in known:
            raise MappingError(
                path, f"{where}{key}: unknown key; known keys are {', '.join(known)}"
            )


def text_of(path: Path, key: str, value: object) -> str:
    # a separator may be a blank (Zendesk separates tags with spaces)
    blank_ok = key in ("delimiter", "tags_separator")
    if not isinstance(value, str) or not (value if blank_ok else value.strip()):
        raise MappingError(path, f"{key} must be a non-empty text in quotes, not {value!r}")
    return value


def value_table(path: Path, column: str, table: dict[str, Any]) -> dict[str, str]:
    """``[values.column]``: lower-case user value → canonical value, checked."""
    allowed = VALUE_TABLES[column]
    out = {}
    for raw, target in table.items():
        where = f"[values.{column}] {raw!r}"
        if allowed is None:  # satisfaction labels map to scores; "" means "not answered"
            if target != "" and (not isinstance(target, int | float) or isinstance(target, bool)):
                raise MappingError(
                    path,
                    f'{where} = {target!r}: write the score as a number, or "" for a '
                    "survey that was offered but not answered",
                )
            out[raw.strip().lower()] = str(target)
            continue
        if not isinstance(target, str) or target.strip().lower() not in allowed:
            raise MappingError(path, f"{where} = {target!r}: map it to one of {', '.join(allowed)}")
        out[raw.strip().lower()] = target.strip().lower()
    return out
