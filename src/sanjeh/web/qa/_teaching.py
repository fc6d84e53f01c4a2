"""What the coaching agenda, the coaching page, recognition and self-review show alike
(#22): means with their n, differences with their uncertainty, a session's trend."""

from __future__ import annotations

from ...qa import Difference, Mean, SessionTrend
from ._context import Ctx, Model, iso


def mean(ctx: Ctx, m: Mean) -> Model:
    return {
        "mean": m.mean,
        "n": m.n,
        "sd": m.sd,
        "display": ctx.pct(m.mean),
        "n_display": ctx.count(m.n),
    }


def points(ctx: Ctx, value: float | None) -> str:
    """A difference of scores in points, signed ("−20.0", "+7.5")."""
    if value is None:
        return "—"
    text = ctx.locale.number(f"{abs(value):.1f}")
    sign = "+" if value > 0 else "−" if value < 0 else ""
    # isolated left-to-right (U+2066 … U+2069) so the sign stays in front in RTL pages
    return f"\u2066{sign}{text}\u2069" if sign else text


def difference(ctx: Ctx, d: Difference) -> Model:
    """A difference with its standard error and 95 % interval."""
    return {
        "value": d.value,
        "se": d.se,
        "low": d.low,
        "high": d.high,
        "display": points(ctx, d.value),
        "interval_display": (
            f"{points(ctx, d.low)} … {points(ctx, d.high)}" if d.low is not None else "—"
        ),
    }


def trend_model(ctx: Ctx, t: SessionTrend) -> Model:
    """A session's focus categories and IQS before / after (after: once closed)."""
    rows = [
        {
            "category_id": None,
            "name": ctx.t("qa.iqs"),
            "before": mean(ctx, t.iqs_before),
            "after": mean(ctx, t.iqs_after),
            "change": difference(ctx, t.iqs_change),
        }
    ]
    rows += [
        {
            "category_id": c.category_id,
            "name": ctx.text(f"qa.cat.{c.category_id}", c.name),
            "before": mean(ctx, c.before),
            "after": mean(ctx, c.after),
            "change": difference(ctx, c.change),
        }
        for c in t.categories
    ]
    return {
        "days": t.days,
        "closed": t.closed,
        "closes_at": iso(t.closes_at),
        "closes_display": ctx.day(t.closes_at),
        "rows": rows,
    }
