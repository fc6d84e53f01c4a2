"""Filter values as people write them, and what to say when a value matches nothing.

A report shows teams and agents by name and topics by label (:func:`breakdown_labels`),
so ``--filter team=Billing`` must work as well as the id (``demo:billing``).
:func:`resolve_names` turns names into ids for the engine; :func:`unknown_values` tells
a caller which filter values occur nowhere in the data (the report would be empty),
with the values that do.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..errors import ConfigError
from ..store import Store
from ._build import CALL_FACTS, CUSTOMER_FACTS, REPLY_FACTS, SHIFT_FACTS, SURVEY_FACTS, TICKET_FACTS

#: filters whose values are ids with a display name: the entity table, its key and the
#: column holding the name (a topic's is its label, read when shown: no facts refresh)
NAMED = {
    "team": ("teams", "team_id", "name"),
    "agent": ("agents", "agent_id", "name"),
    "topic": ("topics", "topic_id", "label"),
}
#: where each filter's values occur: (fact table, column)
_WHERE = {
    "team": [(t, "team_id") for t in (TICKET_FACTS, REPLY_FACTS, CALL_FACTS, SHIFT_FACTS)],
    "agent": [(t, "agent_id") for t in (TICKET_FACTS, REPLY_FACTS, CALL_FACTS, SHIFT_FACTS)],
    "channel": [(TICKET_FACTS, "channel")],
    "priority": [(TICKET_FACTS, "priority")],
    "category": [(TICKET_FACTS, "category")],
    "tag": [(TICKET_FACTS, "tags")],
    "segment": [(TICKET_FACTS, "segment"), (CUSTOMER_FACTS, "segment")],
    "language": [(TICKET_FACTS, "language")],
    "plan": [(CUSTOMER_FACTS, "plan")],
    "queue": [(CALL_FACTS, "queue")],
    "survey": [(SURVEY_FACTS, "survey")],
    "topic": [(TICKET_FACTS, "topic")],
}
#: values listed in an error before "… (N in all)"
SHOWN = 12


def resolve_names(store: Store, filters: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Team and agent filter values as ids: each value may be the id, the name the
    tables show, or the id without its source (``billing`` for ``demo:billing``),
    in any letter case. A value that is none of these, in the teams / agents tables
    or in the data, is a ConfigError listing the values that exist.
    """
    out = dict(filters)
    for dim in (d for d in NAMED if filters.get(d)):
        entities = _entities(store, dim)
        ids = {i for i, _ in entities}
        matches: dict[str, list[str]] = defaultdict(list)
        for ident, name in entities:
            for word in {_fold(name or ""), _fold(_short(ident))} - {""}:
                matches[word].append(ident)
        resolved: list[Any] = []
        for value in filters[dim]:
            text = str(value)
            if text in ids:
                resolved.append(text)
            elif _fold(text) in matches:
                resolved += matches[_fold(text)]
            else:  # an id the data uses but no teams / agents row names (rare: read it now)
                unnamed = _values(store, dim) - ids
                found = [i for i in unnamed if _fold(text) in (_fold(i), _fold(_short(i)))]
                if not found:
                    listing = _listing(dim, entities + [(i, None) for i in sorted(unnamed)], store)
                    raise ConfigError(f"no {dim} {text!r}: {listing}")
                resolved += sorted(found)
        out[dim] = list(dict.fromkeys(resolved))
    return out


def unknown_values(store: Store, filters: dict[str, list[Any]]) -> str | None:
    """Why a report with these filters can only be empty — filter values found nowhere
    in the data (after :func:`resolve_names`), with the values there are — or None.

    Reads the facts: call it after they are built (after ``kpis``).
    """
    for dim, chosen in filters.items():
        if dim not in _WHERE or not chosen:
            continue
        found = _values(store, dim)
        missing = [str(v) for v in chosen if str(v) not in found]
        if missing and len(missing) == len(chosen):
            named = _entities(store, dim) if dim in NAMED else []
            listing = _listing(dim, named, store) if named else _plain_listing(dim, found)
            return f"no {dim} {', '.join(map(repr, missing))} in the data: {listing}"
    return None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _short(ident: str) -> str:
    """An id without its source: ``billing`` of ``demo:billing``."""
    return ident.split(":", 1)[-1]


def _entities(store: Store, dim: str) -> list[tuple[str, str | None]]:
    table, key, name = NAMED[dim]
    with store.lock:  # the shared Ibis connection (the web app calls from threads)
        t = store.table(table)
        rows = t.select(key, name).to_pyarrow().to_pylist()
    return sorted((str(r[key]), r[name]) for r in rows if r[key] is not None)


def breakdown_labels(store: Store, by: list[str]) -> dict[str, dict[str, str]]:
    """What a report shows instead of the ids of its ``by`` breakdowns: team and agent
    names, topic labels (read now, so a relabelled topic needs no facts refresh). The
    results keep the ids (JSON, CSV); an id without a name is shown as it is."""
    return {
        dim: {ident: name for ident, name in _entities(store, dim) if name}
        for dim in by
        if dim in NAMED
    }


def _values(store: Store, dim: str) -> set[str]:
    """Every value of a filter's column in the facts that carry it."""
    found: set[str] = set()
    with store.lock:
        existing = set(store.con.list_tables())
        for table, column in _WHERE[dim]:
            if table not in existing:
                continue
            t = store.con.table(table)
            if column not in t.columns:
                continue
            col = t[column].unnest() if dim == "tag" else t[column]
            values = col.name("v").as_table().distinct().to_pyarrow()["v"].to_pylist()
            found.update(str(v) for v in values if v is not None)
    return found


def _listing(dim: str, entities: list[tuple[str, str | None]], store: Store) -> str:
    """The teams / agents there are, as 'name (id)', at most SHOWN of them."""
    if not entities:
        return _plain_listing(dim, _values(store, dim))
    shown = [f"{name} ({ident})" if name else ident for ident, name in entities[:SHOWN]]
    more = f", … ({len(entities)} in all)" if len(entities) > SHOWN else ""
    return f"use the id or the name of one of: {', '.join(shown)}{more}"


def _plain_listing(dim: str, values: set[str]) -> str:
    if not values:
        return f"the data has no {dim} values"
    ordered = sorted(values)
    more = f", … ({len(ordered)} in all)" if len(ordered) > SHOWN else ""
    return f"values there are: {', '.join(ordered[:SHOWN])}{more}"
