"""Calibration: several reviewers grade the same conversations; how well they agree."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..accounts import Actor
from ..errors import PermissionDenied, RecordNotFound, ValidationError, WorkflowError
from . import _storage
from ._alpha import krippendorff_alpha
from ._base import WorkspaceBase, new_id, require_reviewer, require_staff
from ._formulas import alignment, category_alignment, category_score, reviewer_bias
from ._limits import MAX_PARTICIPANTS, check_id, check_texts
from ._records import Calibration, Review, dumps
from ._scorecard import Scorecard, choose_scorecard

GROUP_MEAN = "group mean"


@dataclasses.dataclass(frozen=True)
class CalibrationReport:
    """How far a calibration's reviewers agree.

    ``category_alignment``: category id → mean alignment (0–100 %) of the reviewers with
    the benchmark (the benchmark reviewer's ratings, or the mean of the *other*
    reviewers'); ``reviewer_alignment``: reviewer → mean of their per-conversation
    alignment; ``alpha``: Krippendorff's alpha (interval) over every (conversation,
    category) rated by at least two reviewers, benchmark included; ``bias``: reviewer →
    mean difference from the benchmark in percentage points (negative = stricter).
    """

    calibration: Calibration
    benchmark: str
    reviews: list[Review]
    category_alignment: dict[str, float | None]
    reviewer_alignment: dict[str, float | None]
    alpha: float | None
    bias: dict[str, float | None]
    #: reviewer → conversations they have not submitted a review of yet
    missing: dict[str, list[str]]


def report(cal: Calibration, card: Scorecard, reviews: list[Review]) -> CalibrationReport:
    raw: dict[str, dict[tuple[str, str], float]] = {}
    for r in reviews:
        for cid, rating in r.ratings.items():
            if rating is not None:
                raw.setdefault(r.reviewer_id, {})[(r.ticket_id, cid)] = float(rating)
    cats = {c.id: c for c in card.categories}
    pct = {
        rev: {k: category_score(v, cats[k[1]].scale) for k, v in items.items()}
        for rev, items in raw.items()
    }
    bench_id = cal.benchmark_reviewer
    compared = sorted(r for r in raw if r != bench_id)

    def benchmark_of(reviewer: str) -> dict[tuple[str, str], float]:
        if bench_id is not None:
            return raw.get(bench_id, {})
        out: dict[tuple[str, str], float] = {}
        keys = {k for rev, items in raw.items() if rev != reviewer for k in items}
        for k in keys:
            vals = [items[k] for rev, items in raw.items() if rev != reviewer and k in items]
            out[k] = sum(vals) / len(vals)
        return out

    per_category: dict[str, list[float]] = {c: [] for c in cats}
    per_reviewer: dict[str, float | None] = {}
    for reviewer in compared:
        bench = benchmark_of(reviewer)
        mine = raw[reviewer]
        for (ticket, cid), value in mine.items():
            if (ticket, cid) in bench:
                per_category[cid].append(
                    category_alignment(value, bench[(ticket, cid)], cats[cid].scale)
                )
        values = []
        for ticket in sorted({t for t, _ in mine}):
            a = alignment(
                {c: v for (t, c), v in mine.items() if t == ticket},
                {c: v for (t, c), v in bench.items() if t == ticket},
                card,
            )
            if a is not None:
                values.append(a)
        per_reviewer[reviewer] = sum(values) / len(values) if values else None
    units = sorted({k for items in pct.values() for k in items})
    coders = sorted(pct)
    alpha = krippendorff_alpha([[pct[c].get(u) for c in coders] for u in units], "interval")
    if bench_id is not None:
        bias = reviewer_bias({r: pct[r] for r in compared}, pct.get(bench_id, {}))
    else:
        bias = reviewer_bias({r: pct[r] for r in compared})
    done = {(r.reviewer_id, r.ticket_id) for r in reviews}
    return CalibrationReport(
        calibration=cal,
        benchmark=bench_id or GROUP_MEAN,
        reviews=reviews,
        category_alignment={
            c: (sum(v) / len(v) * 100.0 if v else None) for c, v in per_category.items()
        },
        reviewer_alignment=per_reviewer,
        alpha=alpha,
        bias=bias,
        missing={
            p: [t for t in cal.ticket_ids if (p, t) not in done] for p in sorted(cal.participants)
        },
    )


class CalibrationMixin(WorkspaceBase):
    def create_calibration(
        self,
        actor: Actor,
        name: str,
        ticket_ids: Sequence[str],
        reviewers: Sequence[str],
        blind: bool = True,
        benchmark_reviewer: str | None = None,
        scorecard_id: str | None = None,
    ) -> Calibration:
        """A calibration session (staff). Everyone grades with the same scorecard version:
        ``scorecard_id``'s latest, else the one that fits the first conversation."""
        require_staff(actor, "create calibration sessions")
        if not ticket_ids or not reviewers:
            raise WorkflowError("a calibration needs conversations and reviewers")
        name = check_id("name", name)
        for field, values in (("ticket_ids", ticket_ids), ("reviewers", reviewers)):
            if isinstance(values, str) or len(values) > MAX_PARTICIPANTS:
                raise ValidationError(field, f"give a list of at most {MAX_PARTICIPANTS}")
        ticket_ids = check_texts("ticket_ids", ticket_ids)
        reviewers = check_texts("reviewers", reviewers)
        if benchmark_reviewer is not None:
            check_id("benchmark_reviewer", benchmark_reviewer)
        tickets = [self._ticket(t) for t in ticket_ids]
        if scorecard_id is not None:
            card = self.scorecard(scorecard_id)
        else:
            t = tickets[0]
            found = choose_scorecard(
                self.scorecards(), t.get("channel"), t.get("tags") or (), t.get("team_id")
            )
            if found is None:
                raise WorkflowError("no active scorecard fits; pass scorecard_id")
            card = found
        cal = Calibration(
            calibration_id=new_id("cal"),
            name=name,
            ticket_ids=list(ticket_ids),
            reviewers=list(reviewers),
            blind=blind,
            benchmark_reviewer=benchmark_reviewer,
            scorecard_id=card.id,
            scorecard_version=card.version,
            changed_by=actor.user_id,
            changed_at=self.now(),
        )
        row = dataclasses.asdict(cal)
        row.update(
            row_id=f"{cal.calibration_id}@1",
            revision=1,
            ticket_ids=dumps(cal.ticket_ids),
            reviewers=dumps(cal.reviewers),
            note="created",
        )
        _storage.append(self.store, "qa_calibrations", [row])
        return cal

    def calibrations(self, actor: Actor) -> list[Calibration]:
        """Calibrations: staff see all, reviewers those they take part in."""
        require_reviewer(actor, "see calibration sessions")
        rows = _storage.latest(self.store, "qa_calibrations", "calibration_id")
        found = [Calibration.from_row(r) for r in rows]
        if not actor.is_staff:
            found = [c for c in found if actor.user_id in c.participants]
        return sorted(found, key=lambda c: c.changed_at, reverse=True)

    def calibration(self, actor: Actor, calibration_id: str) -> Calibration:
        for c in self.calibrations(actor):
            if c.calibration_id == calibration_id:
                return c
        raise RecordNotFound(f"no calibration {calibration_id!r}")

    def calibration_report(self, actor: Actor, calibration_id: str) -> CalibrationReport:
        """Alignment, alpha and bias (staff; a participant once they submitted, when blind)."""
        cal = self.calibration(actor, calibration_id)
        reviews = [
            r for r in self._reviews_where(calibration_id=calibration_id) if r.status != "draft"
        ]
        if (
            cal.blind
            and not actor.is_staff
            and not any(r.reviewer_id == actor.user_id for r in reviews)
        ):
            raise PermissionDenied("submit your own calibration review before reading the results")
        card = self.scorecard(cal.scorecard_id, cal.scorecard_version)
        visible = self._visible(actor, reviews)
        return report(cal, card, visible)
