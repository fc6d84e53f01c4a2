"""`sanjeh serve` and `sanjeh.web.serve` start uvicorn on this machine by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanjeh.cli import main


def test_serve_binds_to_localhost_by_default(
    monkeypatch: pytest.MonkeyPatch, demo_path: Path
) -> None:
    import uvicorn

    from sanjeh.web import serve

    seen: dict[str, Any] = {}

    def run(server: Any, sockets: Any = None) -> None:
        config = server.config
        seen.update(app=config.app, host=config.host, port=config.port)
        server.started = True

    monkeypatch.setattr(uvicorn.Server, "run", run)
    serve(str(demo_path), warm=False)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8000
    assert seen["app"].title == "Sanjeh dashboard API"
    seen["app"].state.source.store.close()


def test_cli_passes_its_options_to_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sanjeh.web

    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.duckdb").touch()  # serve refuses a store that does not exist
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(sanjeh.web, "serve", lambda *a, **kw: calls.append((a, kw)))
    code = main(["serve", "--db", "x.duckdb", "--port", "8123", "--language", "fa"])
    assert code == 0
    assert calls == [(("x.duckdb", "127.0.0.1", 8123), {"open_browser": False, "language": "fa"})]


def test_cli_rejects_an_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--language", "de"]) == 1
    assert "--language must be fa, ar or en" in capsys.readouterr().err


def test_serving_to_the_network_without_users_warns() -> None:
    from sanjeh.web._server import open_without_login

    warning = open_without_login("0.0.0.0", has_users=False)
    assert warning is not None and "sanjeh user add" in warning
    assert open_without_login("0.0.0.0", has_users=True) is None
    assert open_without_login("127.0.0.1", has_users=False) is None
    assert open_without_login("localhost", has_users=False) is None
