"""Krippendorff's alpha, computed with the coincidence matrix.

Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School
for Communication, University of Pennsylvania. alpha = 1 − D_o / D_e with

- o_ck = Σ_u (number of c–k pairs in unit u) / (m_u − 1), units with m_u ≥ 2 values;
- n_c = Σ_k o_ck, n = Σ_c n_c;
- D_o = Σ_c Σ_k o_ck δ²_ck / n,  D_e = Σ_c Σ_k n_c n_k δ²_ck / (n (n − 1)).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import permutations
from typing import Any, Literal

from ..errors import WorkflowError

Level = Literal["nominal", "ordinal", "interval"]


def krippendorff_alpha(
    units: Sequence[Sequence[Any]],
    level: Level = "interval",
) -> float | None:
    """Agreement among coders: ``units`` is one list per item of the coders' values
    (None = missing). 1 = perfect agreement, 0 = chance level, < 0 = systematic
    disagreement. None when no unit has two values. When every pair of values agrees
    the result is 1.0 (also when all values are equal, where D_e = 0)."""
    if level not in ("nominal", "ordinal", "interval"):
        raise WorkflowError(f"unknown level {level!r}; use nominal, ordinal or interval")
    coincidences: defaultdict[tuple[Any, Any], float] = defaultdict(float)
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for a, b in permutations(values, 2):
            coincidences[(a, b)] += 1.0 / (m - 1)
    if not coincidences:
        return None
    totals: defaultdict[Any, float] = defaultdict(float)
    for (c, _), o in coincidences.items():
        totals[c] += o
    n = sum(totals.values())
    delta = _delta(level, totals)
    observed = sum(o * delta(c, k) for (c, k), o in coincidences.items()) / n
    if observed == 0:
        return 1.0
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in totals for k in totals) / (
        n * (n - 1)
    )
    if expected == 0:
        return None  # pragma: no cover - observed > 0 implies expected > 0
    return 1.0 - observed / expected


def _delta(level: Level, totals: dict[Any, float]) -> Callable[[Any, Any], float]:
    if level == "nominal":
        return lambda c, k: 0.0 if c == k else 1.0
    if level == "interval":
        return lambda c, k: (float(c) - float(k)) ** 2
    ordered = sorted(totals)
    cumulative: dict[Any, float] = {}
    running = 0.0
    for v in ordered:
        cumulative[v] = running  # Σ n_g for g < v
        running += totals[v]

    def ordinal(c: Any, k: Any) -> float:
        lo, hi = (c, k) if cumulative[c] <= cumulative[k] else (k, c)
        between = cumulative[hi] + totals[hi] - cumulative[lo]  # Σ n_g, lo ≤ g ≤ hi
        return (between - (totals[c] + totals[k]) / 2.0) ** 2

    return ordinal
