"""`export --redact` and `import --redact`: personal data never leaves / enters the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sanjeh.cli import main
from sanjeh.store import Store

EMAIL, PHONE, CARD = "ali.rezaei@example.com", "۰۹۱۲۳۴۵۶۷۸۹", "4111 1111 1111 1111"
NAME = "Ali Rezaei"
SECRETS = (EMAIL, PHONE, CARD, NAME)
AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

TABLES = {
    "tickets": [
        {"ticket_id": "r:1", "source": "r", "created_at": AT, "subject": f"refund for {EMAIL}"},
        {"ticket_id": "r:2", "source": "r", "created_at": AT, "subject": None},
    ],
    "events": [
        {
            "event_id": "r:1-1",
            "ticket_id": "r:1",
            "at": AT,
            "kind": "message",
            "actor_type": "customer",
            "body": f"شماره من {PHONE} است و کارت {CARD}",
        },
        {
            "event_id": "r:1-2",
            "ticket_id": "r:1",
            "at": AT,
            "kind": "message",
            "actor_type": "agent",
            "body": "ممنون، بررسی می‌کنم",
        },
    ],
    "customers": [{"customer_id": "r:c1", "source": "r", "name": NAME, "email": EMAIL}],
    "survey_responses": [
        {
            "response_id": "r:s1",
            "source": "r",
            "survey": "csat",
            "scale_min": 1,
            "scale_max": 5,
            "score": 2.0,
            "comment": f"call me on {PHONE}",
        }
    ],
}


def fill(store: Store) -> Store:
    for name, rows in TABLES.items():
        store.write(name, rows)
    return store


@pytest.mark.parametrize("table", sorted(TABLES))
def test_export_with_redact_leaves_no_personal_data(store: Store, tmp_path: Path, table) -> None:
    fill(store)
    plain, redacted = tmp_path / "plain.csv", tmp_path / "redacted.parquet"
    store.export(table, plain)
    store.export(table, redacted, redact=True)
    before = plain.read_text(encoding="utf-8")
    after = pq.read_table(redacted).to_pylist()
    assert any(s in before for s in SECRETS)  # the plain export is a faithful copy
    assert not any(s in str(v) for row in after for v in row.values() for s in SECRETS)
    assert len(after) == len(TABLES[table])


def test_redacted_values_keep_the_text_around_them(store: Store, tmp_path: Path) -> None:
    fill(store)
    out = tmp_path / "events.csv"
    store.export("events", out, redact=True)
    content = out.read_text(encoding="utf-8")
    assert "شماره من [PHONE] است و کارت [CARD]" in content
    assert "ممنون، بررسی می‌کنم" in content  # nothing to redact: unchanged
    store.export("customers", out, redact=True)
    assert "[NAME]" in out.read_text(encoding="utf-8")


def run(*args: str) -> int:
    return main(list(args))


def write_csv(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("redact", [True, False])
def test_import_with_redact_stores_redacted_text(tmp_path: Path, redact: bool) -> None:
    db = str(tmp_path / "r.duckdb")
    tickets = write_csv(
        tmp_path / "tickets.csv",
        "ticket_id,created_at,subject",
        f"1,2026-03-02T09:00:00Z,mail {EMAIL}",
        f"2,someday,about {EMAIL}",  # rejected: quarantined with its raw row
    )
    events = write_csv(
        tmp_path / "events.csv",
        "event_id,ticket_id,at,kind,actor_type,body",
        f'e1,1,2026-03-02T09:00:00Z,message,customer,"call {PHONE}, card {CARD}"',
    )
    customers = write_csv(
        tmp_path / "customers.csv", "customer_id,name,email", f"c1,{NAME},{EMAIL}"
    )
    flag = ["--redact"] if redact else []
    for path, fmt in ((tickets, "tickets"), (events, "events"), (customers, "customers")):
        assert run("import", str(path), "-f", fmt, "--db", db, *flag) == 0
    with Store.open(db) as store:
        stored = {
            name: store.table(name).to_pyarrow().to_pylist()
            for name in ("tickets", "events", "customers", "import_rejects")
        }
    text = repr(stored)
    if redact:
        assert not any(s in text for s in SECRETS)
        assert stored["tickets"][0]["subject"] == "mail [EMAIL]"
        assert stored["events"][0]["body"] == "call [PHONE], card [CARD]"
        assert (stored["customers"][0]["name"], stored["customers"][0]["email"]) == (
            "[NAME]",
            "[EMAIL]",
        )
        assert "[EMAIL]" in stored["import_rejects"][0]["raw"]
    else:
        assert stored["events"][0]["body"] == f"call {PHONE}, card {CARD}"
        assert stored["customers"][0]["name"] == NAME
        assert EMAIL in stored["import_rejects"][0]["raw"]
