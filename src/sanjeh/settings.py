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


_WEB_MINIMUM = {"computations": 0, "queue": 0, "computations_per_user": 1}


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
