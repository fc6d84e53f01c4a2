"""Settings come from defaults, sanjeh.toml, SANJEH_* variables and overrides, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh.errors import ConfigError
from sanjeh.settings import Settings, load_settings


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
