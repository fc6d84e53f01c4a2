"""Public holidays (from the ``holidays`` package) plus a calendar's own extra dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import holidays as holidays_pkg

from ..errors import ConfigError


def parse_codes(codes: Iterable[Any] | str, where: str) -> tuple[str, ...]:
    """``["ir", "US-CA"]`` → ``("IR", "US-CA")``, each checked against the holidays package."""
    if isinstance(codes, str):
        codes = [codes]
    out = []
    for i, code in enumerate(codes):
        if not isinstance(code, str) or not code.strip():
            raise ConfigError(
                f'{where}: holidays[{i}]: {code!r} is not a country code; write e.g. "IR" '
                'or "US-CA" (country-subdivision)'
            )
        code = code.strip().upper()
        _country(code, f"{where}: holidays[{i}]")  # fail now, not at the first lookup
        out.append(code)
    return tuple(dict.fromkeys(out))


def parse_dates(values: Iterable[Any], where: str) -> frozenset[date]:
    """Extra holidays as ``date`` objects or ``"YYYY-MM-DD"`` strings."""
    if isinstance(values, str):
        values = [values]
    out = set()
    for i, value in enumerate(values):
        if isinstance(value, date) and not isinstance(value, datetime):
            out.add(value)
            continue
        try:
            out.add(date.fromisoformat(value.strip()))
        except (AttributeError, TypeError, ValueError):
            raise ConfigError(
                f"{where}: extra_holidays[{i}]: {value!r} is not a date; write it as YYYY-MM-DD"
            ) from None
    return frozenset(out)


def _country(code: str, where: str) -> holidays_pkg.HolidayBase:
    country, _, subdiv = code.partition("-")
    try:
        return holidays_pkg.country_holidays(country, subdiv=subdiv or None)
    except NotImplementedError as exc:
        raise ConfigError(
            f"{where}: unknown country or subdivision {code!r} ({exc}); use a code the "
            '`holidays` package knows, e.g. "IR", "SA", "AE", "EG" or "US-CA"'
        ) from None


class HolidayDates:
    """Answers "is this local date a holiday?" quickly (years are expanded lazily)."""

    def __init__(self, codes: tuple[str, ...], extra: frozenset[date]) -> None:
        self._sources = [_country(code, code) for code in codes]
        self._extra = extra
        self._cache: dict[date, bool] = {}

    def __contains__(self, day: date) -> bool:
        found = self._cache.get(day)
        if found is None:
            found = day in self._extra or any(day in source for source in self._sources)
            self._cache[day] = found
        return found

    def name(self, day: date) -> str | None:
        """The holiday's name (``"extra holiday"`` for a custom date), or None."""
        names = [source.get(day) for source in self._sources]
        found = "; ".join(dict.fromkeys(n for n in names if n))
        if day in self._extra:
            return found or "extra holiday"
        return found or None
