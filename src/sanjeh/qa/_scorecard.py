"""Scorecards: scales, categories, sections; validation, JSON form and selection."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from ..errors import WorkflowError

ScaleKind = Literal["binary", "3", "4", "5"]
#: scale kind → (lowest, highest) rating
SCALES: dict[str, tuple[int, int]] = {"binary": (0, 1), "3": (1, 3), "4": (1, 4), "5": (1, 5)}


@dataclasses.dataclass(frozen=True)
class Scale:
    """A rating scale: ``binary`` (0–1), ``3`` (1–3), ``4`` (1–4) or ``5`` (1–5)."""

    kind: ScaleKind = "5"

    def __post_init__(self) -> None:
        if self.kind not in SCALES:
            raise WorkflowError(f"unknown scale {self.kind!r}; use one of: {', '.join(SCALES)}")

    @property
    def min(self) -> int:
        return SCALES[self.kind][0]

    @property
    def max(self) -> int:
        return SCALES[self.kind][1]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))


@dataclasses.dataclass(frozen=True)
class Category:
    """One criterion of a scorecard.

    ``weight`` (integer 0–100) is its weight in the review score; 0 = shown but not
    counted. ``critical``: scoring under 50 % here makes the whole review score 0.
    ``na_allowed``: the reviewer may mark it N/A (left out of the score).
    """

    id: str
    name: str
    weight: int = 10
    scale: Scale = Scale("5")
    na_allowed: bool = False
    critical: bool = False
    root_causes: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if not self.id or not str(self.id).strip():
            raise WorkflowError(f"category {self.name!r} has no id; give every category one")
        if isinstance(self.weight, bool) or not isinstance(self.weight, int):
            raise WorkflowError(
                f"category {self.id!r}: weight must be a whole number 0–100, not {self.weight!r}"
            )
        if not 0 <= self.weight <= 100:
            raise WorkflowError(
                f"category {self.id!r}: weight {self.weight} is out of range; use 0–100"
            )
        if not isinstance(self.scale, Scale):
            raise WorkflowError(f"category {self.id!r}: scale must be a Scale")


@dataclasses.dataclass(frozen=True)
class Section:
    """A group of categories (e.g. Solution, Communication); scored as their weighted mean."""

    id: str
    name: str
    categories: tuple[Category, ...]

    def __post_init__(self) -> None:
        if not self.id or not str(self.id).strip():
            raise WorkflowError(f"section {self.name!r} has no id; give every section one")


@dataclasses.dataclass(frozen=True)
class Scorecard:
    """A versioned scorecard.

    ``channels`` / ``tags`` / ``teams`` restrict which conversations it is chosen for
    (empty = any). ``version`` is set by the workspace when it is saved.
    """

    id: str
    name: str
    sections: tuple[Section, ...]
    version: int = 1
    channels: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    active: bool = True
    pass_threshold: float = 80.0

    def __post_init__(self) -> None:
        if not self.id or not str(self.id).strip():
            raise WorkflowError(f"scorecard {self.name!r} has no id; give it one")
        if not self.sections or not any(s.categories for s in self.sections):
            raise WorkflowError(f"scorecard {self.id!r} has no categories; add at least one")
        _unique(self.id, "section", [s.id for s in self.sections])
        _unique(self.id, "category", [c.id for c in self.categories])
        if not 0 <= self.pass_threshold <= 100:
            raise WorkflowError(
                f"scorecard {self.id!r}: pass threshold {self.pass_threshold} is not in 0–100"
            )

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(c for s in self.sections for c in s.categories)

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise WorkflowError(
            f"scorecard {self.id!r} v{self.version} has no category {category_id!r}"
        )

    def same_definition(self, other: Scorecard) -> bool:
        """Equal apart from the version number."""
        return dataclasses.replace(self, version=0) == dataclasses.replace(other, version=0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (``from_dict`` reads it back)."""
        return {
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "active": self.active,
            "pass_threshold": self.pass_threshold,
            "conditions": {
                "channels": list(self.channels),
                "tags": list(self.tags),
                "teams": list(self.teams),
            },
            "sections": [
                {
                    "id": s.id,
                    "name": s.name,
                    "categories": [
                        {
                            "id": c.id,
                            "name": c.name,
                            "weight": c.weight,
                            "scale": c.scale.kind,
                            "na_allowed": c.na_allowed,
                            "critical": c.critical,
                            "root_causes": list(c.root_causes),
                            "description": c.description,
                        }
                        for c in s.categories
                    ],
                }
                for s in self.sections
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        try:
            conditions = data.get("conditions") or {}
            sections = tuple(
                Section(
                    id=str(s["id"]),
                    name=str(s.get("name", s["id"])),
                    categories=tuple(
                        Category(
                            id=str(c["id"]),
                            name=str(c.get("name", c["id"])),
                            weight=c.get("weight", 10),
                            scale=Scale(str(c.get("scale", "5"))),  # type: ignore[arg-type]
                            na_allowed=bool(c.get("na_allowed", False)),
                            critical=bool(c.get("critical", False)),
                            root_causes=tuple(c.get("root_causes") or ()),
                            description=str(c.get("description", "")),
                        )
                        for c in s.get("categories", ())
                    ),
                )
                for s in data["sections"]
            )
            return cls(
                id=str(data["id"]),
                name=str(data.get("name", data["id"])),
                sections=sections,
                version=int(data.get("version", 1)),
                channels=tuple(conditions.get("channels") or ()),
                tags=tuple(conditions.get("tags") or ()),
                teams=tuple(conditions.get("teams") or ()),
                active=bool(data.get("active", True)),
                pass_threshold=float(data.get("pass_threshold", 80.0)),
            )
        except (KeyError, TypeError) as exc:
            raise WorkflowError(f"not a scorecard definition: missing or bad {exc}") from None


def _unique(scorecard_id: str, what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise WorkflowError(
                f"scorecard {scorecard_id!r}: {what} id {i!r} is used twice; ids must be unique"
            )
        seen.add(i)


def choose_scorecard(
    scorecards: Iterable[Scorecard],
    channel: str | None = None,
    tags: Sequence[str] | None = None,
    team_id: str | None = None,
) -> Scorecard | None:
    """The most specific active scorecard whose conditions match the conversation.

    A condition left empty matches anything; specificity = number of conditions set.
    Ties go to the lowest id (deterministic). None when nothing matches.
    """
    tagset = set(tags or ())
    best: tuple[int, str] | None = None
    chosen: Scorecard | None = None
    for card in scorecards:
        if not card.active:
            continue
        if card.channels and channel not in card.channels:
            continue
        if card.tags and not tagset & set(card.tags):
            continue
        if card.teams and team_id not in card.teams:
            continue
        specificity = sum(bool(x) for x in (card.channels, card.tags, card.teams))
        rank = (-specificity, card.id)
        if best is None or rank < best:
            best, chosen = rank, card
    return chosen


DEFAULT_SCORECARD_ID = "default"


def default_scorecard() -> Scorecard:
    """The built-in scorecard (ids are stable; names are English, the UI translates)."""
    five, four, three, binary = Scale("5"), Scale("4"), Scale("3"), Scale("binary")
    return Scorecard(
        id=DEFAULT_SCORECARD_ID,
        name="Default scorecard",
        sections=(
            Section(
                "solution",
                "Solution",
                (
                    Category(
                        "correct_solution",
                        "Correct solution",
                        30,
                        five,
                        critical=True,
                        root_causes=("knowledge gap", "wrong process", "misread request"),
                        description="The answer solves the customer's problem correctly.",
                    ),
                    Category(
                        "complete_answer",
                        "Complete answer",
                        15,
                        five,
                        description="Every question in the conversation was answered.",
                    ),
                ),
            ),
            Section(
                "communication",
                "Communication",
                (
                    Category(
                        "empathy",
                        "Empathy",
                        15,
                        five,
                        description="Acknowledges the customer's situation and feelings.",
                    ),
                    Category(
                        "tone",
                        "Tone",
                        10,
                        four,
                        root_causes=("negative language", "rude", "too formal"),
                        description="Polite, positive language (what we can do, not can't).",
                    ),
                    Category(
                        "greeting_closing",
                        "Greeting & closing",
                        5,
                        binary,
                        na_allowed=True,
                        description="Greets the customer and closes the conversation properly.",
                    ),
                ),
            ),
            Section(
                "process",
                "Process",
                (
                    Category(
                        "ownership",
                        "Ownership",
                        10,
                        four,
                        description="Takes responsibility instead of passing the customer on.",
                    ),
                    Category(
                        "follow_up",
                        "Follow-up",
                        10,
                        three,
                        na_allowed=True,
                        description="Promised follow-ups are made and kept.",
                    ),
                    Category(
                        "internal_process",
                        "Internal notes/process",
                        5,
                        binary,
                        na_allowed=True,
                        description="Internal notes, tags and procedures are used correctly.",
                    ),
                ),
            ),
        ),
    )
