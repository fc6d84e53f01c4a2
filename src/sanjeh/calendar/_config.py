"""Named calendars from ``[calendars.<name>]`` tables of a TOML file (``sanjeh.toml``).

[calendars.tehran]
timezone = "Asia/Tehran"
weekly = { sat = [["08:00", "16:00"]], sun = [["08:00", "16:00"]] }
holidays = ["IR"]
extra_holidays = ["2026-03-25"]

[calendars.riyadh]
preset = "gulf"          # start from a preset, then override fields
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ._calendar import BusinessCalendar
from ._presets import preset_fields

FIELDS = ("preset", "timezone", "weekly", "holidays", "extra_holidays")


def calendars_from_mapping(
    tables: Mapping[str, Any], origin: str = "config"
) -> dict[str, BusinessCalendar]:
    """Build calendars from the parsed ``calendars`` table: ``{name: {field: value}}``."""
    if not isinstance(tables, Mapping):
        raise ConfigError(f"{origin}: calendars must be a table of [calendars.<name>] tables")
    out = {}
    for name, table in tables.items():
        where = f"{origin}: [calendars.{name}]"
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where} must be a table with timezone, weekly and holidays")
        unknown = sorted(set(table) - set(FIELDS))
        if unknown:
            raise ConfigError(
                f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}"
            )
        fields: dict[str, Any] = {}
        if "preset" in table:
            try:
                fields = preset_fields(table["preset"])
            except ConfigError as exc:
                raise ConfigError(f"{where}: preset: {exc}") from None
        fields.update({k: v for k, v in table.items() if k != "preset"})
        for required in ("timezone", "weekly"):
            if required not in fields:
                raise ConfigError(
                    f'{where}: {required} is missing; add it (e.g. timezone = "Asia/Tehran", '
                    'weekly = { sat = [["08:00", "16:00"]] }) or start from a preset = "iran"'
                )
        try:
            out[name] = BusinessCalendar(name=name, **fields)
        except ConfigError as exc:
            raise ConfigError(f"{origin}: {exc}") from None
    return out


def load_calendars(path: str | Path) -> dict[str, BusinessCalendar]:
    """The named calendars of a TOML file (``{}`` when it has no ``[calendars]`` table)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"calendar config {path} does not exist; check the path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file") from None
    return calendars_from_mapping(data.get("calendars", {}), str(path))
