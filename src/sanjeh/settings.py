"""Settings: one typed object, read from (in order of precedence)

1. explicit arguments (CLI options, function parameters),
2. environment variables with the ``SANJEH_`` prefix (``SANJEH_DB``, ...),
3. an optional TOML file: ``$SANJEH_CONFIG`` or ``./sanjeh.toml``
   (top-level keys, the same names as the fields below),
4. the defaults below.

Nothing else in Sanjeh reads ``os.environ``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Any

from .errors import ConfigError

ENV_PREFIX = "SANJEH_"


@dataclasses.dataclass(frozen=True)
class Settings:
    #: where the data lives: a DuckDB file path, ``duckdb://path``, or ``postgresql://…``
    db: str = "sanjeh.duckdb"
    #: IANA zone assumed for timestamps that carry no offset in imported files
    timezone: str = "UTC"
    #: rows read and validated per chunk during import (memory stays bounded by it)
    chunk_rows: int = 200_000
    #: default interface language: fa, ar or en
    language: str = "en"
    #: memory the database engine of a DuckDB file store may use before it spills to
    #: disk (``"2GB"``, ``"512MB"``; docs/architecture.md, "Memory")
    memory: str = "2GB"
    #: the config file's tables, for the components that own them: ``calendars``,
    #: ``sla``, ``metrics`` (options), ``targets`` …
    sections: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)
    #: the config file that was read, if any
    config_file: str | None = None

    def section(self, name: str) -> dict[str, Any]:
        value = self.sections.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.config_file}: [{name}] must be a table")
        return value

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


_FIELD_TYPES: dict[str, type] = {"str": str, "int": int, "float": float}
LANGUAGES = ("fa", "ar", "en")
#: an amount of memory as DuckDB reads it
MEMORY_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B)", re.IGNORECASE)


def check_timezone(value: str, where: str) -> str:
    """``value`` if it names an IANA time zone, else a ConfigError saying what is valid."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: timezone {value!r} is not a time zone; use an IANA name such as "
            '"Asia/Tehran", "Asia/Riyadh", "Europe/Berlin" or "UTC"'
        ) from None
    return value


def _check(name: str, value: Any, where: str) -> Any:
    """Values a later step would fail on with a traceback (a zone Arrow cannot find …)."""
    if name == "timezone":
        return check_timezone(value, where)
    if name == "language" and value not in LANGUAGES:
        raise ConfigError(f"{where}: language must be one of {', '.join(LANGUAGES)}, not {value!r}")
    if name == "memory" and not MEMORY_RE.fullmatch(value.strip()):
        raise ConfigError(
            f'{where}: memory must be an amount such as "2GB" or "512MB", not {value!r}'
        )
    if name == "chunk_rows" and value < 1:
        raise ConfigError(f"{where}: chunk_rows must be a whole number ≥ 1, not {value}")
    return value


@dataclasses.dataclass(frozen=True)
class WebSettings:
    """``[web]`` in the config file: how much uncached work the dashboard takes on at
    once (docs/web.md, "Busy servers")."""

    #: uncached views computed at once; 0: half the cores, at least one
    computations: int = 0
    #: more requests that may wait for a turn (or for the same view); beyond: 503
    queue: int = 16
    #: uncached views one user (without logins: one client address) may have computing
    #: or waiting at once; beyond: 503
    computations_per_user: int = 2
    #: the largest file ``sanjeh import`` may send through the running server, in MB
    #: (MiB; beyond: 413; docs/live.md)
    max_import_mb: int = 1024
    #: the largest body a POST to the intake API (/api/tickets …) may have, in MB (MiB;
    #: beyond: 413)
    max_intake_mb: int = 8
    #: accepted intake rows that may wait to be written into the store; beyond, a POST
    #: gets 503 with Retry-After (memory stays bounded when the store is slow)
    intake_queue_rows: int = 50_000


_WEB_MINIMUM = {
    "computations": 0,
    "queue": 0,
    "computations_per_user": 1,
    "max_import_mb": 1,
    "max_intake_mb": 1,
    "intake_queue_rows": 1,
}


def web_settings(settings: Settings) -> WebSettings:
    """The ``[web]`` table, checked: a ConfigError names the key and what it may be."""
    where = f"{settings.config_file}: [web]"
    values: dict[str, int] = {}
    for key, raw in settings.section("web").items():
        if key not in _WEB_MINIMUM:
            raise ConfigError(f"{where}: unknown key {key!r}; known: {', '.join(_WEB_MINIMUM)}")
        least = _WEB_MINIMUM[key]
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < least:
            raise ConfigError(f"{where}: {key} must be a whole number ≥ {least}, not {raw!r}")
        values[key] = raw
    return WebSettings(**values)


def _coerce(field: dataclasses.Field[Any], raw: Any, origin: str) -> Any:
    kind = _FIELD_TYPES[str(field.type)]
    if kind is int and isinstance(raw, float | bool):  # int(2.5) would quietly give 2
        raw = str(raw)
    try:
        value = kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{origin}: {field.name} must be {kind.__name__}, got {raw!r}; fix the value"
        ) from exc
    return _check(field.name, value, origin)


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from defaults, the config file, the environment and overrides."""
    env = dict(os.environ if environ is None else environ)
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    sections: dict[str, Any] = {}

    config_path = env.get(f"{ENV_PREFIX}CONFIG")
    path = Path(config_path) if config_path else Path("sanjeh.toml")
    if config_path and not path.is_file():
        raise ConfigError(f"{ENV_PREFIX}CONFIG points to {path}, which does not exist")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file") from exc
        for key, raw in data.items():
            if key in fields:
                values[key] = _coerce(fields[key], raw, str(path))
            elif isinstance(raw, dict | list):  # tables belong to other components
                sections[key] = raw
            else:
                known = ", ".join(f for f in fields if f not in ("sections", "config_file"))
                raise ConfigError(f"{path}: unknown setting {key!r}; known: {known}")
        values["config_file"] = str(path)

    for name, field in fields.items():
        if name in ("sections", "config_file"):
            continue
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _coerce(field, raw, ENV_PREFIX + name.upper())

    given = {k: v for k, v in overrides.items() if v is not None}
    unknown = set(given) - set(fields)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    values.update({k: _check(k, v, k) for k, v in given.items()})
    return Settings(**values, sections=sections)


@dataclasses.dataclass(frozen=True)
class ImportSettings:
    """``[import]`` in the config file (docs/formats.md, "Times that cannot be")."""

    #: how far after the import's own clock an imported time may lie (clocks a little
    #: ahead, a zone a little off); later times are rejected row by row
    future_tolerance: dt.timedelta = dt.timedelta(days=1)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration_seconds(value: Any) -> float | None:
    """``"4h"`` → 14400.0, ``90`` → 90.0 (plain numbers are seconds); None for anything
    that is not a duration (the caller's error names its key)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(str(value))
    return None if match is None else float(match.group(1)) * _SECONDS[match.group(2)]


#: a tolerance beyond this is no check at all (times after 2200 are rejected anyway)
_MAX_TOLERANCE = dt.timedelta(days=36_500)


def import_settings(settings: Settings) -> ImportSettings:
    """The ``[import]`` table, checked: a ConfigError names the key and what it may be."""
    where = f"{settings.config_file}: [import]"
    values: dict[str, Any] = {}
    for key, raw in settings.section("import").items():
        if key != "future_tolerance":
            raise ConfigError(f"{where}: unknown key {key!r}; known: future_tolerance")
        seconds = duration_seconds(raw)
        if seconds is None or not 0 <= seconds < math.inf:
            raise ConfigError(
                f"{where}: future_tolerance must be a duration such as 90s, 30m, 12h or 1d "
                f"(a number alone: seconds), not {raw!r}"
            )
        values[key] = dt.timedelta(seconds=min(seconds, _MAX_TOLERANCE.total_seconds()))
    return ImportSettings(**values)


# --- [surveys]: how survey KPIs protect anonymity and warn (docs/surveys.md) ---------


@dataclasses.dataclass(frozen=True)
class SurveySettings:
    """``[surveys]`` in the config file: the keys the KPI engine reads."""

    #: an anonymous KPI (eNPS, pulse) shows no value for a group (a team, a period, the
    #: total …) of fewer answers than this: a small group's answers could be told apart
    min_group: int = 5
    #: a CSAT figure resting on fewer answers than this carries a warning
    min_answers: int = 30
    #: … and one whose invitations were answered less often than this (a share)
    min_response_rate: float = 0.10


#: [surveys] keys that sanjeh.surveys reads and checks (list them here so that a typo in
#: any other key is still an error)
SURVEY_KEYS_ELSEWHERE: tuple[str, ...] = ()


def survey_settings(settings: Settings) -> SurveySettings:
    """The ``[surveys]`` table's KPI keys, checked: a ConfigError names the key."""
    where = f"{settings.config_file}: [surveys]"
    ours = {f.name for f in dataclasses.fields(SurveySettings)}
    values: dict[str, Any] = {}
    for key, raw in settings.section("surveys").items():
        if key in SURVEY_KEYS_ELSEWHERE:
            continue
        if key not in ours:
            known = ", ".join(sorted(ours | set(SURVEY_KEYS_ELSEWHERE)))
            raise ConfigError(f"{where}: unknown key {key!r}; known: {known}")
        if key == "min_response_rate":
            ok = isinstance(raw, int | float) and not isinstance(raw, bool) and 0 <= raw <= 1
            if not ok:
                raise ConfigError(
                    f"{where}: min_response_rate must be a share from 0 to 1 (0.1 = 10 %), "
                    f"not {raw!r}"
                )
            values[key] = float(raw)
        else:
            least = 1 if key == "min_group" else 0
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < least:
                raise ConfigError(f"{where}: {key} must be a whole number ≥ {least}, not {raw!r}")
            values[key] = raw
    return SurveySettings(**values)


# --- [[schedules]]: reports the server runs on a timetable (docs/live.md) -------------

SCHEDULE_FORMATS = ("csv", "xlsx", "json", "html")
SCHEDULE_PERIODS = ("day", "week", "month")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: the period a schedule reports when it names none: the one its timetable repeats
_EVERY_PERIOD = {"daily": "day", "weekly": "week", "monthly": "month"}
_EVERY_HINT = '"daily 07:00", "weekly sat 07:00" or "monthly 1 07:00"'
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
#: names become file names (``<name>-<period>.csv``): letters, digits, _ . -
_SCHEDULE_NAME = re.compile(r"^\w[\w.-]{0,63}$")
_SCHEDULE_KEYS = (
    *("name", "every", "period", "kpis", "by", "format", "folder", "webhook", "lang"),
    *("timeout", "hours"),
)


@dataclasses.dataclass(frozen=True)
class Every:
    """When a schedule runs, in the business calendar's local time."""

    kind: str  # daily | weekly | monthly
    at: dt.time
    #: weekly: 0 = Monday … 6 = Sunday
    weekday: int | None = None
    #: monthly: 1–31; a month without that day runs on its last day
    day: int | None = None

    def __str__(self) -> str:
        at = self.at.strftime("%H:%M")
        if self.weekday is not None:
            return f"{self.kind} {WEEKDAYS[self.weekday][:3]} {at}"
        return f"{self.kind} {self.day} {at}" if self.day is not None else f"{self.kind} {at}"


def parse_every(text: Any, where: str) -> Every:
    """``"daily 07:00"``, ``"weekly sat 07:00"``, ``"monthly 1 07:00"`` → :class:`Every`."""
    parts = text.lower().split() if isinstance(text, str) else []
    shapes = {"daily": 2, "weekly": 3, "monthly": 3}
    clock = _CLOCK.match(parts[-1]) if parts else None
    if not parts or shapes.get(parts[0]) != len(parts) or clock is None:
        raise ConfigError(f"{where}: every must look like {_EVERY_HINT}, not {text!r}")
    hour, minute = int(clock.group(1)), int(clock.group(2))
    if hour > 23 or minute > 59:
        raise ConfigError(f"{where}: every {text!r}: the time must be 00:00–23:59")
    at = dt.time(hour, minute)
    if parts[0] == "daily":
        return Every("daily", at)
    if parts[0] == "weekly":
        days = [i for i, d in enumerate(WEEKDAYS) if len(parts[1]) >= 3 and d.startswith(parts[1])]
        if not days:
            raise ConfigError(
                f"{where}: every {text!r}: {parts[1]!r} is not a weekday; use sat, sun, mon, "
                "tue, wed, thu or fri"
            )
        return Every("weekly", at, weekday=days[0])
    if not parts[1].isdigit() or not 1 <= int(parts[1]) <= 31:
        raise ConfigError(
            f"{where}: every {text!r}: the day of the month must be 1–31 (a month without "
            "that day runs on its last day)"
        )
    return Every("monthly", at, day=int(parts[1]))


@dataclasses.dataclass(frozen=True)
class ScheduleSettings:
    """One ``[[schedules]]`` table: a report run on a timetable (docs/live.md)."""

    name: str
    every: Every
    #: the closed period each run reports: day, week or month
    period: str
    #: KPI names; empty: every KPI (what ``sanjeh report`` shows without ``--kpi``)
    kpis: tuple[str, ...] = ()
    #: breakdowns (team, agent, channel …)
    by: tuple[str, ...] = ()
    format: str = "csv"
    #: where ``<name>-<period>.<format>`` is written (a relative folder: from the
    #: config file's folder)
    folder: Path | None = None
    #: an http(s) URL the file is POSTed to
    webhook: str | None = None
    lang: str = "en"
    #: seconds the webhook may take to answer
    timeout: float = 30.0
    hours: str = "business"


def _texts(value: Any, key: str, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise ConfigError(f"{where}: {key} must be a name or a list of names, not {value!r}")
    return tuple(items)


def choice(value: Any, key: str, choices: tuple[str, ...], where: str) -> str:
    """``value`` when it is one of ``choices``; else a ConfigError naming ``key``."""
    if value not in choices:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


_choice = choice

# --- [[name]] arrays of named tables: schedules, alerts, experiments -----------------------

#: a rule's / schedule's / experiment's name: it keys stored rows
NAME_PATTERN = re.compile(r"^\w[\w.-]{0,63}$")


def array_of_tables(settings: Settings, section: str) -> tuple[str, list[Any]]:
    """(the config file's name, the ``[[section]]`` entries), checked to be an array."""
    file = settings.config_file or "sanjeh.toml"
    raw = settings.sections.get(section, [])
    if not isinstance(raw, list):
        raise ConfigError(f"{file}: {section} must be an array of tables: [[{section}]]")
    return file, raw


def named_entry(
    raw: Any, where: str, section: str, keys: tuple[str, ...], keyed: str, example: str = ""
) -> tuple[str, str]:
    """One ``[[section]]`` entry's (name, where it is): a table, a valid name (``keyed``:
    what the name keys), known keys only."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each [[{section}]] entry must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ConfigError(
            f"{where}: name must be letters, digits, _ . - (up to 64; it keys {keyed}), "
            f"not {name!r}{example}"
        )
    where = f"{where.rsplit(' #', 1)[0]} {name!r}"
    unknown = [k for k in raw if k not in keys]
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(keys)}")
    return name, where


def unique_names(file: str, section: str, names: list[str]) -> None:
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{file}: [[{section}]] {twice[0]!r} is declared twice; names are unique")


def webhook_url(value: Any, where: str) -> str:
    """A webhook setting: an http(s) URL with a host (``where`` names the setting)."""
    from urllib.parse import urlsplit

    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        shown = f"{parts.scheme}://…" if parts is not None and parts.scheme else repr(value)
        raise ConfigError(f"{where}: webhook must be an http:// or https:// URL, not {shown}")
    return str(value)


def _timeout(value: Any, where: str) -> float:
    seconds = duration_seconds(value)
    if seconds is None or not 0 < seconds <= 600:
        raise ConfigError(
            f"{where}: timeout must be a duration from 1s to 10m (a number alone: seconds), "
            f"not {value!r}"
        )
    return seconds


def _schedule(raw: Any, file: str, index: int, base: Path, language: str) -> ScheduleSettings:
    where = f"{file}: [[schedules]] #{index}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each [[schedules]] entry must be a table")
    unknown = [k for k in raw if k not in _SCHEDULE_KEYS]
    if unknown:
        known = ", ".join(_SCHEDULE_KEYS)
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known: {known}")
    name = raw.get("name")
    if not isinstance(name, str) or not _SCHEDULE_NAME.match(name):
        raise ConfigError(
            f"{where}: name must be letters, digits, _ . - (up to 64; it names the files), "
            f"not {name!r}"
        )
    where = f"{file}: [[schedules]] {name!r}"
    if "every" not in raw:
        raise ConfigError(f'{where}: every is missing; e.g. every = "daily 07:00"')
    every = parse_every(raw["every"], where)
    folder, webhook = raw.get("folder"), raw.get("webhook")
    if folder is None and webhook is None:
        raise ConfigError(f"{where}: give a folder, a webhook or both (where the report goes)")
    if folder is not None and (not isinstance(folder, str) or not folder.strip()):
        raise ConfigError(f"{where}: folder must be a path, not {folder!r}")
    return ScheduleSettings(
        name=name,
        every=every,
        period=_choice(
            raw.get("period", _EVERY_PERIOD[every.kind]), "period", SCHEDULE_PERIODS, where
        ),
        kpis=_texts(raw.get("kpis", []), "kpis", where),
        by=_texts(raw.get("by", []), "by", where),
        format=_choice(raw.get("format", "csv"), "format", SCHEDULE_FORMATS, where),
        folder=None if folder is None else base / Path(folder).expanduser(),
        webhook=None if webhook is None else webhook_url(webhook, where),
        lang=_choice(raw.get("lang", language), "lang", LANGUAGES, where),
        timeout=_timeout(raw.get("timeout", 30), where),
        hours=_choice(raw.get("hours", "business"), "hours", ("business", "calendar"), where),
    )


def schedule_settings(settings: Settings) -> tuple[ScheduleSettings, ...]:
    """The ``[[schedules]]`` tables, checked: a ConfigError names the file, the schedule
    and the key. (KPI and breakdown names are checked by ``sanjeh.report``, which knows
    them.)"""
    file, raw = array_of_tables(settings, "schedules")
    base = Path(settings.config_file).resolve().parent if settings.config_file else Path.cwd()
    found = tuple(
        _schedule(item, file, i, base, settings.language) for i, item in enumerate(raw, start=1)
    )
    unique_names(file, "schedules", [s.name for s in found])
    return found


# --- [webhooks.<helpdesk>]: helpdesks that post their events to the server (docs/live.md)

#: the helpdesks ``POST /webhooks/{helpdesk}`` receives (sanjeh.ingest.webhooks has one
#: module each; tests/ingest/test_webhooks.py checks the two lists agree)
WEBHOOK_HELPDESKS = ("zendesk", "freshdesk", "chatwoot", "intercom")
#: a shorter shared secret is guessable; the helpdesks' own secrets are longer
_MIN_SECRET = 16


def webhook_secrets(settings: Settings) -> dict[str, str]:
    """``[webhooks.<helpdesk>] secret = "…"``, checked: helpdesk → its webhook secret
    (a helpdesk without one is not received: its route answers 404)."""
    where = f"{settings.config_file}: [webhooks"
    found: dict[str, str] = {}
    for name, table in settings.section("webhooks").items():
        if name not in WEBHOOK_HELPDESKS:
            raise ConfigError(
                f"{where}.{name}]: not a helpdesk Sanjeh receives webhooks from; it receives "
                f"{', '.join(WEBHOOK_HELPDESKS)}"
            )
        if not isinstance(table, dict) or set(table) - {"secret"}:
            raise ConfigError(f'{where}.{name}] must hold one key: secret = "…"')
        secret = table.get("secret")
        if not isinstance(secret, str) or len(secret.strip()) < _MIN_SECRET:
            raise ConfigError(
                f"{where}.{name}]: secret must be the helpdesk's webhook secret, at least "
                f'{_MIN_SECRET} characters (for a secret of your own: python -c "import '
                'secrets; print(secrets.token_urlsafe(32))")'
            )
        found[name] = secret.strip()
    return found
