"""Interface language, calendar and digits: text from the catalogues, numbers and dates.

UI text lives in ``locales/<lang>.json`` (flat ``"area.key": "text"`` maps), never in
templates. Numbers are formatted by the report module (the same rounding as the CLI)
and then written with the chosen digits and the language's unit names; dates go
through ``sanjeh.calendar`` in the chosen calendar.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal, get_args

from ..calendar import format_date, format_datetime, localize_digits
from ..calendar._names import MONTHS, WEEKDAYS
from ..report._format import format_change, format_value

Lang = Literal["fa", "ar", "en"]
Calendar = Literal["gregorian", "jalali", "hijri"]
Digits = Literal["latin", "persian", "arabic"]
LANGS: tuple[str, ...] = get_args(Lang)
CALENDARS: tuple[str, ...] = get_args(Calendar)
DIGITS: tuple[str, ...] = get_args(Digits)
RTL = frozenset({"fa", "ar"})
#: what a reader of each language expects when the URL says nothing
DEFAULT_CALENDAR: dict[str, Calendar] = {"fa": "jalali", "ar": "hijri", "en": "gregorian"}
DEFAULT_DIGITS: dict[str, Digits] = {"fa": "persian", "ar": "arabic", "en": "latin"}
#: the first day of the week people of each calendar expect (Iran: Saturday; Gulf: Sunday)
WEEK_START = {"jalali": "saturday", "hijri": "sunday", "gregorian": "monday"}
_WEEKDAY_INDEX = {"monday": 0, "saturday": 5, "sunday": 6}
_DURATION_PART = re.compile(r"(\d+)([dhms])\b")
#: a negative number: isolated left-to-right (U+2066 … U+2069) so the sign stays in front
_SIGNED = re.compile(r"[-−]\d[\d.,]*%?")


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """The UI texts of one language (read once from the package).

    ``locales/<lang>.json`` holds the dashboard's texts; each part of the app with
    texts of its own (e.g. ``locales/qa/``) keeps them in a folder beside it.
    """
    root = resources.files("sanjeh.web").joinpath("locales")
    data: dict[str, str] = json.loads(root.joinpath(f"{lang}.json").read_text("utf-8"))
    for part in sorted(root.iterdir(), key=lambda p: p.name):
        extra = part.joinpath(f"{lang}.json")
        if part.is_dir() and extra.is_file():
            data.update(json.loads(extra.read_text("utf-8")))
    return data


@dataclasses.dataclass(frozen=True)
class Locale:
    """How one request shows things: language, calendar and digits."""

    lang: Lang = "en"
    calendar: Calendar = "gregorian"
    digits: Digits = "latin"

    @classmethod
    def of(cls, lang: str, calendar: str | None = None, digits: str | None = None) -> Locale:
        code: Lang = lang if lang in LANGS else "en"  # type: ignore[assignment]
        cal = calendar if calendar in CALENDARS else DEFAULT_CALENDAR[code]
        dig = digits if digits in DIGITS else DEFAULT_DIGITS[code]
        return cls(code, cal, dig)  # type: ignore[arg-type]

    @property
    def rtl(self) -> bool:
        return self.lang in RTL

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def week_start(self) -> str:
        return WEEK_START[self.calendar]

    def weekdays(self) -> list[tuple[int, str]]:
        """(Monday-based index, name) in the order this calendar's week runs."""
        first = _WEEKDAY_INDEX[self.week_start]
        return [((first + i) % 7, WEEKDAYS[self.lang][(first + i) % 7]) for i in range(7)]

    def month_names(self) -> list[str]:
        return list(MONTHS[self.calendar][self.lang])

    # -- text ---------------------------------------------------------------------------

    def t(self, key: str, **values: Any) -> str:
        """The text of ``key`` in this language (English, then the key, as fallbacks)."""
        text = catalogue(self.lang).get(key) or catalogue("en").get(key) or key
        if values:
            text = text.format(**{k: self._arg(v) for k, v in values.items()})
        return text

    def label(self, group: str, value: object) -> str:
        """A translated name for a stored value (channel, priority …), else the value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        key = f"{group}.{value}"
        return catalogue(self.lang).get(key) or catalogue("en").get(key) or str(value)

    def _arg(self, value: Any) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return self.number(f"{value:,}")
        return str(value)

    # -- numbers ------------------------------------------------------------------------

    def number(self, text: str) -> str:
        """Digits and separators of ``text`` in the chosen digit set."""
        if self.rtl:  # keep a minus sign before its number on right-to-left pages
            text = _SIGNED.sub("\u2066\\g<0>\u2069", text)
        if self.digits == "latin":
            return text
        text = text.replace(",", "\u066c").replace(".", "\u066b").replace("%", "\u066a")
        return localize_digits(text, self.digits)

    def integer(self, value: float | None) -> str:
        if value is None or math.isnan(value):
            return "—"
        return self.number(f"{value:,.0f}")

    def value(self, unit: str, value: float | None) -> str:
        """A KPI value as the CLI shows it, in this language's digits and unit names."""
        return self.number(self._units(format_value(unit, value)))

    def duration_short(self, seconds: float) -> str:
        """A round duration in its largest whole unit: 0, 5m, 2h, 3d (axis labels)."""
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds >= size and seconds % size == 0:
                amount = int(seconds // size)
                text = (
                    f"{amount}{unit}" if self.lang == "en" else f"{amount} {self.t('unit.' + unit)}"
                )
                return self.number(text)
        return self.number(f"{seconds:g}")

    def change(self, unit: str, change: float | None) -> str:
        text = format_change(unit, change).replace(" pt", " " + self.t("unit.pt"))
        return self.number(self._units(text))

    def _units(self, text: str) -> str:
        if self.lang == "en":
            return text

        def word(m: re.Match[str]) -> str:
            return f"{int(m.group(1))} {self.t('unit.' + m.group(2))}"

        # "1d 00h" reads "1 روز" (the CLI's fixed width matters less than plain words)
        text = re.sub(r"\s+00?[hms]\b", "", text)
        return _DURATION_PART.sub(word, text)

    # -- dates --------------------------------------------------------------------------

    def date(self, value: dt.date | dt.datetime | None, *, numeric: bool = False) -> str:
        if value is None:
            return "—"
        return format_date(
            value,
            self.calendar,
            self.lang,
            digits=self.digits,
            style="numeric" if numeric else "long",
        )

    def datetime(self, value: dt.datetime | None, timezone: str) -> str:
        if value is None:
            return "—"
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return format_datetime(
            value, self.calendar, self.lang, timezone=timezone, digits=self.digits
        )

    def short_date(self, value: dt.date | dt.datetime) -> str:
        """Day and month only (chart axes): "12 Mordad", "۱۲ مرداد"."""
        full = format_date(value, self.calendar, self.lang, digits=self.digits)
        return full.rsplit(" ", 1)[0]

    def period_label(self, period: str, start: dt.datetime, key: str | None = None) -> str:
        """A chart label for the period starting at ``start`` (naive local time)."""
        if period == "hour":
            clock = self.number(start.strftime("%H:00"))
            return f"{self.short_date(start)} {clock}"
        if period in ("day", "week"):
            return self.short_date(start)
        # months are labelled in their own calendar, whatever the display calendar
        assert key is not None
        year, month = (int(p) for p in key.split("-"))
        system = {"month": "gregorian", "jalali_month": "jalali", "hijri_month": "hijri"}[period]
        return self.number(f"{MONTHS[system][self.lang][month - 1]} {year}")


def browser_language(headers: Mapping[str, str]) -> str | None:
    """The first of fa / ar / en the browser asks for (Accept-Language), by weight."""
    asked: list[tuple[float, int, str]] = []
    for i, part in enumerate(headers.get("accept-language", "").split(",")[:20]):
        tag, _, weight = part.strip().partition(";q=")
        try:
            q = float(weight) if weight else 1.0
        except ValueError:
            continue
        code = tag.split("-")[0].lower()
        if code in LANGS and q > 0:
            asked.append((-q, i, code))
    return min(asked)[2] if asked else None
