"""The scorecard builder's form as a *draft*: what the user typed, kept as typed (so a
page sent back shows it unchanged), turned into the ``Scorecard.to_dict()`` form only
when it is saved or previewed.

Field names: ``id``, ``name``, ``pass_threshold``, ``active``, ``channels`` / ``tags`` /
``teams`` (comma-separated), ``note``; section *i* ``s.<i>.id`` / ``s.<i>.name``;
category *j* of section *i* ``c.<i>.<j>.<field>`` with the fields of :data:`CAT_FIELDS`
(``signals`` repeated; ``causes`` one root cause a line; ``example``: a rating for the
preview). Indices give the order; gaps do not matter (the page's script renumbers).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ...qa import Scorecard
from .._errors import InvalidParameter
from ._forms import Fields, field, number

Draft = dict[str, Any]
#: a category's fields in the form (``na``: the N/A checkbox)
CAT_FIELDS = (
    "id",
    "name",
    "weight",
    "scale",
    "kind",
    "na",
    "signals",
    "causes",
    "description",
    "example",
)
_SECTION = re.compile(r"s\.([0-9]{1,4})\.(id|name)")
_CATEGORY = re.compile(r"c\.([0-9]{1,4})\.([0-9]{1,4})\.(" + "|".join(CAT_FIELDS) + ")")
#: the form's ``op`` values (``<what>:<section>[:<category>]``) besides ``save``
_OP = re.compile(
    r"(preview|import|add_section)"
    r"|(remove_section|up_section|down_section|add_category):([0-9]{1,4})"
    r"|(remove_category|up_category|down_category):([0-9]{1,4}):([0-9]{1,4})"
)


def blank_category() -> Draft:
    return {
        "id": "",
        "name": "",
        "weight": "10",
        "scale": "5",
        "kind": "standard",
        "na": False,
        "signals": [],
        "causes": "",
        "description": "",
        "example": "",
    }


def blank_section() -> Draft:
    return {"id": "", "name": "", "categories": [blank_category()]}


def blank_draft() -> Draft:
    return {
        "id": "",
        "name": "",
        "pass_threshold": "80",
        "active": True,
        "channels": "",
        "tags": "",
        "teams": "",
        "note": "",
        "sections": [blank_section()],
    }


def draft_of(card: Scorecard) -> Draft:
    """A stored scorecard as the builder shows it (its effective signal links listed,
    so a card saved before categories named signals shows what it suggests)."""
    links = card.signal_links()
    sections = [
        {
            "id": s.id,
            "name": s.name,
            "categories": [
                {
                    "id": c.id,
                    "name": c.name,
                    "weight": str(c.weight),
                    "scale": c.scale.kind,
                    "kind": c.kind,
                    "na": c.na_allowed,
                    "signals": [a for a, cid in links.items() if cid == c.id],
                    "causes": "\n".join(c.root_causes),
                    "description": c.description,
                    "example": "",
                }
                for c in s.categories
            ],
        }
        for s in card.sections
    ]
    return {
        "id": card.id,
        "name": card.name,
        "pass_threshold": f"{card.pass_threshold:g}",
        "active": card.active,
        "channels": ", ".join(card.channels),
        "tags": ", ".join(card.tags),
        "teams": ", ".join(card.teams),
        "note": "",
        "sections": sections,
    }


def draft_from(fields: Fields) -> Draft:
    """The posted builder form as a draft (unknown fields are ignored: the buttons,
    the CSRF token, the import box)."""
    sections: dict[int, Draft] = {}
    categories: dict[tuple[int, int], Draft] = {}
    for key, value in fields:
        if m := _SECTION.fullmatch(key):
            sec = sections.setdefault(int(m[1]), {"id": "", "name": "", "categories": []})
            sec[m[2]] = value.strip()
        elif m := _CATEGORY.fullmatch(key):
            i, j, name = int(m[1]), int(m[2]), m[3]
            sections.setdefault(i, {"id": "", "name": "", "categories": []})
            cat = categories.setdefault(
                (i, j), {**blank_category(), "weight": "", "kind": "standard"}
            )
            if name == "signals":
                if value and value not in cat["signals"]:
                    cat["signals"].append(value)
            elif name == "na":
                cat["na"] = value == "1"
            elif name in ("causes", "description"):
                cat[name] = value
            else:
                cat[name] = value.strip()
    for (i, _), cat in sorted(categories.items()):
        sections[i]["categories"].append(cat)
    return {
        "id": field(fields, "id").strip(),
        "name": field(fields, "name").strip(),
        "pass_threshold": field(fields, "pass_threshold").strip(),
        "active": field(fields, "active") == "1",
        "channels": field(fields, "channels"),
        "tags": field(fields, "tags"),
        "teams": field(fields, "teams"),
        "note": field(fields, "note"),
        "sections": [sections[i] for i in sorted(sections)],
    }


def _list(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def _named(name: str) -> dict[str, str]:
    """A blank name is left out (it defaults to the id)."""
    return {"name": name} if name else {}


def _threshold(text: str) -> float | str:
    try:
        return float(text) if text.strip() else 80.0
    except ValueError:
        return text


def definition_of(draft: Draft, *, placeholders: bool = False) -> dict[str, Any]:
    """The draft in the ``Scorecard.to_dict()`` form (what ``ScorecardIn`` and
    ``Scorecard.from_dict`` check). Numbers that are not numbers stay texts (the check
    says where); ``placeholders``: blank ids become ``section-<i>`` / ``category-<i>-<j>``
    (the preview of a card being built)."""
    sections = []
    for i, sec in enumerate(draft["sections"]):
        categories = []
        for j, c in enumerate(sec["categories"]):
            kind = c["kind"]
            categories.append(
                {
                    "id": c["id"] or (f"category-{i}-{j}" if placeholders else ""),
                    **_named(c["name"]),
                    "weight": number(c["weight"]),
                    "scale": c["scale"],
                    "na_allowed": c["na"],
                    "critical": kind == "critical",
                    "fail_section": kind == "fail_section",
                    "bonus": kind == "bonus",
                    "root_causes": [v.strip() for v in c["causes"].splitlines() if v.strip()],
                    "description": c["description"].strip(),
                    "signals": list(c["signals"]),
                }
            )
        sections.append(
            {
                "id": sec["id"] or (f"section-{i}" if placeholders else ""),
                **_named(sec["name"]),
                "categories": categories,
            }
        )
    return {
        "id": draft["id"] or ("preview" if placeholders else ""),
        **_named(draft["name"]),
        "active": draft["active"],
        "pass_threshold": _threshold(draft["pass_threshold"]),
        "conditions": {
            "channels": _list(draft["channels"]),
            "tags": _list(draft["tags"]),
            "teams": _list(draft["teams"]),
        },
        "sections": sections,
    }


def example_ratings(draft: Draft, card: Scorecard) -> dict[str, int | None]:
    """The preview's example ratings by category id of ``card`` (the draft's card built
    with placeholders): a rating on the category's scale, else N/A."""
    out: dict[str, int | None] = {}
    examples = [c["example"] for sec in draft["sections"] for c in sec["categories"]]
    for cat, text in zip(card.categories, examples, strict=True):
        value = number(text) if text != "na" else None
        ok = isinstance(value, int) and cat.scale.min <= value <= cat.scale.max
        out[cat.id] = value if ok and isinstance(value, int) else None
    return out


def apply(op: str, draft: Draft) -> Draft:
    """A builder button done on the server (the page without its script): add, remove
    or move a section or a category. ``preview`` and ``import`` change nothing here."""
    m = _OP.fullmatch(op)
    if m is None:
        raise InvalidParameter("op", f"unknown builder action {op!r}")
    out = copy.deepcopy(draft)
    sections: list[Draft] = out["sections"]
    if m[1] == "add_section":
        sections.append(blank_section())
    elif m[2] is not None:
        i = _index("op", int(m[3]), sections)
        if m[2] == "add_category":
            sections[i]["categories"].append(blank_category())
        else:
            _move(sections, i, m[2].split("_")[0])
    elif m[4] is not None:
        i = _index("op", int(m[5]), sections)
        cats = sections[i]["categories"]
        _move(cats, _index("op", int(m[6]), cats), m[4].split("_")[0])
    if not sections:
        sections.append(blank_section())
    return out


def _index(name: str, i: int, items: list[Draft]) -> int:
    if i >= len(items):
        raise InvalidParameter(name, f"no row {i}; the form has {len(items)}")
    return i


def _move(items: list[Draft], i: int, how: str) -> None:
    if how == "remove":
        del items[i]
    elif how == "up" and i > 0:
        items[i - 1], items[i] = items[i], items[i - 1]
    elif how == "down" and i + 1 < len(items):
        items[i + 1], items[i] = items[i], items[i + 1]
