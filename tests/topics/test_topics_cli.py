"""``sanjeh topics discover / assign / list`` on a small demo store; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sanjeh.cli import main
from sanjeh.demo import generate
from sanjeh.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("tcli") / "d.duckdb")
    with Store.open(path) as store:
        generate(store, tickets=600, seed=3, days=60, transcripts=False)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_discover_list_assign(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "topics", "discover", "--db", db, "--seed", "1")
    assert code == 0 and "fa: " in out and "topics" in out and "model topics-" in out
    code, out, _ = run(capsys, "topics", "list", "--db", db, "--json")
    assert code == 0
    listed = json.loads(out)
    with Store.open(db, read_only=True) as store:
        stored = store.table("topics").execute()
        n = store.counts(["ticket_topics"])["ticket_topics"]
    assert sorted(t["topic_id"] for t in listed) == sorted(stored.topic_id)
    assert sum(t["size"] for t in listed) == n
    code, out, _ = run(capsys, "topics", "list", "--db", db)
    assert code == 0 and listed[0]["topic_id"] in out
    code, out, _ = run(capsys, "topics", "assign", "--db", db)
    assert code == 0 and "assigned 0 tickets" in out
    code, out, _ = run(capsys, "topics", "discover", "--db", db, "--language", "en", "--k", "2")
    assert code == 0 and out.startswith("en: ") and "in 2 topics" in out.replace("\n", " ")


def test_errors_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = str(tmp_path / "e.duckdb")
    Store.open(empty).close()
    code, _, err = run(capsys, "topics", "discover", "--db", empty)
    assert code == 1 and "import tickets with their messages first" in err
    code, _, err = run(capsys, "topics", "assign", "--db", empty)
    assert code == 1 and "sanjeh topics discover" in err
    code, _, err = run(capsys, "topics", "list", "--db", empty)
    assert code == 1 and "sanjeh topics discover" in err
    code, _, err = run(capsys, "topics", "discover", "--db", empty, "--k", "0")
    assert code != 0
