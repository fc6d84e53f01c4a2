"""Named calendars from sanjeh.toml, presets, and the errors for bad input."""

from __future__ import annotations

import re
import textwrap
from datetime import date, time
from pathlib import Path

import pytest

from sanjeh.calendar import PRESETS, BusinessCalendar, calendars_from_mapping, load_calendars
from sanjeh.errors import ConfigError
from sanjeh.settings import load_settings

EXAMPLE = """
    db = "support.duckdb"

    [calendars.tehran]
    timezone = "Asia/Tehran"
    weekly.sat = [["08:00", "16:00"]]
    weekly.sun = [["08:00", "16:00"]]
    weekly.wed = [["08:00", "12:00"], ["13:00", "16:00"]]
    holidays = ["IR"]
    extra_holidays = ["2026-03-25", 2026-03-26]

    [calendars.night]
    timezone = "UTC"
    holidays = ["US-CA"]

    [calendars.night.weekly]
    mon = [[22:00:00, 06:00:00]]

    [calendars.riyadh]
    preset = "gulf"
    extra_holidays = ["2025-01-01"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sanjeh.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_load_calendars(tmp_path):
    cals = load_calendars(_write(tmp_path, EXAMPLE))
    assert list(cals) == ["tehran", "night", "riyadh"]
    tehran = cals["tehran"]
    assert tehran.name == "tehran" and tehran.timezone == "Asia/Tehran"
    assert tehran.weekly["wed"] == [("08:00", "12:00"), ("13:00", "16:00")]
    assert tehran.holidays == ("IR",)
    assert tehran.extra_holidays == (date(2026, 3, 25), date(2026, 3, 26))
    assert cals["night"].weekly == {"mon": [("22:00", "06:00")]}  # TOML local times work
    assert cals["riyadh"] == BusinessCalendar.preset(
        "gulf", name="riyadh", extra_holidays=[date(2025, 1, 1)]
    )


def test_the_settings_loader_ignores_the_calendar_tables(tmp_path):
    path = _write(tmp_path, EXAMPLE)
    assert load_settings(environ={"SANJEH_CONFIG": str(path)}).db == "support.duckdb"


def test_a_file_without_calendars(tmp_path):
    assert load_calendars(_write(tmp_path, 'db = "x.duckdb"\n')) == {}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('timezone = "Asia/Tehren"', "calendar 'bad': timezone: unknown time zone 'Asia/Tehren'"),
        ("timezone = 3", "timezone: unknown time zone 3"),
        ('weekly = { sat = [["8am", "16:00"]] }', "weekly.sat[0] start: '8am' is not a time"),
        ('weekly = { sat = [["08:00", "25:00"]] }', "weekly.sat[0] end: '25:00' is not a time"),
        ('weekly = { sat = [["08:61", "16:00"]] }', "weekly.sat[0] start: '08:61'"),
        ('weekly = { sat = [["24:00", "06:00"]] }', '"24:00" can only end a window'),
        ('weekly = { sat = [["08:00", "08:00"]] }', "weekly.sat[0]: start and end are both"),
        ('weekly = { sat = [["08:00"]] }', "weekly.sat[0]: a window is a pair"),
        ('weekly = { sat = "08:00-16:00" }', "weekly.sat: give a list of windows"),
        ('weekly = { fry = [["08:00", "16:00"]] }', "weekly: unknown day 'fry'"),
        ("weekly = { sat = [] }", "weekly has no windows"),
        ('holidays = ["XX"]', "holidays[0]: unknown country or subdivision 'XX'"),
        ('holidays = ["US-ZZ"]', "holidays[0]: unknown country or subdivision 'US-ZZ'"),
        ("holidays = [98]", "holidays[0]: 98 is not a country code"),
        ('extra_holidays = ["2026-13-01"]', "extra_holidays[0]: '2026-13-01' is not a date"),
        ('timezon = "UTC"', "[calendars.bad]: unknown field(s) timezon"),
        ('preset = "mars"', "[calendars.bad]: preset: unknown calendar preset 'mars'"),
    ],
)
def test_bad_input_names_the_calendar_and_the_field(tmp_path, table, message):
    base = {
        "timezone": '"UTC"',
        "weekly": '{ sat = [["08:00", "16:00"]] }',
    }
    key = table.split("=")[0].strip()
    lines = [f"{k} = {v}" for k, v in base.items() if k != key] + [table]
    path = _write(tmp_path, "[calendars.bad]\n" + "\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_calendars(path)
    assert str(path) in str(info.value)


def test_a_missing_field_says_what_to_add(tmp_path):
    path = _write(tmp_path, '[calendars.bad]\nweekly = { sat = [["08:00", "16:00"]] }\n')
    with pytest.raises(ConfigError, match=r"\[calendars.bad\]: timezone is missing; add it"):
        load_calendars(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [("[calendars\n", "not valid TOML"), ("calendars = 3\n", "must be a table")],
)
def test_a_broken_file(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_calendars(_write(tmp_path, text))


def test_a_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_calendars(tmp_path / "nope.toml")


def test_a_calendar_that_is_not_a_table():
    with pytest.raises(ConfigError, match=r"\[calendars.x\] must be a table"):
        calendars_from_mapping({"x": 3})


# -- the constructor and presets ----------------------------------------------------------


def test_constructor_accepts_times_and_long_day_names():
    cal = BusinessCalendar(
        timezone="Asia/Riyadh",
        weekly={"Sunday": [(time(8), time(17, 30))], "MON": [("8:00", "17:00:30")]},
        holidays="sa",
    )
    assert cal.weekly == {"mon": [("08:00", "17:00:30")], "sun": [("08:00", "17:30")]}
    assert cal.holidays == ("SA",) and cal.name == "default"


def test_an_empty_name_is_rejected():
    with pytest.raises(ConfigError, match="give each calendar a name"):
        BusinessCalendar(timezone="UTC", weekly={"mon": [("09:00", "17:00")]}, name=" ")


def test_presets():
    assert set(PRESETS) == {"iran", "gulf", "weekdays", "24x7"}
    iran = BusinessCalendar.preset("iran")
    assert (iran.name, iran.timezone, iran.holidays) == ("iran", "Asia/Tehran", ("IR",))
    assert set(iran.weekly) == {"sat", "sun", "mon", "tue", "wed"}
    gulf = BusinessCalendar.preset("gulf")
    assert (gulf.timezone, gulf.holidays) == ("Asia/Riyadh", ("SA",))
    assert set(gulf.weekly) == {"sun", "mon", "tue", "wed", "thu"}
    assert BusinessCalendar.preset("24x7").weekly["sat"] == [("00:00", "24:00")]
    dubai = BusinessCalendar.preset("gulf", timezone="Asia/Dubai", holidays=["AE"], name="dubai")
    assert (dubai.name, dubai.timezone, dubai.holidays) == ("dubai", "Asia/Dubai", ("AE",))
    with pytest.raises(ConfigError, match="presets are: iran, gulf"):
        BusinessCalendar.preset("mars")


def test_presets_are_independent_copies():
    first = BusinessCalendar.preset("iran")
    PRESETS["iran"]["weekly"]["sat"].append(("20:00", "21:00"))  # someone mutates the table
    try:
        assert BusinessCalendar.preset("iran") != first
    finally:
        PRESETS["iran"]["weekly"]["sat"].pop()
    assert BusinessCalendar.preset("iran") == first


def test_equality_repr_and_replace():
    iran = BusinessCalendar.preset("iran")
    assert iran == BusinessCalendar.preset("iran") and hash(iran) == hash(
        BusinessCalendar.preset("iran")
    )
    assert iran != iran.replace(name="other")
    assert "timezone='Asia/Tehran'" in repr(iran)
    assert eval(repr(iran), {"BusinessCalendar": BusinessCalendar}) == iran


def test_the_documented_example_loads(tmp_path):
    docs = Path(__file__).resolve().parents[2] / "docs" / "calendars.md"
    example = docs.read_text(encoding="utf-8").split("```toml\n", 1)[1].split("```", 1)[0]
    cals = load_calendars(_write(tmp_path, example))
    assert list(cals) == ["tehran", "night_desk", "riyadh"]
    assert cals["night_desk"].weekly["mon"] == [("22:00", "06:00")]
    assert cals["riyadh"].timezone == "Asia/Riyadh"
