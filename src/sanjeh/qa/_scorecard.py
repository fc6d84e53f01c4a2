"""Scorecards: scales, categories (the questions) and their kinds, sections; validation,
JSON form, the automatic signals linked to each category, and selection."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

from ..errors import ValidationError, WorkflowError
from ._limits import (
    MAX_CATEGORIES,
    MAX_CONDITIONS,
    MAX_ID,
    MAX_NAME,
    MAX_ROOT_CAUSES,
    MAX_SECTIONS,
    MAX_SIGNALS,
    check_id,
    check_text,
    check_texts,
)

ScaleKind = Literal["binary", "3", "4", "5"]
#: scale kind → (lowest, highest) rating
SCALES: dict[str, tuple[int, int]] = {"binary": (0, 1), "3": (1, 3), "4": (1, 4), "5": (1, 5)}
#: how a category counts (docs/qa.md, "Kinds of category"): in the weighted mean
#: (``standard``); in it, and under 50 % it zeroes the review (``critical``) or its
#: section (``fail_section``); or outside it, as points added (``bonus``)
Kind = Literal["standard", "critical", "fail_section", "bonus"]
KINDS: tuple[Kind, ...] = get_args(Kind)
#: analyzer (see sanjeh.text) → the default scorecard category it informs: the links of
#: a category that names no ``signals`` of its own (every scorecard saved before
#: categories had them)
ANALYZER_CATEGORIES: dict[str, str] = {
    "empathy": "empathy",
    "conversation.empathy_when_needed": "empathy",
    "active_listening": "empathy",
    "conversation.paraphrase": "empathy",
    "greeting": "greeting_closing",
    "closing": "greeting_closing",
    "conversation.greeting": "greeting_closing",
    "conversation.closing": "greeting_closing",
    "ownership": "ownership",
    "language_framing": "tone",
    "politeness": "tone",
    "rude": "tone",
    "apology": "tone",
    "follow_up": "follow_up",
    "conversation.follow_up_kept": "follow_up",
}


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
    """One criterion of a scorecard: a question the reviewer rates on its scale.

    ``weight`` (integer 0–100) is its weight in the review score; 0 = shown but not
    counted. ``critical``: scoring under 50 % here makes the whole review score 0.
    ``fail_section``: scoring under 50 % here makes its section score 0 (and count 0 in
    the review). ``bonus``: left out of the weighted mean; adds weight × its score / 100
    points to the review score, which stays at most 100 (a failed critical review stays
    0). At most one of the three. ``na_allowed``: the reviewer may mark it N/A (left out
    of the score). ``signals``: the analyzers (``auto_scores.analyzer``) whose findings
    are suggested under it; none = the built-in links by id (``ANALYZER_CATEGORIES``).
    """

    id: str
    name: str
    weight: int = 10
    scale: Scale = Scale("5")
    na_allowed: bool = False
    critical: bool = False
    root_causes: tuple[str, ...] = ()
    description: str = ""
    fail_section: bool = False
    bonus: bool = False
    signals: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.id or not str(self.id).strip():
            raise WorkflowError(f"category {self.name!r} has no id; give every category one")
        kinds = [k for k in ("critical", "fail_section", "bonus") if getattr(self, k)]
        if len(kinds) > 1:
            raise WorkflowError(
                f"category {self.id!r} is both {kinds[0]} and {kinds[1]}; a category is at "
                "most one of critical, fail_section or bonus"
            )
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
        twice = [a for i, a in enumerate(self.signals) if a in self.signals[:i]]
        if twice:
            raise WorkflowError(
                f"category {self.id!r}: signal {twice[0]!r} is listed twice; list each once"
            )

    @property
    def kind(self) -> Kind:
        """``critical``, ``fail_section``, ``bonus`` or ``standard``."""
        if self.critical:
            return "critical"
        if self.fail_section:
            return "fail_section"
        return "bonus" if self.bonus else "standard"


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
        if all(c.bonus for c in self.categories):
            raise WorkflowError(
                f"scorecard {self.id!r} has only bonus categories; a bonus adds to a score, "
                "so add at least one category that is not a bonus"
            )
        linked: dict[str, str] = {}
        for c in self.categories:
            for analyzer in c.signals:
                if analyzer in linked:
                    raise WorkflowError(
                        f"scorecard {self.id!r}: signal {analyzer!r} is linked to both "
                        f"{linked[analyzer]!r} and {c.id!r}; link each analyzer to one category"
                    )
                linked[analyzer] = c.id
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

    def signal_links(self) -> dict[str, str]:
        """analyzer → the category its findings are suggested under: each category's
        own ``signals``; a category naming none keeps the built-in links to its id
        (``ANALYZER_CATEGORIES``) unless another category claims the analyzer."""
        declared = {a: c.id for c in self.categories for a in c.signals}
        builtin = {c.id for c in self.categories if not c.signals}
        links = {
            a: cid for a, cid in ANALYZER_CATEGORIES.items() if cid in builtin and a not in declared
        }
        return {**links, **declared}

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
                            "fail_section": c.fail_section,
                            "bonus": c.bonus,
                            "root_causes": list(c.root_causes),
                            "description": c.description,
                            "signals": list(c.signals),
                        }
                        for c in s.categories
                    ],
                }
                for s in self.sections
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        """Read the :meth:`to_dict` form back; anything else (an unknown field, a text
        where a list belongs, ``"false"`` for a flag) is a WorkflowError saying where."""
        _fields("the scorecard", data, _CARD_FIELDS)
        conditions = data.get("conditions") or {}
        _fields("conditions", conditions, _CONDITION_FIELDS)
        sections = data.get("sections")
        if not isinstance(sections, list | tuple):
            raise WorkflowError("not a scorecard definition: sections must be a list")
        out = []
        for i, sec in enumerate(sections):
            _fields(f"sections[{i}]", sec, _SECTION_FIELDS)
            cats = sec.get("categories", ())
            if not isinstance(cats, list | tuple):
                raise WorkflowError(
                    f"not a scorecard definition: sections[{i}].categories must be a list"
                )
            categories = [
                _category(f"sections[{i}].categories[{j}]", c) for j, c in enumerate(cats)
            ]
            out.append(
                Section(
                    id=_text(f"sections[{i}].id", sec.get("id")),
                    name=_text(f"sections[{i}].name", sec.get("name", sec.get("id"))),
                    categories=tuple(categories),
                )
            )
        version = data.get("version", 1)
        threshold = data.get("pass_threshold", 80.0)
        if isinstance(version, bool) or not isinstance(version, int):
            raise WorkflowError(f"not a scorecard definition: version {version!r} is not a number")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise WorkflowError(
                f"not a scorecard definition: pass_threshold {threshold!r} is not a number"
            )
        return cls(
            id=_text("id", data.get("id")),
            name=_text("name", data.get("name", data.get("id"))),
            sections=tuple(out),
            version=version,
            channels=_texts("conditions.channels", conditions.get("channels")),
            tags=_texts("conditions.tags", conditions.get("tags")),
            teams=_texts("conditions.teams", conditions.get("teams")),
            active=_flag("active", data.get("active", True)),
            pass_threshold=float(threshold),
        )

    def check_size(self) -> None:
        """ValidationError unless the scorecard fits ``sanjeh.qa.limits`` (sections,
        categories, root causes, conditions, lengths of ids, names and descriptions):
        what is saved can always be filled in and submitted."""
        check_id("id", self.id, MAX_ID)
        check_text("name", self.name, MAX_NAME, required=True)
        if len(self.sections) > MAX_SECTIONS:
            raise ValidationError(
                "sections", f"{len(self.sections)} sections; a scorecard has at most {MAX_SECTIONS}"
            )
        if len(self.categories) > MAX_CATEGORIES:
            raise ValidationError(
                "categories",
                f"{len(self.categories)} categories; a scorecard has at most {MAX_CATEGORIES}",
            )
        for name in ("channels", "tags", "teams"):
            values = getattr(self, name)
            if len(values) > MAX_CONDITIONS:
                raise ValidationError(
                    f"conditions.{name}", f"{len(values)} values; the limit is {MAX_CONDITIONS}"
                )
            check_texts(f"conditions.{name}", values)
        for i, sec in enumerate(self.sections):
            check_id(f"sections[{i}].id", sec.id, MAX_ID)
            check_text(f"sections[{i}].name", sec.name, MAX_NAME, required=True)
            for j, c in enumerate(sec.categories):
                where = f"sections[{i}].categories[{j}]"
                check_id(f"{where}.id", c.id, MAX_ID)
                check_text(f"{where}.name", c.name, MAX_NAME, required=True)
                check_text(f"{where}.description", c.description)
                if len(c.root_causes) > MAX_ROOT_CAUSES:
                    raise ValidationError(
                        f"{where}.root_causes",
                        f"{len(c.root_causes)} root causes; the limit is {MAX_ROOT_CAUSES}",
                    )
                check_texts(f"{where}.root_causes", c.root_causes)
                if len(c.signals) > MAX_SIGNALS:
                    raise ValidationError(
                        f"{where}.signals",
                        f"{len(c.signals)} signals; the limit is {MAX_SIGNALS}",
                    )
                check_texts(f"{where}.signals", c.signals, MAX_ID)


_CARD_FIELDS = frozenset(
    ("id", "version", "name", "active", "pass_threshold", "conditions", "sections")
)
_CONDITION_FIELDS = frozenset(("channels", "tags", "teams"))
_SECTION_FIELDS = frozenset(("id", "name", "categories"))
_CATEGORY_FIELDS = frozenset(
    (
        "id",
        "name",
        "weight",
        "scale",
        "na_allowed",
        "critical",
        "fail_section",
        "bonus",
        "root_causes",
        "description",
        "signals",
    )
)


def _category(where: str, c: Mapping[str, Any]) -> Category:
    """One category of the ``to_dict`` form; a mistake is a WorkflowError naming
    ``where`` (``sections[i].categories[j]``) and the field."""
    _fields(where, c, _CATEGORY_FIELDS)
    scale = c.get("scale", "5")
    try:
        return Category(
            id=_text(f"{where}.id", c.get("id")),
            name=_text(f"{where}.name", c.get("name", c.get("id"))),
            weight=c.get("weight", 10),
            scale=Scale(scale if isinstance(scale, str) else _text(f"{where}.scale", scale)),  # type: ignore[arg-type]
            na_allowed=_flag(f"{where}.na_allowed", c.get("na_allowed", False)),
            critical=_flag(f"{where}.critical", c.get("critical", False)),
            fail_section=_flag(f"{where}.fail_section", c.get("fail_section", False)),
            bonus=_flag(f"{where}.bonus", c.get("bonus", False)),
            root_causes=_texts(f"{where}.root_causes", c.get("root_causes")),
            description=_text(f"{where}.description", c.get("description", "")),
            signals=_texts(f"{where}.signals", c.get("signals")),
        )
    except WorkflowError as exc:
        if exc.message.startswith("not a scorecard definition"):
            raise
        raise WorkflowError(f"not a scorecard definition: {where}: {exc.message}") from None


def _fields(where: str, data: object, known: frozenset[str]) -> None:
    if not isinstance(data, Mapping):
        raise WorkflowError(f"not a scorecard definition: {where} must be an object ({{…}})")
    unknown = sorted(set(data) - known)
    if unknown:
        raise WorkflowError(
            f"not a scorecard definition: {where} has no field {unknown[0]!r}; "
            f"its fields are: {', '.join(sorted(known))}"
        )


def _text(where: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise WorkflowError(f"not a scorecard definition: {where} must be a text, not {value!r}")
    return str(value)


def _texts(where: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise WorkflowError(f"not a scorecard definition: {where} must be a list of texts")
    return tuple(value)


def _flag(where: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise WorkflowError(f"not a scorecard definition: {where} must be true or false")
    return value


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
