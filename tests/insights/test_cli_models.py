"""`sanjeh insights train` on a small demo store: the card printed, predictions written,
a clear error (and exit code 1) when churn has too short a history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sanjeh.cli import main
from sanjeh.demo import generate
from sanjeh.store import Store


@pytest.fixture(scope="module")
def a1_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("a1cli") / "d.duckdb")
    with Store.open(path) as store:
        generate(store, tickets=1200, seed=11, days=90, transcripts=False)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_train_csat_prints_the_card_and_writes_predictions(a1_db: str, capsys) -> None:
    code, out, _ = run(capsys, "insights", "train", "--model", "csat", "--db", a1_db, "--json")
    assert code == 0
    found = json.loads(out)
    (card,) = found["models"]
    assert card["model"] == "csat" and found["failed"] == []
    with Store.open(a1_db) as store:
        stored = store.table("prediction_models").execute()
        assert card["model_version"] in set(stored.model_version)
        assert card["predictions"] == store.counts(["ticket_predictions"])["ticket_predictions"]
    code, out, _ = run(capsys, "insights", "train", "--model", "csat", "--db", a1_db)
    assert code == 0
    assert "hold-out AUC" in out and "baseline" in out and "top features" in out
    assert f"wrote {card['predictions']:,} predictions to ticket_predictions" in out


def test_churn_on_three_months_says_what_to_do(a1_db: str, capsys) -> None:
    code, _, err = run(capsys, "insights", "train", "--model", "churn", "--db", a1_db)
    assert code != 0
    assert "--horizon-days" in err
    # all: csat is trained, churn skipped with its reason, and the command succeeds
    code, out, err = run(capsys, "insights", "train", "--db", a1_db)
    assert code == 0
    assert "ticket_predictions" in out and "churn not trained" in err and "--horizon-days" in err


def test_unknown_model(a1_db: str, capsys) -> None:
    code, _, err = run(capsys, "insights", "train", "--model", "nps", "--db", a1_db)
    assert code != 0 and "--model must be one of csat, churn, all" in err


def test_default_horizon_is_the_documented_one() -> None:
    """The CLI's --horizon-days default is the library's (docs/insights.md states it)."""
    import typer

    from sanjeh.cli import app
    from sanjeh.insights._models import CHURN_HORIZON_DAYS

    group = typer.main.get_command(app)
    train = group.commands["insights"].commands["train"]  # type: ignore[attr-defined]
    (horizon,) = [p for p in train.params if p.name == "horizon_days"]
    assert horizon.default == CHURN_HORIZON_DAYS == 30
    docs = (Path(__file__).parents[2] / "docs" / "insights.md").read_text(encoding="utf-8")
    prose = " ".join(docs.replace("**", "").split())
    assert f"default horizon is {CHURN_HORIZON_DAYS} days" in prose
    assert f"--horizon-days {CHURN_HORIZON_DAYS}]" in prose
