"""Survey definitions: what is asked, in which languages, when and of whom.

A definition is plain data (TOML or JSON, docs/surveys.md) checked field by field here;
every error names the file and the field, and says what would do. ``to_dict`` and
``from_dict`` round-trip exactly, so the stored JSON (``survey_definitions.definition``)
is the definition and "changed" means "its JSON differs".
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from ..model.surveys import SURVEY_KINDS, SURVEY_LANGUAGES
from ._errors import DefinitionError

QuestionKind = Literal["rating", "yes_no", "choice", "text"]
Trigger = Literal["ticket_solved", "call_ended", "every_n_weeks", "manual"]
CesScale = Literal["agreement", "effort"]
QUESTION_KINDS: tuple[str, ...] = get_args(QuestionKind)
TRIGGERS: tuple[str, ...] = get_args(Trigger)
CES_SCALES: tuple[str, ...] = get_args(CesScale)
#: surveys of the team about itself: always anonymous
EMPLOYEE_KINDS = ("enps", "pulse")
#: the scale each kind's KPI reads from its primary question
KIND_SCALES = {"csat": (1, 5), "ces": (1, 7), "nps": (0, 10), "enps": (0, 10)}
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_MAX_QUESTIONS = 20


@dataclasses.dataclass(frozen=True)
class Question:
    """One question. ``rating``: a score from ``scale_min`` to ``scale_max`` (1-5, 1-7,
    0-10 …); ``yes_no``: stored 1 / 0; ``choice``: one of ``choices``, stored as its
    position (1, 2 …); ``text``: free text, stored as a comment."""

    code: str
    kind: QuestionKind
    text: Mapping[str, str]
    scale_min: int | None = None
    scale_max: int | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    primary: bool = False
    #: labels of the two ends of a rating scale, per language ({"fa": ["…", "…"]})
    labels: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict)

    @property
    def scale(self) -> tuple[int, int]:
        """The stored scale: the rating's, 0-1 for yes / no, 1-n for a choice."""
        if self.kind == "rating":
            assert self.scale_min is not None and self.scale_max is not None
            return self.scale_min, self.scale_max
        if self.kind == "choice":
            return 1, len(self.choices)
        return 0, 1


@dataclasses.dataclass(frozen=True)
class SurveyDefinition:
    """A survey, one version of it (``version`` 0: not stored yet)."""

    survey_id: str
    kind: str
    title: Mapping[str, str]
    questions: tuple[Question, ...]
    trigger: Trigger = "manual"
    version: int = 0
    #: ``effort``: the seeds' CES wording, 1 easy … 7 very hard; stored converted
    #: (8 − answer) so the CES KPI reads agreement everywhere (7 = easy)
    ces_scale: CesScale = "agreement"
    every_weeks: int | None = None
    #: do not ask the same customer again within this many days
    sample_days: int = 30
    #: ask about tickets solved / calls ended within this many days before sending
    lookback_days: int = 7
    expires_days: int = 7
    #: a second answer within this many minutes replaces the first
    grace_minutes: int = 30
    anonymous: bool = False
    languages: tuple[str, ...] = SURVEY_LANGUAGES
    #: ask only about conversations in these channels (empty: all)
    channels: tuple[str, ...] = ()

    @property
    def employee(self) -> bool:
        """Asked of the team (eNPS, pulse), not of customers."""
        return self.kind in EMPLOYEE_KINDS

    @property
    def primary(self) -> Question:
        return next(q for q in self.questions if q.primary)

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(code)

    def with_version(self, version: int) -> SurveyDefinition:
        return dataclasses.replace(self, version=version)

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain data, without the version (the JSON stored)."""
        out = dataclasses.asdict(self)
        out.pop("version")
        out["id"] = out.pop("survey_id")
        out["questions"] = list(out["questions"])
        for q in out["questions"]:
            q["labels"] = {k: list(v) for k, v in q["labels"].items()}
            q["choices"] = list(q["choices"])
        out["languages"], out["channels"] = list(self.languages), list(self.channels)
        out["title"] = dict(self.title)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


def load_definition(
    source: str | Path | Mapping[str, Any], *, name: str | None = None
) -> SurveyDefinition:
    """A definition from a TOML or JSON file (by its suffix), a TOML / JSON text, or a
    mapping; ``name`` is what errors call it (default: the file's path)."""
    if isinstance(source, Mapping):
        return from_dict(source, where=name or "definition")
    if isinstance(source, Path) or (
        "\n" not in source and source.lower().endswith((".toml", ".json"))
    ):
        path = Path(source)
        where = name or str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise DefinitionError(f"{where}: no such file") from None
        except UnicodeDecodeError:
            raise DefinitionError(f"{where}: not UTF-8 text; save it as UTF-8") from None
        return from_dict(_parse(text, where, json_=path.suffix.lower() == ".json"), where=where)
    where = name or "definition"
    return from_dict(_parse(source, where, json_=source.lstrip().startswith("{")), where=where)


def _parse(text: str, where: str, *, json_: bool) -> Mapping[str, Any]:
    try:
        data = json.loads(text) if json_ else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{where}: line {exc.lineno}: not valid JSON: {exc.msg}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{where}: not valid TOML: {exc}") from None
    if not isinstance(data, dict):
        raise DefinitionError(f"{where}: expected a table / object of fields")
    return data


class _Fields:
    """Reads one table of a definition, naming ``where`` and the field in each error."""

    def __init__(self, data: Mapping[str, Any], where: str, known: set[str]) -> None:
        self.data, self.where = data, where
        unknown = sorted(set(data) - known)
        if unknown:
            self.fail(unknown[0], f"unknown field; fields: {', '.join(sorted(known))}")

    def fail(self, field: str, message: str) -> None:
        raise DefinitionError(f"{self.where}: {field}: {message}")

    def get(self, field: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        value = self.data.get(field, default)
        if value is None:
            return None
        if isinstance(value, bool) and kind in (int, (int, float)):
            self.fail(field, f"expected a number, got {value!r}")
        if not isinstance(value, kind):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            self.fail(field, f"expected {_WORDS.get(names, names)}, got {value!r}")
        return value

    def required(self, field: str, kind: type) -> Any:
        if self.data.get(field) is None:
            self.fail(field, "missing (required)")
        return self.get(field, kind)

    def choice(self, field: str, choices: tuple[str, ...], default: str | None) -> Any:
        value = self.get(field, str, default)
        if value is None or value not in choices:
            self.fail(field, f"{value!r} is not one of: {', '.join(choices)}")
        return value

    def count(self, field: str, default: int | None, low: int, high: int) -> Any:
        value = self.get(field, int, default)
        if value is not None and not low <= value <= high:
            self.fail(field, f"{value} is outside {low}..{high}")
        return value

    def words(self, field: str, languages: tuple[str, ...], *, required: bool) -> dict[str, str]:
        value = self.get(field, (dict, str), {} if not required else None)
        if value is None:
            self.fail(field, "missing (required): the wording per language, e.g. {en = '…'}")
        if isinstance(value, str):
            return {lang: value for lang in languages}
        out = {}
        for lang, text in value.items():
            if lang not in SURVEY_LANGUAGES:
                self.fail(
                    f"{field}.{lang}", f"unknown language; use: {', '.join(SURVEY_LANGUAGES)}"
                )
            if not isinstance(text, str) or not text.strip():
                self.fail(f"{field}.{lang}", "expected a non-empty text")
            out[lang] = text.strip()
        missing = [lang for lang in languages if lang not in out]
        if required and missing:
            self.fail(f"{field}.{missing[0]}", "missing: every language of the survey needs it")
        return out

    def texts(self, field: str) -> tuple[str, ...]:
        value = self.get(field, list, [])
        if any(not isinstance(v, str) or not v.strip() for v in value):
            self.fail(field, "expected a list of non-empty texts")
        return tuple(v.strip() for v in value)


_WORDS = {
    "str": "a text",
    "int": "a whole number",
    "bool": "true or false",
    "dict": "a table",
    "list": "a list",
    "dict or str": "a table of wordings per language (or one text)",
}
_TOP = {
    "id",
    "kind",
    "title",
    "questions",
    "trigger",
    "ces_scale",
    "every_weeks",
    "sample_days",
    "lookback_days",
    "expires_days",
    "grace_minutes",
    "anonymous",
    "languages",
    "channels",
}
_QUESTION = {
    "code",
    "kind",
    "text",
    "scale",
    "scale_min",
    "scale_max",
    "choices",
    "required",
    "primary",
    "labels",
}


def from_dict(data: Mapping[str, Any], *, where: str = "definition") -> SurveyDefinition:
    """Check and build a definition from plain data (``to_dict``'s shape, or a file's)."""
    f = _Fields(data, where, _TOP | {"survey_id", "version"})
    survey_id = f.required("id", str) if "survey_id" not in data else f.required("survey_id", str)
    if not _ID.match(survey_id):
        f.fail("id", f"{survey_id!r}: use lower-case letters, digits, '-', '_' or '.' (≤ 64)")
    kind = f.choice("kind", SURVEY_KINDS, None)
    languages = f.texts("languages") or SURVEY_LANGUAGES
    for lang in languages:
        if lang not in SURVEY_LANGUAGES:
            f.fail("languages", f"{lang!r} is not one of: {', '.join(SURVEY_LANGUAGES)}")
    employee = kind in EMPLOYEE_KINDS
    default_trigger = "every_n_weeks" if kind == "pulse" else "manual"
    trigger = f.choice("trigger", TRIGGERS, default_trigger)
    if employee and trigger in ("ticket_solved", "call_ended"):
        f.fail("trigger", f"{kind} asks the team, not customers: use every_n_weeks or manual")
    if not employee and trigger == "every_n_weeks":
        f.fail("trigger", "every_n_weeks is for employee surveys (enps, pulse)")
    every = f.count("every_weeks", 1 if trigger == "every_n_weeks" else None, 1, 52)
    if every is not None and trigger != "every_n_weeks":
        f.fail("every_weeks", "only with trigger = 'every_n_weeks'")
    anonymous = f.get("anonymous", bool, employee)
    if employee and not anonymous:
        f.fail("anonymous", f"{kind} answers are always anonymous (remove the field)")
    if not employee and anonymous:
        f.fail("anonymous", "only employee surveys (enps, pulse) are anonymous")
    raw = f.get("questions", list)
    if not raw:
        f.fail("questions", "missing: at least one [[questions]]")
    if len(raw) > _MAX_QUESTIONS:
        f.fail("questions", f"{len(raw)} questions; at most {_MAX_QUESTIONS}")
    questions = tuple(
        _question(q, f"{where}: questions[{i}]", languages) for i, q in enumerate(raw, start=1)
    )
    questions = _check_questions(questions, kind, f)
    return SurveyDefinition(
        survey_id=survey_id,
        kind=kind,
        title=f.words("title", languages, required=True),
        questions=questions,
        trigger=trigger,
        version=int(data.get("version") or 0),
        ces_scale=f.choice("ces_scale", CES_SCALES, "agreement"),
        every_weeks=every,
        sample_days=f.count("sample_days", 30, 0, 3660),
        lookback_days=f.count("lookback_days", 7, 1, 366),
        expires_days=f.count("expires_days", 7, 1, 366),
        grace_minutes=f.count("grace_minutes", 30, 0, 1440),
        anonymous=anonymous,
        languages=tuple(languages),
        channels=f.texts("channels"),
    )


def _question(data: Any, where: str, languages: tuple[str, ...]) -> Question:
    if not isinstance(data, dict):
        raise DefinitionError(f"{where}: expected a table with code, kind and text")
    f = _Fields(data, where, _QUESTION)
    code = f.required("code", str)
    if not _CODE.match(code):
        f.fail("code", f"{code!r}: use lower-case letters, digits and '_', starting with a letter")
    kind = f.choice("kind", QUESTION_KINDS, "rating")
    low, high = f.get("scale_min", int), f.get("scale_max", int)
    scale = f.get("scale", list)
    if scale is not None:
        if len(scale) != 2 or not all(type(v) is int for v in scale):
            f.fail("scale", "expected [lowest, highest], e.g. [1, 5]")
        low, high = scale
    if kind == "rating":
        if low is None or high is None:
            f.fail("scale", "a rating needs its scale, e.g. scale = [1, 5]")
        if not (0 <= low < high <= 10 and low <= 1):
            f.fail("scale", f"[{low}, {high}]: use 1-5, 1-7, 0-10 or another 0/1..n up to 10")
    elif low is not None or high is not None:
        f.fail("scale", f"only a rating has a scale (this question is {kind})")
    choices = f.texts("choices")
    if kind == "choice" and len(choices) < 2:
        f.fail("choices", "a choice question needs at least two choices")
    if kind != "choice" and choices:
        f.fail("choices", f"only a choice question has choices (this one is {kind})")
    if len(set(choices)) != len(choices):
        f.fail("choices", "a choice is listed twice")
    labels = {}
    for lang, pair in (f.get("labels", dict, {}) or {}).items():
        ok = isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        if lang not in SURVEY_LANGUAGES or not ok:
            f.fail(f"labels.{lang}", "expected [lowest end, highest end] per language fa/ar/en")
        labels[lang] = (pair[0], pair[1])
    return Question(
        code=code,
        kind=kind,
        text=f.words("text", languages, required=True),
        scale_min=low if kind == "rating" else None,
        scale_max=high if kind == "rating" else None,
        choices=choices,
        required=f.get("required", bool, False),
        primary=f.get("primary", bool, False),
        labels=labels,
    )


def _check_questions(
    questions: tuple[Question, ...], kind: str, f: _Fields
) -> tuple[Question, ...]:
    """Codes unique; exactly one primary rating (the first rating when none is marked),
    on the scale its kind's KPI reads; the primary is always required."""
    codes = [q.code for q in questions]
    twice = next((c for c in codes if codes.count(c) > 1), None)
    if twice:
        f.fail("questions", f"code {twice!r} is used twice")
    marked = [q for q in questions if q.primary]
    if len(marked) > 1:
        f.fail("questions", f"{len(marked)} questions say primary = true; mark one")
    scored = [q for q in questions if q.kind != "text"]
    if not scored:
        f.fail("questions", f"a {kind} survey needs a question that is not free text (a score)")
    primary = marked[0] if marked else scored[0]
    if primary.kind == "text":
        f.fail("questions", f"primary question {primary.code!r} is free text; mark a rating")
    if kind in KIND_SCALES and primary.scale != KIND_SCALES[kind]:
        low, high = KIND_SCALES[kind]
        f.fail(
            "questions",
            f"primary question {primary.code!r}: a {kind} is asked on {low}-{high} "
            f"(its KPI reads that scale), not {primary.scale[0]}-{primary.scale[1]}",
        )
    return tuple(
        dataclasses.replace(q, primary=True, required=True) if q is primary else q
        for q in questions
    )
