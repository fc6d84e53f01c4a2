"""Reading first messages and writing / reading the topic tables."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

from ..store import Store
from ..text import detect_language
from ._cluster import Centres

WRITE_CHUNK = 100_000


def first_messages(store: Store, ticket_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """ticket_id, language, text of each ticket's first customer message (earliest
    ``at``, then event id), else its subject; language from the ticket, else detected.
    Tickets with neither text are left out. One query; ordered by ticket id."""
    t = store.table("tickets")
    if ticket_ids is not None:
        t = t.semi_join(_ids("ticket_id", ticket_ids), "ticket_id")
    return messages_of(store, t)


def messages_of(store: Store, t: ibis.Table) -> pd.DataFrame:
    """:func:`first_messages` of the tickets in ``t`` (a filtered ``tickets``)."""
    ev = store.table("events")
    ev = ev.filter((ev.kind == "message") & (ev.actor_type == "customer") & ev.body.notnull())
    ev = ev.semi_join(t.select("ticket_id"), "ticket_id")
    ranked = ev.mutate(
        rn=ibis.row_number().over(group_by=ev.ticket_id, order_by=[ev.at, ev.event_id])
    )
    first = ranked.filter(ranked.rn == 0).select("ticket_id", "body")
    joined = t.left_join(first, "ticket_id").select(
        ticket_id=t.ticket_id,
        language=t.language,
        text=ibis.coalesce(first.body, t.subject),
    )
    df = joined.filter(joined.text.notnull()).order_by("ticket_id").to_pandas()
    df["language"] = df.language.astype(object)
    missing = df.language.isna() | (df.language == "")
    if missing.any():
        df.loc[missing, "language"] = [detect_language(x) for x in df.text[missing]]
    return df.reset_index(drop=True)


def new_tickets(store: Store) -> ibis.Table:
    """Tickets without a ``ticket_topics`` row."""
    return store.table("tickets").anti_join(store.table("ticket_topics"), "ticket_id")


def _ids(column: str, ids: Iterable[str]) -> ibis.Table:
    return ibis.memtable(pa.table({column: pa.array(sorted(set(ids)), pa.string())}))


def write_rows(store: Store, table: str, rows: list[dict[str, Any]]) -> None:
    for lo in range(0, len(rows), WRITE_CHUNK):
        store.write(table, rows[lo : lo + WRITE_CHUNK])


def delete_ids(store: Store, table: str, column: str, ids: Iterable[str]) -> None:
    ids = set(ids)
    if ids:
        store.delete_rows(table, column, _ids(column, ids))  # recorded: the facts refresh


def stored_ids(store: Store, table: str, column: str, language: str) -> set[str]:
    t = store.table(table)
    return set(t.filter(t.language == language)[column].execute())


def latest_models(store: Store) -> dict[str, tuple[str, Centres, list[str]]]:
    """Per language: (model version, its centres, topic ids in centre order)."""
    t = store.table("topic_models").execute()
    out: dict[str, tuple[str, Centres, list[str]]] = {}
    for row in t.sort_values(["created_at", "model_version"]).itertuples():
        data = json.loads(row.model)
        out[row.language] = (row.model_version, Centres.from_json(data), data["topic_ids"])
    return out


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
