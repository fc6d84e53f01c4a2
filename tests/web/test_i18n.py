"""Interface text comes from complete catalogues; numbers and dates follow the locale."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import sanjeh.web
from sanjeh.web._i18n import LANGS, Locale, catalogue

WEB = Path(sanjeh.web.__file__).parent
#: keys built at run time as "<group>.<value>": every value the code can produce
DYNAMIC = {
    "page": [
        "overview",
        "responsiveness",
        "resolution",
        "volume",
        "satisfaction",
        "agents",
        "customers",
        "scorecard",
        "timeline",
    ],
    "lang": list(LANGS),
    "calendar": ["jalali", "hijri", "gregorian"],
    "digits": ["persian", "arabic", "latin"],
    "filter": ["team", "agent", "channel", "priority", "tag", "language"],
    "hours": ["business", "calendar"],
    "period": ["auto", "day", "week", "month"],
    "status": ["met", "missed"],
    "unit": ["d", "h", "m", "s", "minutes", "hours", "days"],
    "table": ["agents", "teams"],
    "timeline": [
        "ticket",
        "message",
        "note",
        "status",
        "escalate",
        "handoff",
        "merge",
        "call",
        "survey",
    ],
    "actor": ["customer", "agent", "bot", "system"],
    "chart": [
        "tickets_created_by_channel",
        "tickets_solved_by_channel",
        "backlog_by_channel",
        "csat_answers",
        "ces_answers",
        "nps_answers",
    ],
}


def _used_keys() -> set[str]:
    """Literal keys in templates (t("…")) and Python (t("…"), .t("…"))."""
    found: set[str] = set()
    for path in [*WEB.rglob("templates/**/*.html"), *WEB.rglob("*.py")]:
        text = path.read_text("utf-8")
        found |= set(re.findall(r"\bt\(\s*[\"']([a-z_]+\.[a-z0-9_]+)[\"']", text))
    return found | {f"{group}.{v}" for group, values in DYNAMIC.items() for v in values}


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_the_interface_uses_is_in_each_catalogue(lang: str) -> None:
    missing = sorted(_used_keys() - set(catalogue(lang)))
    assert not missing, f"{lang}.json lacks {missing}"


def test_catalogues_have_the_same_keys_and_no_empty_text() -> None:
    keys = {lang: set(catalogue(lang)) for lang in LANGS}
    assert keys["fa"] == keys["en"] == keys["ar"]
    assert all(text.strip() for lang in LANGS for text in catalogue(lang).values())


def test_templates_hold_no_interface_text() -> None:
    """Words between tags in templates are Jinja expressions, never literal prose."""
    for path in WEB.rglob("templates/**/*.html"):
        text = re.sub(
            r"\{\{.*?\}\}|\{%.*?%\}|<script.*?</script>|<[^>]+>", " ", path.read_text(), flags=re.S
        )
        words = re.findall(r"[A-Za-z\u0600-\u06ff]{3,}", text)
        assert set(words) <= {"CSV", "XLSX"}, (path, words)  # format names only


def test_values_in_each_language() -> None:
    fa, ar, en = Locale.of("fa"), Locale.of("ar"), Locale.of("en")
    assert en.value("seconds", 3725) == "1h 02m"  # the CLI's formatting
    assert fa.value("seconds", 3725) == "۱ ساعت ۲ دقیقه"
    assert ar.value("seconds", 90) == "١ دقيقة ٣٠ ثانية"
    assert fa.value("ratio", 0.742) == "۷۴٫۲٪"
    assert fa.value("count", 12345) == "۱۲٬۳۴۵"
    assert Locale.of("fa", digits="latin").value("ratio", 0.742) == "74.2%"
    assert fa.change("ratio", -0.011) == "▼ ۱٫۱ واحد درصد"
    assert en.value("seconds", None) == "—"
    # right to left, a minus sign is kept in front of its number by an LTR isolate
    assert fa.value("score", -21.43) == "\u2066-۲۱٫۴۳\u2069"
    assert en.value("score", -21.43) == "-21.43"


def test_dates_in_each_calendar() -> None:
    day = dt.date(2025, 3, 21)
    assert Locale.of("fa").date(day) == "۱ فروردین ۱۴۰۴"
    assert Locale.of("en", "jalali").date(day) == "1 Farvardin 1404"
    assert Locale.of("ar").date(dt.date(2025, 3, 1)) == "١ رمضان ١٤٤٦"
    assert Locale.of("en").date(day) == "21 March 2025"
    moment = dt.datetime(2025, 3, 21, 4, 30, tzinfo=dt.UTC)
    assert Locale.of("fa").datetime(moment, "Asia/Tehran") == "۱ فروردین ۱۴۰۴ ۰۸:۰۰"


def test_direction_and_week_follow_language_and_calendar() -> None:
    assert Locale.of("fa").dir == "rtl" and Locale.of("ar").rtl and Locale.of("en").dir == "ltr"
    assert Locale.of("fa").weekdays()[0][1] == "شنبه"  # the Iranian week starts on Saturday
    assert Locale.of("ar").weekdays()[0][1] == "الأحد"
    assert Locale.of("en").weekdays()[0][1] == "Monday"
    assert Locale.of("xx").lang == "en"


def test_short_durations_for_axes() -> None:
    assert Locale.of("en").duration_short(7200) == "2h"
    assert Locale.of("fa").duration_short(300) == "۵ دقیقه"
    assert Locale.of("en").duration_short(0) == "0"
