"""What a KPI result must say besides its numbers: partial periods and notes.

A number is shown only for a window that has closed and a range that was asked for;
where a value is missing or needs care, the row says why (``note``) instead of
leaving the reader to guess:

- *partial* periods: the first and last periods are clipped to the report's range,
  and a period that ends after the data's last instant has not closed. A partial
  period is not compared with the period before (a few days against a whole month
  would read as a collapse).
- *pending* rows: outcomes not known yet (an FCR or reopen window still open).
- *absent* KPIs: a breakdown or filter that does not apply, or no rows at all, gives one
  row without a value and its reason, never no row.
- *outliers*: one duration that makes up most of a mean's total (one Twitter thread
  answered six years late can be 99 % of all waiting time).
- *predictions*: a KPI that is a model's estimate (inferred CSAT) says so on every row.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._columns import DIMENSIONS, RESULT_COLUMNS
from ._periods import next_key, previous_key, start_of

if TYPE_CHECKING:
    from ._engine import Query
    from ._registry import KPI

_EPOCH = dt.datetime(1970, 1, 1)
#: a mean is flagged when one value is at least this share of the total …
OUTLIER_SHARE = 0.5
#: … over at least this many values (with fewer, one value is always a large share)
OUTLIER_MIN_N = 5


def _local(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else _EPOCH + dt.timedelta(seconds=seconds)


def period_bounds(
    q: Query, keys: list[Any], data_end: float | None
) -> dict[Any, tuple[dt.datetime, bool, bool]]:
    """Per period key: (shown start, partial, after the data) in local time.

    The shown start of the first period is the report's start when that falls inside
    it; a period is partial when the report's range cuts it or when it ends after the
    data's last instant (``data_end``); it is *after the data* when it starts after it.
    """
    assert q.period is not None
    start, end, last = _local(q.start), _local(q.end), _local(data_end)
    out = {}
    for k in keys:
        lo, hi = start_of(q.period, k), start_of(q.period, next_key(q.period, k))
        cut_start = start is not None and lo < start < hi
        cut_end = end is not None and lo < end < hi
        open_ = last is not None and hi > last
        after = last is not None and lo > last
        shown = start if cut_start and start is not None else lo
        out[k] = (shown, cut_start or cut_end or open_, after)
    return out


def mark_periods(out: pd.DataFrame, q: Query, meta: dict[str, KPI]) -> pd.DataFrame:
    """Clip period starts, mark partial periods, leave them uncompared, and empty the
    periods that start after the data ends (a count of 0 there would be a guess)."""
    assert q.period is not None
    period = q.period
    keys = list(out["_period"].unique())
    every = keys + [previous_key(period, k) for k in keys]
    sources = out.kpi.map(lambda k: meta[k].source)
    bounds = {s: period_bounds(q, every, q.data_end(s)) for s in sources.unique()}
    cells = [bounds[s][k] for s, k in zip(sources, out["_period"], strict=True)]
    before = [
        bounds[s][previous_key(period, k)][1] for s, k in zip(sources, out["_period"], strict=True)
    ]
    partial = np.array([c[1] for c in cells], dtype=bool)
    after = np.array([c[2] for c in cells], dtype=bool)
    out = out.assign(period_start=[c[0] for c in cells], partial=partial)
    out.loc[partial | np.array(before, dtype=bool), "previous"] = np.nan
    if after.any():
        for col in ("value", "mean", "median", "p90", "sd", "max", "successes", "previous"):
            if col in out:
                out.loc[after, col] = np.nan
        out.loc[after, "n"] = 0
        # (keep the notes a custom KPI gave its other periods)
        out["_note"] = out["_note"].astype(object) if "_note" in out else None
        out.loc[after, "_note"] = "no data yet: the period starts after the data's last instant"
    return out


def notes(out: pd.DataFrame, meta: dict[str, KPI], q: Query) -> list[str | None]:
    """The note of each row (None: nothing to say)."""
    options, surveys = q.config.options, q.config.surveys

    def column(name: str) -> pd.Series:
        return out[name] if name in out else pd.Series([None] * len(out), index=out.index)

    result: list[str | None] = []
    columns = zip(
        out.kpi,
        out.n,
        out["pending"],
        out["mean"],
        out["median"],
        out["max"],
        column("_note"),
        column("_hidden"),
        column("_invited"),
        column("_responded"),
        column("_left_out"),
        strict=True,
    )
    for row in columns:
        name, n, pending, mean, median, top, already, hidden, invited, responded, out_ = row
        kpi = meta[name]
        said: list[str] = [already] if isinstance(already, str) else []
        if kpi.unmeasured and not said and not pd.isna(n) and n == 0:
            said.append(kpi.unmeasured)
        if kpi.pending is not None and pending and not pd.isna(pending):
            said.append(pending_note(kpi, options, int(pending)))
        if kpi.left_out is not None and out_ and not pd.isna(out_):
            said.append(f"{int(out_):,} {kpi.left_out_reason}")
        if isinstance(hidden, bool | np.bool_) and hidden and n > 0:  # (not after the data)
            said.append(hidden_note(kpi, surveys.min_group))
        if kpi.invitations is not None:
            said += survey_warnings(
                n, invited, responded, surveys.min_answers, surveys.min_response_rate
            )
        share = _outlier_share(n, mean, top) if kpi.kind == "duration" else None
        if share is not None:
            unit = kpi.unit
            rest = (mean * n - top) / (n - 1)
            said.append(
                f"one value ({human(unit, top)}) is {share:.0%} of the total: it dominates "
                f"the mean ({human(unit, mean)}); without it the mean is {human(unit, rest)}, "
                f"the median {human(unit, median)}"
            )
        if kpi.predicted:
            said.append(kpi.predicted)
        result.append("; ".join(said) if said else None)
    return result


def pending_reason(kpi: KPI, options: Any) -> str:
    """What a KPI's pending rows are, with the options' values filled in."""
    return kpi.pending_reason.format(**_fields(options))


def pending_note(kpi: KPI, options: Any, pending: int) -> str:
    """The note's sentence about ``pending`` rows (always the note's first)."""
    return f"{pending:,} {pending_reason(kpi, options)} are not counted yet"


def _fields(options: Any) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}


def _outlier_share(n: Any, mean: Any, top: Any) -> float | None:
    if pd.isna(n) or pd.isna(mean) or pd.isna(top) or n < OUTLIER_MIN_N:
        return None
    total = mean * n
    if total <= 0 or top <= 0:
        return None
    share = float(top / total)
    return share if share >= OUTLIER_SHARE else None


def human(unit: str, value: Any) -> str:
    """A compact reading of a value for a note (seconds as days / hours / minutes)."""
    if value is None or pd.isna(value):
        return "—"
    v = float(value)
    if unit == "seconds":
        for size, name in ((86_400, "d"), (3600, "h"), (60, "m")):
            if abs(v) >= size:
                return f"{v / size:,.1f}{name}"
        return f"{v:,.0f}s"
    if unit == "ratio":
        return f"{v * 100:.1f}%"
    return f"{v:,.2f}"


#: why a KPI has not a single row, by the fact table it reads
_NO_ROWS = {
    "tickets": "no tickets",
    "replies": "no agent replies",
    "surveys": "no survey responses",
    "invitations": "no survey invitations sent by Sanjeh",
    "quality": "no analysed conversations (run `sanjeh analyze` to score them)",
    "reviews": "no QA reviews",
    "calls": "no calls",
    "customers": "no customers",
    "shifts": "no agent shifts",
    "views": "no knowledge-base article views (article_views)",
}


def anonymity_refusal(kpi: KPI, by: list[str], filters: list[str]) -> str | None:
    """Why an anonymous KPI refuses a breakdown or filter (None: it takes them all):
    only its own dimensions (the team …), never an agent, whose answers would show."""
    if not kpi.anonymous:
        return None
    allowed = kpi.dimensions or ()
    possible = ", ".join(allowed) or "none"
    for what, asked in (("broken down", by), ("filtered", filters)):
        for d in asked:
            if d not in allowed:
                return (
                    f"not {what} by {d}: {kpi.title} answers are anonymous, shown per "
                    f"{possible} only (possible: {possible})"
                )
    return None


def hidden_note(kpi: KPI, min_group: int) -> str:
    """The note of an anonymous KPI's group too small to show."""
    what = "invitations" if kpi.source == "invitations" else "answers"
    return f"fewer than {min_group} {what}: hidden to keep answers anonymous ([surveys] min_group)"


def survey_warnings(
    n: Any, invited: Any, responded: Any, min_answers: int, min_rate: float
) -> list[str]:
    """Why a survey figure needs care: few answers, or a low response rate."""
    said: list[str] = []
    if pd.isna(n) or n <= 0:
        return said
    if n < min_answers:
        said.append(
            f"rests on {int(n):,} answer{'' if n == 1 else 's'}, fewer than {min_answers} "
            "([surveys] min_answers): "
            "read it with care"
        )
    if not pd.isna(invited) and invited > 0 and not pd.isna(responded):
        rate = float(responded) / float(invited)
        if rate < min_rate:
            said.append(
                f"response rate {rate:.1%} ({int(responded):,} of {int(invited):,} "
                f"invitations), under {min_rate:.0%} ([surveys] min_response_rate): those "
                "who answered may not speak for the others"
            )
    return said


def inapplicable(kpi: KPI, by: list[str], filters: list[str]) -> str | None:
    """Why a breakdown or filter rules ``kpi`` out (None: it applies)."""
    refused = anonymity_refusal(kpi, by, filters)
    if refused is not None:
        return refused
    dims = DIMENSIONS[kpi.source]
    allowed = kpi.dimensions if kpi.dimensions is not None else tuple(dims)
    for d in by:
        if d not in dims:
            return (
                f"cannot be broken down by {d}: {kpi.source} data has no {d} "
                f"(possible: {', '.join(allowed) or 'none'})"
            )
        if d not in allowed:
            return (
                f"not broken down by {d}: it means nothing per {d} "
                f"(possible: {', '.join(allowed) or 'none'})"
            )
    for d in filters:
        if d not in dims:
            return (
                f"the {d} filter does not apply: {kpi.source} data has no {d} "
                f"(possible filters: {', '.join(dims)})"
            )
    return None


def with_absent(
    out: pd.DataFrame | None, q: Query, chosen: list[KPI], absent: dict[str, str]
) -> pd.DataFrame:
    """``out`` plus one row without a value, with its reason, per KPI ruled out or
    without a single row to aggregate."""
    cols = [*RESULT_COLUMNS[:3], *q.by, *RESULT_COLUMNS[3:]]
    found = set(out.kpi) if out is not None else set()
    zero: set[str] = set()  # counted nothing: 0, the honest answer without a breakdown
    for kpi in chosen:
        if kpi.name not in found and kpi.name not in absent:
            if kpi.kind in ("count", "level") and not q.by and q.period is None:
                zero.add(kpi.name)
            absent[kpi.name] = (
                _NO_ROWS.get(kpi.source, f"no {kpi.source} data")
                + (" match the filters" if q.filters else "")
                + (" in this range" if q.start is not None or q.end is not None else "")
            )
    if not absent:
        return out if out is not None else pd.DataFrame(columns=cols)
    meta = {k.name: k for k in chosen}
    rows = pd.DataFrame(
        {
            "kpi": list(absent),
            "title": [meta[k].title for k in absent],
            "unit": [meta[k].unit for k in absent],
            "n": 0,
            "value": [0.0 if k in zero else np.nan for k in absent],
            "partial": False,
            "note": [
                None if k in zero else _with_predicted(meta[k], why) for k, why in absent.items()
            ],
        }
    )
    for col in cols:
        if col not in rows:
            rows[col] = None if col in ("period", "status", *q.by) else np.nan
    rows["period_start"] = pd.NaT
    rows = rows[cols]
    if out is None or out.empty:
        return rows.reset_index(drop=True)
    both = pd.concat([out, rows], ignore_index=True)
    order = {k.name: i for i, k in enumerate(chosen)}
    return both.sort_values("kpi", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _with_predicted(kpi: KPI, note: str) -> str:
    """A row of a predicted KPI says it is a prediction, even without a value."""
    return f"{note}; {kpi.predicted}" if kpi.predicted else note


def without_empty_unknowns(out: pd.DataFrame, q: Query) -> pd.DataFrame:
    """Leave out a KPI's "no team / no segment …" group when it has no rows for that KPI
    in any period: such a group exists only because other KPIs of the same scan have
    rows without that breakdown (eNPS answers have no customer segment). A named group
    with n = 0 stays: a team that answered nothing is news."""
    if not q.by or out.empty:
        return out
    unknown = out[q.by].isna().any(axis=1)
    if not unknown.any():
        return out
    keys = [out.kpi, *(out[d].astype(object).where(out[d].notna(), "\0") for d in q.by)]
    total = out.n.groupby(keys).transform("sum")
    return out[~(unknown & (total == 0))]
