"""The QA records as read back from the store (the latest revision of each)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


@dataclasses.dataclass(frozen=True)
class Review:
    """The latest revision of a review (``revision`` counts its changes)."""

    review_id: str
    revision: int
    ticket_id: str
    agent_id: str | None
    reviewer_id: str
    scorecard_id: str
    scorecard_version: int
    ratings: dict[str, int | None]
    comments: dict[str, str]
    root_causes: dict[str, list[str]]
    comment: str
    score: float | None
    failed_critical: bool
    status: str
    calibration_id: str | None
    created_at: dt.datetime
    changed_by: str
    changed_at: dt.datetime
    note: str
    #: the scorecard version's pass mark (kept on the row for the IQS KPIs)
    pass_threshold: float = 80.0

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Review:
        return cls(
            review_id=r["review_id"],
            revision=int(r["revision"]),
            ticket_id=r["ticket_id"],
            agent_id=r["agent_id"],
            reviewer_id=r["reviewer_id"],
            scorecard_id=r["scorecard_id"],
            scorecard_version=int(r["scorecard_version"]),
            ratings=loads(r["ratings"], {}),
            comments=loads(r["comments"], {}),
            root_causes=loads(r["root_causes"], {}),
            comment=r["comment"] or "",
            score=r["score"],
            failed_critical=bool(r["failed_critical"]),
            status=r["status"],
            calibration_id=r["calibration_id"],
            created_at=r["created_at"],
            changed_by=r["changed_by"],
            changed_at=r["changed_at"],
            note=r["note"] or "",
            pass_threshold=80.0 if r.get("pass_threshold") is None else r["pass_threshold"],
        )

    def to_row(self) -> dict[str, Any]:
        row = dataclasses.asdict(self)
        row["row_id"] = f"{self.review_id}@{self.revision}"
        for key in ("ratings", "comments", "root_causes"):
            row[key] = dumps(row[key])
        return row


@dataclasses.dataclass(frozen=True)
class Dispute:
    dispute_id: str
    revision: int
    review_id: str
    agent_id: str
    #: open → accepted / partly_accepted / rejected; rejected → escalated → (an outcome)
    status: str
    escalated: bool
    comment: str
    review_revision: int | None
    changed_by: str
    changed_at: dt.datetime
    note: str

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Dispute:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in r.items() if k in fields}
        values["comment"] = values.get("comment") or ""
        values["note"] = values.get("note") or ""
        values["escalated"] = bool(values["escalated"])
        return cls(**values)

    def to_row(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "row_id": f"{self.dispute_id}@{self.revision}"}

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "escalated")


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    """One change of a review or of its disputes."""

    at: dt.datetime
    by: str
    kind: str  # "review" or "dispute"
    record_id: str
    revision: int
    status: str
    note: str
    comment: str
    score: float | None = None


@dataclasses.dataclass(frozen=True)
class Cycle:
    cycle_id: str
    name: str
    strategy: str
    start: dt.datetime
    end: dt.datetime
    per_agent: int
    seed: int | None
    reviewers: list[str]
    changed_by: str
    changed_at: dt.datetime
    #: recurring: the next cycle samples the ``repeat_days`` after ``end`` (None: once)
    repeat_days: int | None = None
    #: the cycle this one repeats (None: the first of its chain, or a one-off)
    follows: str | None = None

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Cycle:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in r.items() if k in fields}
        values["reviewers"] = loads(r["reviewers"], [])
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class Assignment:
    assignment_id: str
    revision: int
    cycle_id: str
    ticket_id: str
    agent_id: str | None
    reviewer_id: str
    reason: str
    status: str  # open / completed
    review_id: str | None
    changed_by: str
    changed_at: dt.datetime

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Assignment:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in r.items() if k in fields}
        values["reason"] = values.get("reason") or ""
        return cls(**values)

    def to_row(self, note: str = "") -> dict[str, Any]:
        row = dataclasses.asdict(self)
        return {**row, "row_id": f"{self.assignment_id}@{self.revision}", "note": note}


@dataclasses.dataclass(frozen=True)
class Calibration:
    calibration_id: str
    name: str
    ticket_ids: list[str]
    reviewers: list[str]
    blind: bool
    benchmark_reviewer: str | None
    scorecard_id: str
    scorecard_version: int
    changed_by: str
    changed_at: dt.datetime

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Calibration:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in r.items() if k in fields}
        values["ticket_ids"] = loads(r["ticket_ids"], [])
        values["reviewers"] = loads(r["reviewers"], [])
        values["blind"] = bool(r["blind"])
        return cls(**values)

    @property
    def participants(self) -> set[str]:
        return set(self.reviewers) | ({self.benchmark_reviewer} - {None})  # type: ignore[operator]


@dataclasses.dataclass(frozen=True)
class ActionItem:
    text: str
    due: dt.date | None = None
    done: bool = False
    done_by: str | None = None
    done_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "due": self.due.isoformat() if self.due else None,
            "done": self.done,
            "done_by": self.done_by,
            "done_at": self.done_at.isoformat() if self.done_at else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ActionItem:
        return cls(
            text=d["text"],
            due=dt.date.fromisoformat(d["due"]) if d.get("due") else None,
            done=bool(d.get("done")),
            done_by=d.get("done_by"),
            done_at=dt.datetime.fromisoformat(d["done_at"]) if d.get("done_at") else None,
        )


@dataclasses.dataclass(frozen=True)
class CoachingSession:
    session_id: str
    revision: int
    agent_id: str
    coach_id: str
    held_on: dt.datetime
    coach_note: str
    review_ids: list[str]
    action_items: list[ActionItem]
    changed_by: str
    changed_at: dt.datetime
    #: the scorecard categories the session works on (from the coaching agenda)
    focus: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> CoachingSession:
        return cls(
            session_id=r["session_id"],
            revision=int(r["revision"]),
            agent_id=r["agent_id"],
            coach_id=r["coach_id"],
            held_on=r["held_on"],
            coach_note=r["coach_note"] or "",
            review_ids=loads(r["review_ids"], []),
            action_items=[ActionItem.from_dict(d) for d in loads(r["action_items"], [])],
            changed_by=r["changed_by"],
            changed_at=r["changed_at"],
            focus=loads(r.get("focus"), []),
        )

    def to_row(self, note: str = "") -> dict[str, Any]:
        row = dataclasses.asdict(self)
        row["row_id"] = f"{self.session_id}@{self.revision}"
        row["focus"] = dumps(self.focus)
        row["review_ids"] = dumps(self.review_ids)
        row["action_items"] = dumps([a.to_dict() for a in self.action_items])
        row["note"] = note
        return row


@dataclasses.dataclass(frozen=True)
class WowEntry:
    ticket_id: str
    agent_id: str | None
    note: str
    marked_by: str
    marked_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class ScoreRow:
    """IQS of one group (agent, reviewer or scorecard) in a period."""

    key: str | None
    iqs: float | None
    pass_rate: float | None
    reviews: int
