"""On a real DuckDB store (a small demo): assignments imported from a CSV with
``sanjeh import``, ``sanjeh experiment …`` on it, and the results recomputed with pandas
from the facts, written from the definitions in docs/experiments.md (not from the
library's code)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from sanjeh.cli import main
from sanjeh.demo import generate
from sanjeh.store import Store

START, END = dt.date(2026, 8, 20), dt.date(2026, 10, 20)
TOML = """
[[experiments]]
name = "greeting"
title = "Warm greeting"
variants = ["control", "warm"]
assignment = "table"
metric = "csat"
guardrails = ["resolution_time", "reopen", "fcr", "first_reply_time", "handle_time"]
start = "2026-08-20"
end = "2026-10-20"
mde = 0.04

[[experiments]]
name = "skewed"
variants = ["control", "warm"]
assignment = "table"
metric = "resolution_time"
start = "2026-08-20"
end = "2026-10-20"

[[experiments]]
name = "seq"
variants = ["control", "warm"]
metric = "resolution_time"
assignment = "table"
design = "sequential"
start = "2026-08-20"
end = "2026-10-20"

[[experiments]]
name = "tags"
variants = ["android", "vip"]
assignment = "tag"
metric = "reopen"
start = "2026-08-20"

[[experiments]]
name = "channels"
variants = ["email", "chat", "social"]
weights = [2, 2, 1]
assignment = "field"
field = "channel"
metric = "first_reply_time"
start = "2026-08-20"
end = "2026-10-20"

[[experiments]]
name = "hashed"
variants = ["a", "b"]
assignment = "hash"
metric = "fcr"
seed = "s"
start = "2026-08-20"
end = "2026-10-20"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("experiments")
    db = str(folder / "d.duckdb")
    with Store.open(db) as store:
        generate(store, tickets=2500, seed=21, transcripts=False)
        tickets = store.table("tickets").select("ticket_id").execute()
    ids = sorted(tickets.ticket_id)
    rng = np.random.default_rng(99)
    rows = []
    for t in ids:
        for name, share in (("greeting", 0.5), ("skewed", 0.5), ("seq", 0.5), ("srm", 0.68)):
            variant = "warm" if rng.random() < share else "control"
            rows.append((f"{name}/{t}", "helpdesk", name, t, variant, "2026-08-01T00:00:00Z"))
    # a ticket with two different variants, one with a variant not configured (both
    # created in the window: the middle of the demo's three months)
    mid = len(ids) // 2
    two, odd = ids[mid + 10], ids[mid + 12]
    rows.append((f"greeting/x-{two}", "helpdesk", "greeting", two, "warm", "2026-08-01"))
    rows.append((f"greeting/y-{two}", "helpdesk", "greeting", two, "control", "2026-08-01"))
    rows = [r for r in rows if r[0] != f"greeting/{odd}"]
    rows.append((f"greeting/{odd}", "helpdesk", "greeting", odd, "cold", "2026-08-01"))
    path = folder / "experiment_assignments.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["assignment_id", "source", "experiment", "ticket_id", "variant", "assigned_at"])
        w.writerows(rows)
    (folder / "sanjeh.toml").write_text(
        TOML
        + TOML.split("[[experiments]]")[1]
        .replace('"greeting"', '"srm"', 1)
        .join(["\n[[experiments]]", ""]),
        encoding="utf-8",
    )
    return {"db": db, "folder": folder, "csv": path, "ids": ids}


@pytest.fixture
def here(site: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(site["folder"])
    return site


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def imported(here: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "import", str(here["csv"]), "--db", here["db"])
    assert code == 0, err


def results_json(here: dict[str, Any], capsys: pytest.CaptureFixture[str], name: str) -> Any:
    imported(here, capsys)
    code, out, err = run(capsys, "experiment", "results", name, "--db", here["db"], "--json")
    assert code == 0, err
    return json.loads(out)


# -- the independent recomputation ------------------------------------------------------


def facts(db: str) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(db, read_only=True)
    try:
        return {
            "t": con.sql("select * from facts_tickets").arrow().read_all().to_pandas(),
            "s": con.sql("select * from facts_surveys").arrow().read_all().to_pandas(),
            "c": con.sql("select * from facts_calls").arrow().read_all().to_pandas(),
            "a": con.sql("select * from experiment_assignments").arrow().read_all().to_pandas(),
        }
    finally:
        con.close()


def in_window(t: pd.DataFrame, end: dt.date | None = END) -> pd.DataFrame:
    local = pd.to_datetime(t.created_local, unit="s").dt.date
    keep = (local >= START) & ~t.is_merged.astype(bool)
    if end is not None:
        keep &= local < end
    return t[keep]


def table_variants(f: dict[str, pd.DataFrame], name: str, variants: set[str]) -> pd.DataFrame:
    a = f["a"][f["a"].experiment == name]
    per = a.groupby("ticket_id").variant.agg(lambda s: sorted(set(s)))
    ok = per[per.map(lambda v: len(v) == 1 and v[0] in variants)].map(lambda v: v[0])
    t = in_window(f["t"])
    return t.merge(ok.rename("variant").reset_index(), on="ticket_id")


def csat_of(f: dict[str, pd.DataFrame], t: pd.DataFrame) -> pd.DataFrame:
    s = f["s"][(f["s"].survey == "csat") & f["s"].answered.astype(bool) & f["s"].ticket_id.notna()]
    last = s.sort_values("at").groupby("ticket_id").tail(1)[["ticket_id", "satisfied"]]
    return t.merge(last, on="ticket_id")


def test_results_match_pandas(here: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    got = results_json(here, capsys, "greeting")
    f = facts(here["db"])
    t = table_variants(f, "greeting", {"control", "warm"})
    # assignment counts and the sample-ratio test
    counts = t.variant.value_counts()
    assert got["assigned"] == {"control": counts["control"], "warm": counts["warm"]}
    chi = sps.chisquare([counts["control"], counts["warm"]])
    assert got["srm"]["p_value"] == pytest.approx(chi.pvalue) and not got["srm"]["flag"]
    notes = " ".join(got["notes"])
    assert "1 ticket(s) left out: assigned several different variants" in notes
    assert "1 ticket(s) left out: assigned a variant that is not configured" in notes
    # csat: the last answer per ticket
    c = csat_of(f, t)
    x = c.groupby("variant").satisfied.agg(["sum", "count"])
    prim = got["primary"]
    by = {v["variant"]: v for v in prim["variants"]}
    for v in ("control", "warm"):
        assert by[v]["n"] == x.loc[v, "count"]
        assert by[v]["value"] == pytest.approx(x.loc[v, "sum"] / x.loc[v, "count"])
    (comp,) = prim["comparisons"]
    _, p = proportions_ztest(
        [x.loc["warm", "sum"], x.loc["control", "sum"]],
        [x.loc["warm", "count"], x.loc["control", "count"]],
    )
    assert comp["p_value"] == pytest.approx(p)
    ci = confint_proportions_2indep(
        x.loc["warm", "sum"],
        x.loc["warm", "count"],
        x.loc["control", "sum"],
        x.loc["control", "count"],
        method="newcomb",
    )
    assert comp["effect"]["ci"] == pytest.approx(list(ci))
    assert comp["test"] == "two-proportion z-test (pooled)"
    guards = {g["metric"]: g for g in got["guardrails"]}
    # resolution time: solved tickets, business seconds; Welch on log1p, and MWU
    solved = t[t.solved_at.notna()]
    a = solved[solved.variant == "control"].full_resolution_bs.to_numpy(float)
    b = solved[solved.variant == "warm"].full_resolution_bs.to_numpy(float)
    (rc,) = guards["resolution_time"]["comparisons"]
    welch = sps.ttest_ind(np.log1p(b), np.log1p(a), equal_var=False)
    assert rc["p_value"] == pytest.approx(welch.pvalue)
    ratio = np.expm1(np.log1p(b).mean() - np.log1p(a).mean())
    assert rc["effect"]["relative"] == pytest.approx(ratio)
    assert rc["effect"]["absolute"] == pytest.approx(np.median(b) - np.median(a))
    sec = {s["test"]: s for s in rc["secondary"]}
    mwu = sps.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic")
    assert sec["Mann-Whitney U"]["p_value"] == pytest.approx(mwu.pvalue)
    raw = sps.ttest_ind(b, a, equal_var=False)
    assert sec["Welch t-test on the mean (seconds)"]["p_value"] == pytest.approx(raw.pvalue)
    by = {v["variant"]: v for v in guards["resolution_time"]["variants"]}
    assert by["control"]["median"] == pytest.approx(np.median(a))
    assert by["warm"]["mean"] == pytest.approx(b.mean())
    # reopen: pending tickets are left out and counted, never counted as 0
    settled = solved[~solved.reopen_pending.astype(bool)]
    by = {v["variant"]: v for v in guards["reopen"]["variants"]}
    for v in ("control", "warm"):
        mine = settled[settled.variant == v]
        assert by[v]["n"] == len(mine)
        assert by[v]["value"] == pytest.approx(mine.reopened.astype(float).mean())
        assert by[v]["pending"] == int(solved[solved.variant == v].reopen_pending.sum())
    assert sum(v["pending"] for v in by.values()) > 0  # the check above can fail
    # handle time: talk + hold + wrap of the answered calls of the ticket
    calls = f["c"][f["c"].answered.astype(bool) & f["c"].handle_s.notna()]
    handle = calls.groupby("ticket_id").handle_s.sum().rename("h").reset_index()
    h = t.merge(handle, on="ticket_id")
    by = {v["variant"]: v for v in guards["handle_time"]["variants"]}
    for v in ("control", "warm"):
        assert by[v]["n"] == (h.variant == v).sum()
        assert by[v]["mean"] == pytest.approx(h[h.variant == v].h.mean())
    # the sample size from the control's csat rate, mde 0.04, toward 0.5
    p1 = x.loc["control", "sum"] / x.loc["control", "count"]
    za, zb = sps.norm.ppf(0.975), sps.norm.ppf(0.8)
    p2 = p1 - 0.04 if p1 > 0.5 else p1 + 0.04
    pbar = (p1 + p2) / 2
    n = (za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2
    assert got["sample_size"]["control"] == int(np.ceil(n / (p2 - p1) ** 2))
    assert got["status"] == "collecting" and got["verdict"].startswith("not yet:")


def test_sample_ratio_mismatch_says_do_not_trust(
    here: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    got = results_json(here, capsys, "srm")
    assert got["srm"]["flag"] and got["srm"]["p_value"] < 0.001
    assert got["status"] == "srm" and "do not trust" in got["verdict"]


def test_sequential_interval_is_wider(here: dict[str, Any], capsys) -> None:
    fixed = results_json(here, capsys, "skewed")["primary"]["comparisons"][0]
    seq = results_json(here, capsys, "seq")["primary"]["comparisons"][0]
    assert seq["test"].startswith("always-valid")
    lo, hi = seq["effect"]["ci_relative"]
    assert lo <= fixed["effect"]["ci_relative"][0] and hi >= fixed["effect"]["ci_relative"][1]
    assert seq["p_value"] >= seq["secondary"][0]["p_value"]


def test_tag_field_and_hash_assignments(here: dict[str, Any], capsys) -> None:
    tags = results_json(here, capsys, "tags")  # (builds the facts)
    f = facts(here["db"])
    t = in_window(f["t"], end=None)
    has = t.tags.map(lambda v: {x for x in (v if v is not None else []) if x in ("android", "vip")})
    assert tags["assigned"] == {
        "android": int((has.map(lambda s: s == {"android"})).sum()),
        "vip": int((has.map(lambda s: s == {"vip"})).sum()),
    }
    notes = " ".join(tags["notes"])
    assert f"{int((has.map(len) == 0).sum())} ticket(s) left out: no variant tag" in notes
    several = int((has.map(len) == 2).sum())
    assert several > 0 and f"{several} ticket(s) left out: several variant tags" in notes
    channels = results_json(here, capsys, "channels")
    t = in_window(f["t"])
    by_channel = {c: int((t.channel == c).sum()) for c in ("email", "chat", "social")}
    assert channels["assigned"] == by_channel
    hashed = results_json(here, capsys, "hashed")

    def point(tid: str) -> float:
        digest = hashlib.sha256(f"hashed\x1fs\x1f{tid}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    a = int(sum(point(x) < 0.5 for x in t.ticket_id))
    assert hashed["assigned"] == {"a": a, "b": len(t) - a}


def test_as_of_limits_the_tickets(here: dict[str, Any], capsys) -> None:
    imported(here, capsys)
    from sanjeh.experiments import get_experiment, results
    from sanjeh.settings import load_settings

    cut = dt.datetime(2026, 9, 15, 12, tzinfo=dt.UTC)
    with Store.open(here["db"]) as store:
        got = results(store, get_experiment("greeting", load_settings()), as_of=cut).as_dict()
    f = facts(here["db"])
    t = table_variants(f, "greeting", {"control", "warm"})
    t = t[t.created_at < pd.Timestamp(cut)]
    assert got["assigned"] == {v: int((t.variant == v).sum()) for v in ("control", "warm")}
    assert got["as_of"] == "2026-09-15T12:00:00Z"


# -- the other commands -------------------------------------------------------------------


def test_list_and_size(here: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "experiment", "list", "--json")
    assert code == 0
    names = [e["name"] for e in json.loads(out)]
    assert names[:2] == ["greeting", "skewed"] and "srm" in names
    code, out, _ = run(capsys, "experiment", "list")
    assert code == 0 and "greeti" in out and "skewed" in out  # (a narrow table)
    code, out, _ = run(
        capsys,
        "experiment",
        "size",
        "--metric",
        "csat",
        "--baseline",
        "0.8",
        "--mde",
        "0.03",
        "--json",
    )
    assert code == 0 and json.loads(out)["control"] == 2943
    code, out, _ = run(
        capsys, "experiment", "size", "--metric", "csat", "--baseline", "0.8", "--mde", "0.03"
    )
    assert code == 0 and "2,943 control + 2,943 variant = 5,886" in out
    code, _, err = run(
        capsys, "experiment", "size", "--metric", "nps", "--baseline", "0.8", "--mde", "0.03"
    )
    assert code == 1 and "--metric must be one of csat" in err
    code, _, err = run(
        capsys, "experiment", "size", "--metric", "csat", "--baseline", "1.5", "--mde", "0.03"
    )
    assert code == 1 and "baseline must be in (0, 1)" in err


def test_results_text_and_errors(here: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    imported(here, capsys)
    code, out, _ = run(capsys, "experiment", "results", "greeting", "--db", here["db"])
    assert code == 0
    assert "Warm greeting (greeting): not yet:" in out and "guardrail: reopen" in out
    flat = " ".join(out.split())
    assert "two-proportion z-test (pooled)" in flat and "sample ratio" in flat
    assert "warm vs control:" in flat and "p = " in flat
    code, _, err = run(capsys, "experiment", "results", "nope", "--db", here["db"])
    assert code == 1 and "no experiment 'nope'; configured: greeting" in err


def test_assign_keeps_existing_assignments(here: dict[str, Any], capsys) -> None:
    imported(here, capsys)
    ids = here["ids"]
    code, out, err = run(
        capsys, "experiment", "assign", "hashed", ids[0], ids[1], "--db", here["db"], "--json"
    )
    assert code == 0, err
    first = json.loads(out)
    assert [r["created"] for r in first] == [True, True]
    assert all(
        r["method"] == "hash" and r["assignment_id"] == f"hashed/{r['ticket_id']}" for r in first
    )
    code, out, _ = run(
        capsys, "experiment", "assign", "hashed", ids[0], "--db", here["db"], "--json"
    )
    (again,) = json.loads(out)
    assert not again["created"] and again["variant"] == first[0]["variant"]
    assert again["assigned_at"] == first[0]["assigned_at"]
    # an imported assignment is kept, whatever the hash says
    code, out, _ = run(
        capsys, "experiment", "assign", "greeting", ids[3], "--db", here["db"], "--json"
    )
    (kept,) = json.loads(out)
    assert (kept["method"], kept["created"], kept["source"]) == ("imported", False, "helpdesk")
    code, _, err = run(capsys, "experiment", "assign", "hashed", "demo:none", "--db", here["db"])
    assert code == 1 and "no ticket 'demo:none'" in err
    code, _, err = run(capsys, "experiment", "assign", "tags", ids[0], "--db", here["db"])
    assert code == 1 and "reads each ticket's variant from its tags" in err
