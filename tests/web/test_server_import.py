"""`sanjeh import` while `sanjeh serve` runs on the same DuckDB file: through the server.

The first half drives ``POST /api/imports`` of an app served in this process (a real
uvicorn in a thread) with the CLI's own client (``_server_lock.send_import``); the
second runs the real commands: ``sanjeh serve`` in one process, ``sanjeh import`` in
others, and the same imports directly into a copy of the store, which must end the same.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.model import TABLES
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server, free_port
from sanjeh.web._server_lock import (
    MB,
    TOKEN_HEADER,
    RunningServer,
    ServerAnswer,
    find_server,
    read_record,
    send_import,
    server_file,
    too_large,
)

ROOT = Path(__file__).resolve().parents[2]
ZENDESK = ROOT / "examples" / "summary" / "zendesk.csv"
MAPPING = ROOT / "examples" / "summary" / "zendesk.toml"
SANJEH = str(Path(sys.executable).parent / "sanjeh")
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"


@dataclasses.dataclass(frozen=True)
class Base:
    """A small demo store with users; the API tokens the tests read and write with."""

    path: Path
    read: str  # the admin's read-only token
    write: str  # the admin's token issued with --write
    agent: str  # an agent's token with --write refused: a read-only one


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    path = tmp_path_factory.mktemp("server-import") / "base.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=200, seed=5)
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "admin", PASSWORD, "admin", "Admin A")
        accounts.add_user(LOCAL_ADMIN, "agent", PASSWORD, "agent", "Agent A", "demo:a-001")
        read = accounts.issue_token(LOCAL_ADMIN, "admin", "reads")
        write = accounts.issue_token(LOCAL_ADMIN, "admin", "writes", write=True)
        agent = accounts.issue_token(LOCAL_ADMIN, "agent", "agent")
    return Base(path, read, write, agent)


def _copy(base: Base, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copy(base.path, target)
    return target


def _broken(folder: Path) -> Path:
    """The Zendesk example with a date that is none and a row with one field too many."""
    text = ZENDESK.read_text(encoding="utf-8")
    last = text.rstrip("\n").split("\n")[-1]
    broken = text.replace("2026-03-01 09:00:00 +0300", "not a time", 1)
    path = folder / "zendesk_broken.csv"
    path.write_text(broken + last.replace("5004,", "5005,", 1) + ",one too many\n", "utf-8")
    return path


# -- the route, served in this process -------------------------------------------------------


@dataclasses.dataclass
class Served:
    url: str
    server: RunningServer
    app: Any


@pytest.fixture(scope="module")
def served(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("in-process")
    config = folder / "sanjeh.toml"
    config.write_text("[web]\nmax_import_mb = 1\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANJEH_CONFIG", str(config))
        app = create_app(str(_copy(base, folder, "served.duckdb")), warm=False)
    app.state.server_token = "the-servers-own-token"
    with Server(app) as url:
        running = RunningServer(url, "the-servers-own-token", os.getpid(), 1 * MB)
        yield Served(url, running, app)
    app.state.source.store.close()


def _post(url: str, headers: dict[str, str], body: bytes = b"x", **params: Any) -> httpx.Response:
    return httpx.post(f"{url}/api/imports", params=params, content=body, headers=headers)


def test_an_import_through_the_server_names_the_file_as_the_client_does(
    served: Served, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    answer = send_import(
        served.server,
        ZENDESK,
        [("format", "summary")],
        mapping=MAPPING,
        progress=lambda done, size: seen.append((done, size)),
    )
    size = ZENDESK.stat().st_size
    assert seen[-1] == (size, size)  # the progress bar's last step: every byte sent
    assert answer["path"] == str(ZENDESK)  # not the server's temporary copy
    assert answer["format"] == "summary" and answer["source"] == "zendesk"
    assert answer["rows_read"] == 4 and answer["rejected"] == 0
    assert answer["tables"]["tickets"]["inserted"] == 4
    store = served.app.state.source.store
    with served.app.state.source.db_lock:
        log = store.table("import_log").to_pyarrow().to_pylist()
    assert [row["path"] for row in log if row["import_id"] == answer["import_id"]] == [str(ZENDESK)]


def test_errors_carry_the_message_a_direct_import_gives(served: Served, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ServerAnswer) as caught:
        send_import(served.server, empty, [])
    assert caught.value.code == "empty_file"
    assert caught.value.message == f"{empty}: the file is empty; nothing to import"
    bad = tmp_path / "bad.toml"
    bad.write_text("format = [", encoding="utf-8")
    with pytest.raises(ServerAnswer) as caught:
        send_import(served.server, ZENDESK, [], mapping=bad)
    assert caught.value.code == "mapping_error"
    assert caught.value.message.startswith(f"{bad}: not valid TOML")
    assert "sanjeh-import-" not in caught.value.message  # no temporary path leaks
    with pytest.raises(ServerAnswer) as caught:  # checked on the server as by the CLI
        send_import(served.server, ZENDESK, [("timezone", "Mars/Olympus")], mapping=MAPPING)
    assert caught.value.code == "config_error"
    assert caught.value.message.startswith("--timezone: timezone 'Mars/Olympus' is not")


def test_files_over_the_limit_are_refused_with_413(served: Served, tmp_path: Path) -> None:
    big = tmp_path / "tickets.csv"
    big.write_bytes(b"ticket_id,created_at\n" + b"1,2026-03-01T08:00:00Z\n" * 50_000)
    size = big.stat().st_size
    expected = too_large(str(big), size, MB)
    assert expected.startswith(f"{big}: 1.1 MB is more than the 1 MB the running server takes")
    with pytest.raises(ServerAnswer) as caught:  # the CLI asks the limit before sending
        send_import(served.server, big, [])
    assert caught.value.message == expected
    # announced: refused before a byte of it is read
    status, answer = _raw(served, str(big), {"Content-Length": str(size)}, [])
    assert (status, answer) == (413, {"error": {"type": "too_large", "message": expected}})
    # not announced (chunked): counted as it comes
    block = b"x" * (64 << 10)
    chunks = [f"{len(block):x}\r\n".encode() + block + b"\r\n"] * 17 + [b"0\r\n\r\n"]
    status, answer = _raw(served, "t.csv", {"Transfer-Encoding": "chunked"}, chunks)
    assert status == 413 and answer["error"]["type"] == "too_large"


def _raw(
    served: Served, filename: str, headers: dict[str, str], body: list[bytes]
) -> tuple[int, Any]:
    """A request as sent byte by byte (a client may announce more than it sends)."""
    conn = http.client.HTTPConnection("127.0.0.1", int(served.url.rsplit(":", 1)[1]), timeout=60)
    try:
        conn.putrequest("POST", f"/api/imports?{urlencode({'filename': filename})}")
        for name, value in {TOKEN_HEADER: served.server.token, **headers}.items():
            conn.putheader(name, value)
        conn.endheaders()
        for part in body:
            conn.send(part)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_the_server_token_opens_only_its_own_paths(served: Served, base: Base) -> None:
    good, wrong = {TOKEN_HEADER: served.server.token}, {TOKEN_HEADER: "not-it"}
    health = httpx.get(f"{served.url}/api/health", headers=good)
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok",
        "pid": os.getpid(),
        "version": health.json()["version"],
        "max_import_bytes": MB,
    }
    for path, headers in [("/api/health", wrong), ("/api/meta", good), ("/api/overview", good)]:
        r = httpx.get(served.url + path, headers=headers)
        assert r.status_code == 401, (path, r.text)
        assert r.json()["error"]["type"] == "not_authenticated"
        assert "X-Sanjeh-Server-Token is not this server's token" in r.json()["error"]["message"]
    r = _post(served.url, wrong, filename="tickets.csv")
    assert r.status_code == 401
    r = _post(served.url, {}, filename="tickets.csv")  # the store has users: log in
    assert r.status_code == 401 and r.json()["error"]["type"] == "not_authenticated"


def test_api_tokens_import_only_with_write(served: Served, base: Base) -> None:
    body = b"ticket_id,created_at,channel\napi-1,2026-03-05T08:00:00Z,chat\n"

    def as_(token: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return _post(served.url, headers, body, filename="tickets.csv", source="api")

    r = as_(base.read)
    assert r.status_code == 403
    assert "issue a token with --write" in r.json()["error"]["message"]
    r = as_(base.agent)
    assert r.status_code == 403 and "managers and admins" in r.json()["error"]["message"]
    r = as_(base.write)
    assert r.status_code == 200, r.text
    assert r.json()["path"] == "tickets.csv" and r.json()["tables"]["tickets"]["inserted"] == 1
    assert as_(base.write).json()["tables"]["tickets"] == {
        "table": "tickets",
        "inserted": 0,
        "replaced": 0,
        "unchanged": 1,
        "kept_newer": 0,
        "superseded": 0,
    }


def test_a_mapping_must_fit_in_the_body(served: Served) -> None:
    headers = {TOKEN_HEADER: served.server.token}
    r = _post(served.url, headers, b"abc", filename="z.csv", mapping="z.toml", mapping_size=10)
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith("mapping_size: the body is shorter")
    r = _post(served.url, headers, b"abc", filename="z.csv", mapping="z.toml")
    assert r.status_code == 400 and "together" in r.json()["error"]["message"]


def test_only_duckdb_files_have_a_server_file(tmp_path: Path) -> None:
    assert server_file("postgresql://user@host/db") is None
    assert server_file("duckdb://") is None
    db = tmp_path / "x.duckdb"
    assert server_file(str(db)) == tmp_path / "x.duckdb.server.json"
    assert server_file(f"duckdb:///{db}") == tmp_path / "x.duckdb.server.json"
    assert find_server("postgresql://user@host/db") is None  # always a direct import


# -- the real commands ----------------------------------------------------------------------


def sanjeh(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250"}  # no line wrapped where the two runs differ
    return subprocess.run(
        [SANJEH, *args], capture_output=True, text=True, check=False, timeout=300, env=env
    )


@contextlib.contextmanager
def serving(db: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`sanjeh serve` on a free port, once `sanjeh import` would find it; Ctrl+C after."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [SANJEH, "serve", "--db", str(db), "--port", str(free_port())],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 300
        while find_server(str(db)) is None or read_record(_file(db)).pid != proc.pid:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start: {log.read_text()}")
            time.sleep(0.3)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)


def _file(db: Path) -> Path:
    found = server_file(str(db))
    assert found is not None
    return found


def _same(text: str) -> str:
    """Output without what differs between two runs (the seconds an import took)."""
    return re.sub(r" in \d+\.\ds$", " in …s", text, flags=re.M)


@dataclasses.dataclass
class Twins:
    """One store served, its twin imported into directly: each import done to both."""

    folder: Path
    served: Path
    direct: Path
    proc: subprocess.Popen[bytes]
    api_token: str
    runs: dict[str, tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]]

    def both(
        self, key: str, *args: str
    ) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
        """``sanjeh import ARGS`` through the server, then directly into the twin (once)."""
        if key not in self.runs:
            assert self.proc.poll() is None, "the server stopped"
            through = sanjeh("import", *args, "--db", str(self.served))
            direct = sanjeh("import", *args, "--db", str(self.direct))
            self.runs[key] = (through, direct)
        return self.runs[key]

    @property
    def url(self) -> str:
        return read_record(_file(self.served)).url

    def api(self, path: str) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"Bearer {self.api_token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def twins(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twins]:
    folder = tmp_path_factory.mktemp("twins")
    served, direct = _copy(base, folder, "served.duckdb"), _copy(base, folder, "direct.duckdb")
    _broken(folder)
    with serving(served, folder / "serve.log") as proc:
        yield Twins(folder, served, direct, proc, base.read, {})


def _through_and_direct(twins: Twins, key: str, *args: str) -> None:
    through, direct = twins.both(key, *args)
    assert through.returncode == direct.returncode == 0, (through.stderr, direct.stderr)
    assert _same(through.stdout) == _same(direct.stdout)
    note = f"(through the running server at {twins.url})\n"
    assert through.stderr.startswith(note), through.stderr
    assert _same(through.stderr.removeprefix(note)) == _same(direct.stderr)
    assert note not in direct.stderr


GOOD = (str(ZENDESK), "--mapping", str(MAPPING))


def test_the_server_file_is_what_lets_an_import_in(twins: Twins) -> None:
    record = _file(twins.served)
    assert stat.S_IMODE(record.stat().st_mode) == 0o600  # the token opens the store
    found = read_record(record)
    assert found.pid == twins.proc.pid and found.url.startswith("http://127.0.0.1:")
    hidden = record.with_name("hidden.json")
    record.rename(hidden)  # as before: the file is the server's, nobody else may open it
    try:
        refused = sanjeh("import", *GOOD, "--db", str(twins.served))
    finally:
        hidden.rename(record)
    assert refused.returncode == 1
    assert f"is in use by another program (PID {twins.proc.pid}" in refused.stderr
    _through_and_direct(twins, "good", *GOOD)
    through, _ = twins.both("good", *GOOD)
    assert re.search(r"^\s*tickets\s+4\s+0\s+0\s*$", through.stdout, re.M), through.stdout


def test_the_imported_rows_are_served(twins: Twins) -> None:
    _through_and_direct(twins, "good", *GOOD)
    deadline = time.monotonic() + 30  # woken at once; the warm-up may hold it a while
    while True:
        status, page = twins.api("/api/customers/zendesk:9001")
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200, page
    rows = page["tables"]["timeline"]["rows"]
    assert {row["ticket_id"] for row in rows} == {"zendesk:5001"}


def test_rejects_are_those_of_a_direct_import(twins: Twins) -> None:
    broken = str(twins.folder / "zendesk_broken.csv")
    _through_and_direct(twins, "broken", broken, "--mapping", str(MAPPING))
    through, _ = twins.both("broken", broken, "--mapping", str(MAPPING))
    assert "2 rows rejected and quarantined" in through.stderr
    assert f"e.g. {broken}, row 6: has 20 fields, the header has 19" in through.stderr


def test_importing_again_changes_nothing(twins: Twins) -> None:
    _through_and_direct(twins, "good", *GOOD)
    through, direct = twins.both("again", *GOOD, "--json")
    assert through.returncode == direct.returncode == 0
    ours, theirs = json.loads(through.stdout), json.loads(direct.stdout)
    for summary in (*ours, *theirs):
        summary.pop("seconds")
    assert ours == theirs
    tables = ours[0]["tables"]
    assert tables and all(r["inserted"] == r["replaced"] == 0 for r in tables.values())
    assert tables["tickets"]["unchanged"] == 4


def test_zz_both_stores_end_the_same_and_the_server_file_goes(twins: Twins) -> None:
    """(Last: it stops the server.) Every table as the direct imports left the twin."""
    broken = str(twins.folder / "zendesk_broken.csv")
    for key, args in [("good", GOOD), ("broken", (broken, "--mapping", str(MAPPING)))]:
        _through_and_direct(twins, key, *args)
    twins.both("again", *GOOD, "--json")
    twins.proc.send_signal(signal.SIGINT)  # Ctrl+C
    twins.proc.wait(timeout=120)
    assert server_file(str(twins.served)) is not None
    assert not _file(twins.served).exists()
    moments = {"rejected_at", "started_at", "finished_at"}  # (when it ran)
    with (
        duckdb.connect(str(twins.served), read_only=True) as a,
        duckdb.connect(str(twins.direct), read_only=True) as b,
    ):
        for name in [*TABLES, "import_rejects", "import_log"]:
            columns = [r[0] for r in a.sql(f'DESCRIBE "{name}"').fetchall()]
            if name.startswith("import_"):
                columns = [c for c in columns if c not in moments]
            picked = ", ".join(f'"{c}"' for c in columns)
            query = f'SELECT {picked} FROM "{name}" ORDER BY ALL'
            assert a.sql(query).to_arrow_table().equals(b.sql(query).to_arrow_table()), name


def test_a_stale_server_file_is_ignored_and_replaced(base: Base, tmp_path: Path) -> None:
    db = _copy(base, tmp_path, "stale.duckdb")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # its pid is free once it ended
    dead.wait()
    record = _file(db)
    port = free_port()  # nothing listens there
    for pid in (dead.pid, os.getpid()):  # a dead process; a live one that is no server
        record.write_text(
            json.dumps({"url": f"http://127.0.0.1:{port}", "token": "t", "pid": pid}), "utf-8"
        )
        assert find_server(str(db)) is None
        done = sanjeh("import", *GOOD, "--db", str(db))
        assert done.returncode == 0, done.stderr
        assert "through the running server" not in done.stderr  # imported directly
    with serving(db, tmp_path / "serve.log") as proc:
        found = read_record(record)
        assert found.pid == proc.pid and found.token != "t"
        proc.send_signal(signal.SIGTERM)  # `kill`: removed too
        proc.wait(timeout=120)
    assert not record.exists()
