"""What the insights are computed from, read once per change of the QA tables.

Reading 100,000 reviews (their ratings are JSON) takes about a second; the figures of
one view take a few tens of milliseconds on the arrays read here. So the reviews, their
category scores, root causes, automatic verdicts and the reviewers' calibration
strictness are kept per store until a fingerprint of the tables they come from changes
(row counts and latest change of qa_reviews, qa_calibrations, qa_scorecards, tickets and
auto_scores: a few aggregate queries).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pandas as pd

from . import _storage
from ._calibration import report
from ._formulas import CRITICAL_BELOW, category_score
from ._insights_stats import period_keys
from ._records import Calibration, Review
from ._scorecard import Category, Scale, Scorecard
from ._signals import ANALYZER_CATEGORIES

if TYPE_CHECKING:
    from ..store import Store

#: how a linked analyzer's labels decide a category for a conversation: (labels that
#: meet it, labels that say it was missed when nothing met it, labels that fail it
#: wherever they occur). Analyzers not listed (empathy phrases, apologies, promises,
#: paraphrase …) say that something happened, not whether the category was met.
AUTO_RULES: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "conversation.greeting": (frozenset({"present"}), frozenset({"absent"}), frozenset()),
    "conversation.closing": (frozenset({"present"}), frozenset({"absent"}), frozenset()),
    "conversation.empathy_when_needed": (
        frozenset({"present"}),
        frozenset({"absent"}),
        frozenset(),
    ),
    "conversation.follow_up_kept": (frozenset({"kept"}), frozenset({"open"}), frozenset()),
    "ownership": (frozenset({"present"}), frozenset({"absent"}), frozenset()),
    "politeness": (frozenset({"present"}), frozenset(), frozenset()),
    "language_framing": (frozenset({"positive"}), frozenset(), frozenset({"negative"})),
    "rude": (frozenset(), frozenset(), frozenset({"present"})),
}
#: a reviewer whose calibration bias is at most −5 points is strict, at least +5 lenient
#: (the calibration report's "stricter" / "more lenient")
STRICT_POINTS = 5.0


@dataclasses.dataclass(frozen=True)
class Strictness:
    """A reviewer's calibration bias over every session they took part in: each
    session's ``CalibrationReport.bias``, weighted by the ratings they gave in it."""

    reviewer_id: str
    bias: float | None
    sessions: int
    ratings: int

    @property
    def tendency(self) -> str | None:
        if self.bias is None:
            return None
        if self.bias <= -STRICT_POINTS:
            return "strict"
        if self.bias >= STRICT_POINTS:
            return "lenient"
        return "aligned"


#: the review columns a breakdown can group by (besides periods), and the reviewer
DIMENSIONS = ("scorecard_id", "agent", "team", "channel", "language", "topic", "reviewer")


@dataclasses.dataclass
class Base:
    """Current, submitted, non-calibration reviews (``reviews``, one row each) and their
    rated categories (``ratings``: ``review`` = row of ``reviews``, ``score`` 0–100,
    ``failed``, ``lost`` IQS points, ``auto`` 1 fail / 0 pass / NaN no verdict), with
    the same as plain arrays for the per-request arithmetic: ``at`` (UTC nanoseconds),
    ``codes[dim]`` = (code per review, −1 = none; the values), ``cat`` (code per rating
    row, −1 = the scorecard rules' row; ``categories`` the ids)."""

    reviews: pd.DataFrame
    ratings: pd.DataFrame
    causes: pd.DataFrame
    cards: dict[tuple[str, int], Scorecard]
    strictness: dict[str, Strictness]
    links: dict[tuple[str, int, str], tuple[str, ...]]
    at: np.ndarray = dataclasses.field(init=False)
    codes: dict[str, tuple[np.ndarray, np.ndarray]] = dataclasses.field(init=False)
    cat: np.ndarray = dataclasses.field(init=False)
    categories: np.ndarray = dataclasses.field(init=False)
    _periods: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = dataclasses.field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self.at = self.reviews["at"].to_numpy("datetime64[ns]").astype(np.int64)
        self.codes = {}
        for dim in DIMENSIONS:
            codes, values = pd.factorize(self.reviews[dim], use_na_sentinel=True)
            self.codes[dim] = (np.asarray(codes, np.int64), np.asarray(values, dtype=object))
        cat, ids = pd.factorize(self.ratings["category_id"], use_na_sentinel=True)
        self.cat = np.asarray(cat, np.int64)
        self.categories = np.asarray(ids, dtype=object)

    def periods(self, period: str, timezone: str, week_start: str) -> tuple[np.ndarray, np.ndarray]:
        """(code per review, period keys) in the business's zone, computed once."""
        key = (period, timezone, week_start)
        found = self._periods.get(key)
        if found is None:
            keys = period_keys(self.reviews["at"], period, timezone, week_start)
            codes, values = pd.factorize(keys, use_na_sentinel=True)
            found = (np.asarray(codes, np.int64), np.asarray(values, dtype=object))
            self._periods[key] = found
        return found


_CACHE: weakref.WeakKeyDictionary[Any, tuple[tuple[Any, ...], Base]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def base(store: Store) -> Base:
    """The arrays of ``store`` (read again when its QA tables, tickets or signals changed)."""
    key = fingerprint(store)
    with _LOCK:
        found = _CACHE.get(store)
    if found is not None and found[0] == key:
        return found[1]
    made = _read(store)
    with _LOCK:
        _CACHE[store] = (key, made)
    return made


def fingerprint(store: Store) -> tuple[Any, ...]:
    """Row counts and latest changes of the tables the insights read, in one query (the
    query expression is built once per store: looking tables up reads their schemas)."""
    expr = _FINGERPRINTS.get(store)
    if expr is None:
        parts = []
        for table, column in _WATCHED:
            t = store.table(table)
            parts.append(t.aggregate(n=t.count(), last=t[column].max().cast("string")))
        expr = _FINGERPRINTS[store] = ibis.union(*parts, distinct=False)
    return tuple(sorted(repr(tuple(r.values())) for r in expr.to_pyarrow().to_pylist()))


_WATCHED = (
    ("qa_reviews", "changed_at"),
    ("qa_calibrations", "changed_at"),
    ("qa_scorecards", "changed_at"),
    ("tickets", "updated_at"),
    ("auto_scores", "scored_at"),
)
_FINGERPRINTS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def linked_analyzers(category: Category) -> tuple[str, ...]:
    """The automatic signals a category is checked against: the category's own link when
    the scorecard gives one (``signals`` / ``signal``), else the analyzers the review page
    shows under it (``ANALYZER_CATEGORIES``) that have a verdict rule."""
    own = getattr(category, "signals", None) or getattr(category, "signal", None)
    if own:
        names = (own,) if isinstance(own, str) else tuple(own)
        return tuple(n for n in names if n in AUTO_RULES)
    return tuple(a for a, c in ANALYZER_CATEGORIES.items() if c == category.id and a in AUTO_RULES)


def _read(store: Store) -> Base:
    table = _current_reviews(store)
    cols = {name: table.column(name).to_pylist() for name in table.column_names}
    keys = set(zip(cols["scorecard_id"], cols["scorecard_version"], strict=True))
    cards = _cards(store, keys)
    reviews = pd.DataFrame(
        {
            "review_id": cols["review_id"],
            "ticket_id": cols["ticket_id"],
            "agent": cols["agent_id"],
            "reviewer": cols["reviewer_id"],
            "scorecard_id": cols["scorecard_id"],
            "version": cols["scorecard_version"],
            "at": pd.to_datetime(pd.Series(cols["created_at"], dtype=object), utc=True),
            "score": pd.Series(cols["score"], dtype=float),
            "failed_critical": pd.Series(cols["failed_critical"], dtype=bool),
            "status": cols["status"],
            "team": cols["team_id"],
            "channel": cols["channel"],
            "language": cols["language"],
            "topic": cols["category"],
        }
    )
    ratings, causes = _expand(cols, cards)
    links = {
        (sid, ver, c.id): linked_analyzers(c)
        for (sid, ver), card in cards.items()
        for c in card.categories
    }
    ratings["auto"] = _auto(store, reviews, ratings, links)
    return Base(reviews, ratings, causes, cards, _strictness(store), links)


def _current_reviews(store: Store) -> Any:
    t = store.table("qa_reviews")
    w = ibis.window(group_by=t.review_id, order_by=ibis.desc(t.revision))
    t = t.mutate(_rank=ibis.row_number().over(w))
    t = t.filter(t._rank == 0, t.status != "draft", t.calibration_id.isnull())
    t = t.select(
        "review_id",
        "ticket_id",
        "agent_id",
        "reviewer_id",
        "scorecard_id",
        "scorecard_version",
        "ratings",
        "root_causes",
        "score",
        "failed_critical",
        "status",
        "created_at",
    )
    k = store.table("tickets")
    k = k.select(
        _tid=k.ticket_id,
        team_id=k.team_id,
        channel=k.channel,
        language=k.language,
        category=k.category,
    )
    joined = t.left_join(k, t.ticket_id == k._tid).drop("_tid")
    return joined.order_by([joined.created_at, joined.review_id]).to_pyarrow()


def _cards(store: Store, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Scorecard]:
    wanted = set(keys)
    out: dict[tuple[str, int], Scorecard] = {}
    if not wanted:
        return out
    t = store.table("qa_scorecards")
    t = t.filter(t.scorecard_id.isin(sorted({k[0] for k in wanted})))
    for r in t.select("scorecard_id", "revision", "definition").to_pyarrow().to_pylist():
        if (r["scorecard_id"], r["revision"]) in wanted:
            out[(r["scorecard_id"], r["revision"])] = Scorecard.from_dict(
                json.loads(r["definition"])
            )
    return out


def _expand(
    cols: dict[str, list[Any]], cards: dict[tuple[str, int], Scorecard]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per rated category of every review, and one per root cause given.

    Points lost (IQS points) of a rated category: weight × (100 − category score) /
    (the weights of the review's rated non-bonus categories); a bonus category loses
    none. What the review's score lost beyond that goes to its failed critical
    categories (the score is 0), else to its failed fail-section categories (their
    section counts 0), shared equally; anything else (bonus points gained: negative) is a
    scorecard-rules row (None category), so the points lost of a review always add up to
    100 − its score, whatever the scorecard's scoring (``review_score``) does.
    """
    idx: list[int] = []
    cat: list[str | None] = []
    rating: list[float] = []
    weight: list[float] = []
    scale: list[str] = []
    kind: list[str] = []
    c_idx: list[int] = []
    c_cat: list[str] = []
    c_cause: list[str] = []
    fields = {  # what each scorecard version says about its categories, looked up once
        key: [
            (c.id, c.weight, c.scale.kind, getattr(c, "kind", "critical" if c.critical else "-"))
            for c in card.categories
        ]
        for key, card in cards.items()
    }
    for i, (sid, ver, text, causes_text) in enumerate(
        zip(
            cols["scorecard_id"],
            cols["scorecard_version"],
            cols["ratings"],
            cols["root_causes"],
            strict=True,
        )
    ):
        given = json.loads(text) if text else {}
        for cid, w, scale_kind, category_kind in fields.get((sid, ver), ()):
            value = given.get(cid)
            if value is None:
                continue
            idx.append(i)
            cat.append(cid)
            rating.append(value)
            weight.append(w)
            scale.append(scale_kind)
            kind.append(category_kind)
        if causes_text and causes_text != "{}":
            for cid, found in json.loads(causes_text).items():
                for cause in found or ():
                    c_idx.append(i)
                    c_cat.append(cid)
                    c_cause.append(cause)
    frame = _scored(idx, cat, rating, weight, scale, kind, cols["score"])
    causes = pd.DataFrame({"review": c_idx, "category_id": c_cat, "cause": c_cause})
    return frame, causes


def _scored(
    idx: list[int],
    cat: list[str | None],
    rating: list[float],
    weight: list[float],
    scale: list[str],
    kind: list[str],
    scores: list[float | None],
) -> pd.DataFrame:
    f = pd.DataFrame({"review": idx, "category_id": cat, "rating": rating, "weight": weight})
    kinds = np.asarray(scale, dtype=object)
    values = f["rating"].to_numpy(float)
    score = np.zeros(len(f))
    for scale_kind in set(scale):  # the scorecard's own formula, one scale at a time
        mask = kinds == scale_kind
        score[mask] = category_score(values[mask], Scale(scale_kind))  # type: ignore[arg-type]
    f["score"] = score
    f["failed"] = f["score"] < CRITICAL_BELOW
    kinds_of = np.asarray(kind, dtype=object)
    f["critical_failed"] = (kinds_of == "critical") & f["failed"].to_numpy()
    section_failed = (kinds_of == "fail_section") & f["failed"].to_numpy()
    counted = f["weight"].where((f["weight"] > 0) & (kinds_of != "bonus"), 0.0)
    total = counted.groupby(f["review"]).transform("sum")
    f["lost"] = np.where(total > 0, counted * (100.0 - f["score"]) / total.where(total > 0, 1), 0.0)
    # what the review's score lost beyond its categories' weighted shares (a failed
    # critical category makes it 0): to the failed critical categories, else a rules row
    given = pd.Series(scores, dtype=float).fillna(100.0)
    per_review = f.groupby("review")["lost"].sum()
    rest = (100.0 - given.reindex(per_review.index).to_numpy()) - per_review.to_numpy()
    rest = pd.Series(rest, index=per_review.index)
    rest = rest.where(rest.abs() > 1e-9, 0.0)
    n_crit = f.groupby("review")["critical_failed"].sum()
    n_sec = pd.Series(section_failed).groupby(f["review"]).sum()
    to_crit = (rest / n_crit.where(n_crit > 0)).reindex(f["review"]).to_numpy()
    to_sec = (rest / n_sec.where((n_sec > 0) & (n_crit == 0))).reindex(f["review"]).to_numpy()
    f["lost"] += np.where(f["critical_failed"], to_crit, 0.0)
    f["lost"] += np.where(section_failed & ~np.isnan(to_sec), np.nan_to_num(to_sec), 0.0)
    unassigned = rest[(n_crit == 0) & (n_sec == 0) & (rest != 0)]
    if len(unassigned):
        extra = pd.DataFrame(
            {
                "review": unassigned.index,
                "category_id": None,
                "rating": np.nan,
                "weight": 0.0,
                "score": np.nan,
                "failed": False,
                "critical_failed": False,
                "lost": unassigned.to_numpy(),
            }
        )
        f = pd.concat([f, extra], ignore_index=True)
    return f


def _auto(
    store: Store,
    reviews: pd.DataFrame,
    ratings: pd.DataFrame,
    links: dict[tuple[str, int, str], tuple[str, ...]],
) -> np.ndarray:
    """Per rated category: 1.0 the linked signals fail it, 0.0 they meet it, NaN none."""
    out = np.full(len(ratings), np.nan)
    pairs = [(sid, ver, cid, a) for (sid, ver, cid), names in links.items() for a in names]
    if not pairs or ratings.empty:
        return out
    a = store.table("auto_scores")
    a = a.filter(a.analyzer.isin(sorted({p[3] for p in pairs})))
    rows = a.select("ticket_id", "analyzer", "label").distinct().to_pyarrow().to_pandas()
    if rows.empty:
        return out
    labels = rows[["analyzer", "label"]].drop_duplicates()
    labels["code"] = [_code(x, y) for x, y in zip(labels["analyzer"], labels["label"], strict=True)]
    rows = rows.merge(labels, on=["analyzer", "label"])
    # per conversation and analyzer: a failing label anywhere (2), else a meeting one (1),
    # else one that says it was missed (0): fails unless 1
    verdict = (
        rows[rows["code"] >= 0].groupby(["ticket_id", "analyzer"], as_index=False)["code"].max()
    )
    verdict["fails"] = verdict["code"] != 1
    link = pd.DataFrame(pairs, columns=["scorecard_id", "version", "category_id", "analyzer"])
    rated = ratings[ratings["category_id"].notna()]
    review = rated["review"].to_numpy(np.int64)
    r = pd.DataFrame(
        {
            "row": rated.index.to_numpy(),
            "category_id": rated["category_id"].to_numpy(),
            "ticket_id": reviews["ticket_id"].to_numpy()[review],
            "scorecard_id": reviews["scorecard_id"].to_numpy()[review],
            "version": reviews["version"].to_numpy()[review],
        }
    )
    m = r.merge(link, on=["scorecard_id", "version", "category_id"])
    m = m.merge(verdict[["ticket_id", "analyzer", "fails"]], on=["ticket_id", "analyzer"])
    if m.empty:
        return out
    fails = m.groupby("row")["fails"].max()
    out[fails.index.to_numpy()] = np.where(fails.to_numpy(), 1.0, 0.0)
    return out


def _code(analyzer: str, label: str) -> int:
    meets, missed, fails = AUTO_RULES[analyzer]
    if label in fails:
        return 2
    if label in meets:
        return 1
    if label in missed:
        return 0
    return -1


def _strictness(store: Store) -> dict[str, Strictness]:
    rows = _storage.latest(store, "qa_calibrations", "calibration_id")
    if not rows:
        return {}
    cals = [Calibration.from_row(r) for r in rows]
    reviews = [
        Review.from_row(r)
        for r in _storage.latest(
            store, "qa_reviews", "review_id", {"calibration_id": [c.calibration_id for c in cals]}
        )
    ]
    cards = _cards(store, {(c.scorecard_id, c.scorecard_version) for c in cals})
    sums: dict[str, list[float]] = {}
    for cal in cals:
        mine = [
            r for r in reviews if r.calibration_id == cal.calibration_id and r.status != "draft"
        ]
        card = cards.get((cal.scorecard_id, cal.scorecard_version))
        if not mine or card is None:
            continue
        bias = report(cal, card, mine).bias
        for reviewer, value in bias.items():
            if value is None:
                continue
            given = sum(
                1
                for r in mine
                if r.reviewer_id == reviewer
                for v in r.ratings.values()
                if v is not None
            )
            acc = sums.setdefault(reviewer, [0.0, 0.0, 0.0])
            acc[0] += value * given
            acc[1] += given
            acc[2] += 1
    return {r: Strictness(r, s / w if w else None, int(n), int(w)) for r, (s, w, n) in sums.items()}
