"""Settings come from defaults, sanjeh.toml, SANJEH_* variables and overrides, in that order."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sanjeh.errors import ConfigError
from sanjeh.settings import Settings, load_settings, webhook_secrets

ROOT = Path(__file__).resolve().parents[1]


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}) == Settings()


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sanjeh.toml").write_text(
        'db = "file.duckdb"\ntimezone = "Asia/Tehran"\nchunk_rows = 5000\n'
        '[calendars.tehran]\ntimezone = "Asia/Tehran"\n',
        encoding="utf-8",
    )
    s = load_settings(environ={"SANJEH_DB": "postgresql://x/y"})
    assert (s.db, s.timezone, s.chunk_rows) == ("postgresql://x/y", "Asia/Tehran", 5000)
    assert load_settings(environ={}, db="over.duckdb").db == "over.duckdb"


def test_config_path_from_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "other.toml"
    cfg.write_text('language = "fa"\n', encoding="utf-8")
    assert load_settings(environ={"SANJEH_CONFIG": str(cfg)}).language == "fa"
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={"SANJEH_CONFIG": str(tmp_path / "missing.toml")})


def test_bad_values_are_clear_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="SANJEH_CHUNK_ROWS: chunk_rows must be int"):
        load_settings(environ={"SANJEH_CHUNK_ROWS": "many"})
    (tmp_path / "sanjeh.toml").write_text("colour = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(environ={})
    (tmp_path / "sanjeh.toml").write_text("db = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(environ={})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'timezone = "Tehran"\n',
            "sanjeh.toml: timezone 'Tehran' is not a time zone; use an IANA name such as "
            '"Asia/Tehran", "Asia/Riyadh", "Europe/Berlin" or "UTC"',
        ),
        ('language = "de"\n', "sanjeh.toml: language must be one of fa, ar, en, not 'de'"),
        ("chunk_rows = 0\n", "sanjeh.toml: chunk_rows must be a whole number ≥ 1, not 0"),
        ("chunk_rows = 2.5\n", "sanjeh.toml: chunk_rows must be int, got '2.5'; fix the value"),
        (
            'memory = "lots"\n',
            'sanjeh.toml: memory must be an amount such as "2GB" or "512MB", not \'lots\'',
        ),
    ],
)
def test_values_are_checked_where_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sanjeh.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={})
    assert str(caught.value) == message


def test_memory_bounds_the_duckdb_engine_of_a_file_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`memory` (default 2GB) reaches DuckDB's memory_limit for files opened by the CLI
    and the library; a number DuckDB reads as bytes is shown back in its own units."""
    from sanjeh.cli._options import open_store
    from sanjeh.store import Store

    def limit(store: Store) -> str:
        return str(store.con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0])

    assert load_settings(environ={}).memory == "2GB"
    with Store.open(str(tmp_path / "a.duckdb")) as store:
        assert limit(store) == "1.8 GiB"  # 2 GB = 2·10⁹ bytes
    monkeypatch.setenv("SANJEH_MEMORY", "512MB")
    with open_store(str(tmp_path / "b.duckdb"), create=True) as store:
        assert limit(store) == "488.2 MiB"
    with pytest.raises(ConfigError, match="SANJEH_MEMORY: memory must be an amount"):
        load_settings(environ={"SANJEH_MEMORY": "512"})


def test_environment_and_arguments_are_checked_too() -> None:
    with pytest.raises(ConfigError, match=r"^SANJEH_TIMEZONE: timezone 'Mars' is not a time zone"):
        load_settings(environ={"SANJEH_TIMEZONE": "Mars"})
    with pytest.raises(ConfigError, match=r"^timezone: timezone 'Tehran' is not"):
        load_settings(environ={}, timezone="Tehran")
    assert load_settings(environ={"SANJEH_TIMEZONE": "Asia/Tehran"}).timezone == "Asia/Tehran"


def test_the_suite_sees_no_user_configuration() -> None:
    """tests/conftest.py runs every test in an empty folder without SANJEH_* variables
    (a sanjeh.toml that `sanjeh demo` wrote into the checkout is never read)."""
    assert load_settings() == Settings()
    assert load_settings().config_file is None
    assert not Path.cwd().resolve().is_relative_to(ROOT)


def test_a_hostile_configuration_where_pytest_runs_is_not_read(tmp_path: Path) -> None:
    """Run tests in a child pytest from a folder holding a sanjeh.toml and sanjeh.duckdb
    (what `sanjeh demo` leaves in the checkout) and with SANJEH_* variables set: the
    tests pass, because none of it is read."""
    if os.environ.get("SANJEH_TEST_CHILD"):
        pytest.skip("(the child run itself)")
    (tmp_path / "sanjeh.toml").write_text(
        'db = "/no/such/folder/x.duckdb"\ntimezone = "Asia/Tehran"\nlanguage = "fa"\n'
        '[metrics]\ncalendar = "nowhere"\nfcr_window_days = 1\n'
        '[targets]\ncsat = "high"\n',
        encoding="utf-8",
    )
    (tmp_path / "sanjeh.duckdb").write_bytes(b"not a database")
    env = {
        **os.environ,
        "SANJEH_TEST_CHILD": "1",
        "SANJEH_DB": "/no/such/folder/y.duckdb",
        "SANJEH_TIMEZONE": "Mars/Olympus",
        "SANJEH_CONFIG": str(tmp_path / "sanjeh.toml"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            f"{ROOT}/tests/test_settings.py::test_the_suite_sees_no_user_configuration",
            f"{ROOT}/tests/test_cli.py::test_import_status_export_round_trip",
            # (computes KPIs with the configuration from the settings)
            f"{ROOT}/tests/metrics/test_names.py::test_team_and_agent_by_id_name_or_short_id",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
    assert (tmp_path / "sanjeh.duckdb").read_bytes() == b"not a database"


def test_every_toml_example_in_the_docs_is_valid() -> None:
    """Each ```toml block of README.md and docs/*.md parses; the sanjeh.toml ones load
    through the settings loader and the metrics configuration (calendars, SLA, targets)."""
    from sanjeh.metrics import MetricsConfig
    from sanjeh.report import load_schedules

    blocks = [
        (path.relative_to(ROOT), block)
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        for block in re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    ]
    assert len(blocks) >= 4
    configs = 0
    for i, (where, block) in enumerate(blocks):
        try:
            data = tomllib.loads(block)
        except tomllib.TOMLDecodeError as exc:
            pytest.fail(f"{where}: a ```toml block is not valid TOML: {exc}\n{block}")
        if "columns" in data:  # an import mapping file (docs/formats.md), not sanjeh.toml
            continue
        if "questions" in data:  # a survey definition (docs/surveys.md), not sanjeh.toml
            from sanjeh.surveys import load_definition

            load_definition(data, name=f"{where}: block {i}")
            continue
        file = Path(f"example-{i}.toml")  # the test's own empty folder (tests/conftest.py)
        file.write_text(block, encoding="utf-8")
        settings = load_settings(environ={"SANJEH_CONFIG": str(file)})
        config = MetricsConfig.from_settings(settings)
        webhook_secrets(settings)
        load_schedules(settings, config)  # [[schedules]], KPI and breakdown names too
        configs += 1
    assert configs >= 2  # README's and docs/calendars.md's


def test_screenshots_go_to_the_docs_only_on_request(
    screenshots: Path, request: pytest.FixtureRequest
) -> None:
    """The browser tests' screenshots are tracked files: rewritten only with --screenshots."""
    # (not `from conftest import …`: under xdist that may find another folder's conftest)
    if request.config.getoption("--screenshots"):
        assert screenshots == ROOT / "docs" / "screenshots"
    else:
        assert not screenshots.resolve().is_relative_to(ROOT)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[webhooks.zendeks]\nsecret = "0123456789abcdef"\n',
            "x.toml: [webhooks.zendeks]: not a helpdesk Sanjeh receives webhooks from; it "
            "receives zendesk, freshdesk, chatwoot, intercom",
        ),
        (
            '[webhooks.zendesk]\nsecret = "0123456789abcdef"\nsigned = true\n',
            'x.toml: [webhooks.zendesk] must hold one key: secret = "…"',
        ),
        (
            '[webhooks.intercom]\nsecret = "short"\n',
            "x.toml: [webhooks.intercom]: secret must be the helpdesk's webhook secret, at "
            'least 16 characters (for a secret of your own: python -c "import secrets; '
            'print(secrets.token_urlsafe(32))")',
        ),
        ("[webhooks]\nzendesk = 3\n", 'x.toml: [webhooks.zendesk] must hold one key: secret = "…"'),
    ],
)
def test_webhook_secrets_are_checked(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "x.toml").write_text(toml, encoding="utf-8")
    settings = load_settings(environ={"SANJEH_CONFIG": str(tmp_path / "x.toml")})
    with pytest.raises(ConfigError) as caught:
        webhook_secrets(settings)
    assert str(caught.value) == message.replace("x.toml", str(tmp_path / "x.toml"))


def test_webhook_secrets(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text(
        '[webhooks.zendesk]\nsecret = " dGhpcyBpcyBhIHNlY3JldA== "\n'
        '[webhooks.chatwoot]\nsecret = "cw-0123456789abcdef"\n',
        encoding="utf-8",
    )
    settings = load_settings(environ={"SANJEH_CONFIG": str(tmp_path / "x.toml")})
    assert webhook_secrets(settings) == {
        "zendesk": "dGhpcyBpcyBhIHNlY3JldA==",
        "chatwoot": "cw-0123456789abcdef",
    }
    assert webhook_secrets(Settings()) == {}


#: a schedule with everything it needs; the cases below change one key
SCHEDULE = {"name": '"daily"', "every": '"daily 07:00"', "folder": '"out"'}


def _schedule_toml(**keys: str | None) -> str:
    table = {k: v for k, v in {**SCHEDULE, **keys}.items() if v is not None}
    return "[[schedules]]\n" + "".join(f"{k} = {v}\n" for k, v in table.items())


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            _schedule_toml(every='"hourly"'),
            "x.toml: [[schedules]] 'daily': every must look like \"daily 07:00\", "
            '"weekly sat 07:00" or "monthly 1 07:00", not \'hourly\'',
        ),
        (
            _schedule_toml(every='"weekly shabbat 07:00"'),
            "x.toml: [[schedules]] 'daily': every 'weekly shabbat 07:00': 'shabbat' is not a "
            "weekday; use sat, sun, mon, tue, wed, thu or fri",
        ),
        (
            _schedule_toml(every=None),
            "x.toml: [[schedules]] 'daily': every is missing; e.g. every = \"daily 07:00\"",
        ),
        (
            _schedule_toml(name='"daily report"'),
            "x.toml: [[schedules]] #1: name must be letters, digits, _ . - (up to 64; it names "
            "the files), not 'daily report'",
        ),
        (
            _schedule_toml(folder=None),
            "x.toml: [[schedules]] 'daily': give a folder, a webhook or both (where the "
            "report goes)",
        ),
        (
            _schedule_toml(format='"pdf"'),
            "x.toml: [[schedules]] 'daily': format must be one of csv, xlsx, json, html, not 'pdf'",
        ),
        (
            _schedule_toml(period='"quarter"'),
            "x.toml: [[schedules]] 'daily': period must be one of day, week, month, not 'quarter'",
        ),
        (
            _schedule_toml(webhook='"ftp://example.com/in"'),
            "x.toml: [[schedules]] 'daily': webhook must be an http:// or https:// URL, not "
            "ftp://…",
        ),
        (
            _schedule_toml(lang='"de"'),
            "x.toml: [[schedules]] 'daily': lang must be one of fa, ar, en, not 'de'",
        ),
        (
            _schedule_toml(timeout='"2h"'),
            "x.toml: [[schedules]] 'daily': timeout must be a duration from 1s to 10m (a number "
            "alone: seconds), not '2h'",
        ),
        (
            _schedule_toml(kpis="3"),
            "x.toml: [[schedules]] 'daily': kpis must be a name or a list of names, not 3",
        ),
        (
            _schedule_toml(colour='"red"'),
            "x.toml: [[schedules]] #1: unknown key 'colour'; known: name, every, period, kpis, "
            "by, format, folder, webhook, lang, timeout, hours",
        ),
        (
            _schedule_toml() + _schedule_toml(),
            "x.toml: [[schedules]] 'daily' is declared twice; names are unique",
        ),
        ("[schedules]\nname = 1\n", "x.toml: schedules must be an array of tables: [[schedules]]"),
        # the names only the report layer knows
        (
            _schedule_toml(kpis='["csat", "happiness"]'),
            "x.toml: [[schedules]] 'daily': kpis: no KPI 'happiness'; `sanjeh kpis` lists them",
        ),
        (
            _schedule_toml(by='"planet"'),
            "x.toml: [[schedules]] 'daily': by: unknown breakdown 'planet'; use: agent, category",
        ),
    ],
)
def test_schedules_are_checked(tmp_path: Path, toml: str, message: str) -> None:
    from sanjeh.report import load_schedules

    (tmp_path / "x.toml").write_text(toml, encoding="utf-8")
    settings = load_settings(environ={"SANJEH_CONFIG": str(tmp_path / "x.toml")})
    with pytest.raises(ConfigError) as caught:
        load_schedules(settings)
    assert str(caught.value).startswith(message.replace("x.toml", str(tmp_path / "x.toml")))


def test_schedules(tmp_path: Path) -> None:
    from sanjeh.report import load_schedules
    from sanjeh.settings import Every, ScheduleSettings, schedule_settings

    (tmp_path / "x.toml").write_text(
        'language = "fa"\n'
        + _schedule_toml(every='"Weekly SAT 7:30"')
        + _schedule_toml(
            name='"month-end"',
            every='"monthly 31 23:00"',
            period='"week"',
            kpis='"csat"',
            by='["team", "channel"]',
            format='"xlsx"',
            folder='"/srv/reports"',
            webhook='"https://hooks.example.com/in?token=x"',
            lang='"en"',
            timeout='"90s"',
            hours='"calendar"',
        ),
        encoding="utf-8",
    )
    settings = load_settings(environ={"SANJEH_CONFIG": str(tmp_path / "x.toml")})
    weekly, month_end = schedule_settings(settings)
    assert weekly == ScheduleSettings(
        name="daily",
        every=Every("weekly", dt.time(7, 30), weekday=5),
        period="week",  # the one the timetable repeats
        folder=tmp_path / "out",  # relative: from the config file's folder
        lang="fa",  # the configured language
    )
    assert month_end == ScheduleSettings(
        name="month-end",
        every=Every("monthly", dt.time(23, 0), day=31),
        period="week",
        kpis=("csat",),
        by=("team", "channel"),
        format="xlsx",
        folder=Path("/srv/reports"),
        webhook="https://hooks.example.com/in?token=x",
        lang="en",
        timeout=90.0,
        hours="calendar",
    )
    # the business calendar's zone and week (here the default: 24x7 UTC, Monday weeks)
    assert [(s.timezone, s.week_start) for s in load_schedules(settings)] == [
        ("UTC", "monday"),
        ("UTC", "monday"),
    ]
    assert schedule_settings(Settings()) == ()
