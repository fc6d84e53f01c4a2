"""Running totals per breakdown over periods: active customers (churn, retention).

(The backlog is a ``level`` KPI that the engine computes itself.)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._engine import Query


def running(q: Query, plus: pd.DataFrame, minus: pd.DataFrame) -> pd.DataFrame:
    """Net of ``plus`` and ``minus`` counts (column n) per key, accumulated over periods.

    Returns the keys with columns ``added``, ``removed`` and ``level`` (the running total
    at the end of each period). Keys of periods before the report are kept: the caller's
    previous-period logic and window filter drop them.
    """
    keys = q.keys
    if plus.empty and minus.empty:  # (merging empty Arrow-typed frames fails)
        empty = {k: pd.Series(dtype="object") for k in keys}
        return pd.DataFrame(empty).assign(
            added=pd.Series(dtype="float64"),
            removed=pd.Series(dtype="float64"),
            level=pd.Series(dtype="float64"),
        )
    both = plus.rename(columns={"n": "added"}).merge(
        minus.rename(columns={"n": "removed"}), on=keys, how="outer"
    )
    if q.period is not None and not both.empty:  # every period, also the quiet ones
        seen: list[Any] = list(both._period.unique())
        periods: list[Any] = sorted(set(seen) | set(q.period_keys(seen)))
        combos = both[q.by].drop_duplicates() if q.by else pd.DataFrame(index=[0])
        grid = combos.merge(pd.DataFrame({"_period": periods}), how="cross")
        both = grid.merge(both, on=keys, how="left")
    both = both.fillna({"added": 0, "removed": 0})
    if both.empty:
        return both.assign(level=pd.Series(dtype="float64"))
    order = _period_order(q, both["_period"])
    both = both.assign(_order=both["_period"].map(order)).sort_values([*q.by, "_order"])
    if q.by:
        both["level"] = (
            (both.added - both.removed).groupby([both[d] for d in q.by], dropna=False).cumsum()
        )
    else:
        both["level"] = (both.added - both.removed).cumsum()
    return both.drop(columns="_order")


def _period_order(q: Query, keys: pd.Series) -> dict[object, int]:
    if q.period is None:
        return {"base": 0, "previous": 1, "current": 2}
    return {k: i for i, k in enumerate(sorted(keys.unique()))}
