"""Argument checks shared by the models: each bad value raises StaffingError naming it.

Checked before any arithmetic, so a wrong input never turns into a NaN, an overflow
warning or a NumPy traceback further down.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import StaffingError

#: how far a float may sit above an integer and still count as it (14 / 0.7 is 20.000000000000004)
_SLACK = 1e-9


def array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array; a clear error for text, None, NaN or infinity."""
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise StaffingError(
            name, f"must be a number or an array of numbers, not {value!r}"
        ) from None
    if out.size and not np.isfinite(out).all():
        raise StaffingError(
            name, "must be finite: it holds NaN or infinity (fill or drop them first)"
        )
    return out


def non_negative(name: str, value: Any) -> np.ndarray:
    out = array(name, value)
    if (out < 0).any():
        raise StaffingError(name, f"must be 0 or more, not {out.min():g}")
    return out


#: durations the models are defined for: a millisecond to about 30 years. Beyond
#: them the ratios the formulas take (target / AHT, patience / AHT) under- or overflow
SHORTEST_S, LONGEST_S = 1e-3, 1e9
#: the most agents a plan may need: beyond it a search would run for minutes
MOST_AGENTS = 1_000_000


def positive(name: str, value: Any, unit: str = "") -> np.ndarray:
    out = array(name, value)
    if (out <= 0).any():
        what = f" ({unit})" if unit else ""
        raise StaffingError(name, f"must be greater than 0{what}, not {out.min():g}")
    if "seconds" in unit and ((out < SHORTEST_S) | (out > LONGEST_S)).any():
        bad = out[(out < SHORTEST_S) | (out > LONGEST_S)].flat[0]
        raise StaffingError(
            name, f"must be between {SHORTEST_S:g} and {LONGEST_S:g} seconds, not {bad:g}"
        )
    return out


def fraction(name: str, value: Any, *, low_open: bool, high_open: bool) -> np.ndarray:
    """A share between 0 and 1, each end included or not."""
    out = array(name, value)
    low_bad = (out <= 0) if low_open else (out < 0)
    high_bad = (out >= 1) if high_open else (out > 1)
    if (low_bad | high_bad).any():
        bad = out[low_bad | high_bad].flat[0]
        interval = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
        hint = " (write 80 % as 0.8)" if bad > 1 else ""
        raise StaffingError(name, f"must be in {interval}, not {bad:g}{hint}")
    return out


def whole(name: str, value: Any, *, minimum: int = 0) -> np.ndarray:
    """Whole numbers (agents, chats at once), as an int64 array."""
    out = array(name, value)
    if (np.abs(out - np.round(out)) > _SLACK).any():
        raise StaffingError(name, "must be whole numbers (agents are counted, not measured)")
    if (out < minimum).any():
        raise StaffingError(name, f"must be {minimum} or more, not {out.min():g}")
    if (out > MOST_AGENTS).any():
        raise StaffingError(name, f"must be {MOST_AGENTS:,} or fewer, not {out.max():g}")
    return np.round(out).astype(np.int64)


def ceil(value: np.ndarray) -> np.ndarray:
    """Round up, forgiving float noise: 14 / (1 - 0.3) is 20 agents, not 21."""
    return np.ceil(np.asarray(value, dtype=float) - _SLACK * np.maximum(1.0, np.abs(value)))


def broadcast(**arrays: np.ndarray) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """The common shape and each array flattened to it; an error naming the shapes."""
    try:
        shaped = np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise StaffingError(
            "arguments",
            f"shapes do not fit together ({shapes}): give equal-length arrays or scalars",
        ) from None
    shape = shaped[0].shape if shaped else ()
    return shape, [np.ascontiguousarray(a).reshape(-1) for a in shaped]


def shape_out(shape: tuple[int, ...], values: np.ndarray, *, integer: bool = False) -> Any:
    """Back to the callers' shape: a plain float / int for scalar inputs."""
    values = values.reshape(shape)
    if integer:
        values = values.astype(np.int64)
    if shape == ():
        return int(values) if integer else float(values)
    return values
