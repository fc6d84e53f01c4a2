"""Score a store's conversations into ``auto_scores``: only what is new, in bounded batches.

    from sanjeh import text
    summary = text.score_store(store)                       # tickets with unscored messages
    summary = text.score_store(store, since="2026-03-01")   # … and every ticket written since

The messages of the pending tickets (see ``_pending.py``) are first streamed into a
temporary Parquet file, then read back in batches of whole tickets, scored with
``auto_score_rows`` and staged. Reading and writing never overlap: on DuckDB a write on the
connection silently ends an open result stream. Rows are merged (by ``score_id``) every
``COMMIT_MESSAGES`` messages, so an interrupted run keeps the tickets it finished.

Calls are conversations too: the transcript segments of a call (``call_segments``, not
the speech found in a recording, which has no words) are scored by the same analyzers, a
segment as a message of its speaker. Their rows name the call (``call_id``; ``ticket_id``
empty) and their ``score_id`` starts with ``call:``, so a call and a ticket that share an
id never share a row.

Scoring a ticket again writes only what changed: a row equal to the stored one is left
alone (its ``scored_at`` too), so running twice changes nothing; a stored row the new
scoring no longer produces (an analyzer removed, a conditional conversation signal gone)
is *retired* -- label ``not_applicable``, no score -- since merges never delete.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import ConfigError, ValidationError
from ._api import registry
from ._pending import customer_names, messages_to_score, names_of, pending_tickets, version_of
from ._rows import auto_score_rows
from ._types import Analyzer

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from ..store import Stage, Store

#: label of a stored row that the current scoring no longer produces
RETIRED = "not_applicable"
#: messages scored between two merges into auto_scores
COMMIT_MESSAGES = 50_000
_COMPARED = (
    *("ticket_id", "call_id", "event_id"),
    *("analyzer", "label", "score", "evidence", "version"),
)
#: ``score_id`` prefix of a call's rows
CALL_PREFIX = "call:"
_STREAM_ROWS = 20_000

ProgressCallback = Callable[[int, int], None]


@dataclasses.dataclass
class ScoreSummary:
    """What one ``score_store`` run did."""

    tickets: int = 0
    #: calls whose transcript was scored
    calls: int = 0
    messages: int = 0
    #: rows the analyzers produced (before leaving out the unchanged ones)
    rows: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    retired: int = 0
    seconds: float = 0.0
    #: analyzer name → version used
    analyzers: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["seconds"] = round(self.seconds, 3)
        out["messages_per_second"] = round(self.messages_per_second, 1)
        return out


def score_store(
    store: Store,
    *,
    since: dt.date | dt.datetime | str | None = None,
    analyzers: Sequence[Analyzer] | None = None,
    progress: ProgressCallback | None = None,
    batch: int = 2_000,
) -> ScoreSummary:
    """Score the conversations that need it and merge the rows into ``auto_scores``.

    A ticket is scored when one of its messages has no row yet from an analyzer at its
    current version (new tickets, new messages, a new analyzer version), and -- with
    ``since`` (a date or an ISO datetime, UTC unless it has an offset) -- when one of its
    messages was written at or after ``since``. ``analyzers`` defaults to the registry's.
    ``progress(done, total)`` counts messages; ``batch`` is the messages scored at once
    (whole tickets: a longer ticket makes a larger batch).
    """
    started = time.perf_counter()
    chosen = _checked(registry.all() if analyzers is None else list(analyzers))
    if batch < 1:
        raise ValidationError("batch", f"must be at least 1, got {batch}")
    cutoff = _as_utc(since)
    summary = ScoreSummary(analyzers={a.name: version_of(a) for a in chosen})
    scored_at = dt.datetime.now(dt.UTC)
    sources = [_tickets(store), _calls(store)]
    with tempfile.TemporaryDirectory(prefix="sanjeh-score-") as tmp:
        spills = []
        for i, source in enumerate(sources):
            pending = pending_tickets(source.events, source.scores, chosen, cutoff, source.names)
            todo = messages_to_score(source.events, source.scores, pending, source.names)
            spill = Path(tmp) / f"messages-{i}.parquet"
            spills.append((source, spill, _spill(store, todo, spill)))
        total = sum(n for *_, n in spills)
        if progress:
            progress(0, total)
        with _Writer(store, summary) as writer:
            for source, spill, count in spills:
                for chunk in _whole_tickets(spill, count, batch):
                    rows = _rows_of(chunk, chosen, scored_at, source.key)
                    summary.rows += rows.num_rows
                    changed = _against_stored(store, chunk, rows, scored_at, summary, source.key)
                    writer.add(changed, chunk.num_rows)
                    summary.messages += chunk.num_rows
                    found = len(pc.unique(chunk["ticket_id"]))
                    if source.key == "call_id":
                        summary.calls += found
                    else:
                        summary.tickets += found
                    if progress:
                        progress(summary.messages, total)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclasses.dataclass(frozen=True)
class _Conversations:
    """Where conversations to score come from, shaped as ``_pending`` reads them: the
    conversation's id in ``ticket_id`` of ``events`` (its messages) and ``scores`` (its
    stored rows), customers' names by conversation in ``names``."""

    #: the auto_scores column naming the conversation
    key: str
    events: ir.Table
    scores: ir.Table
    names: ir.Table


def _tickets(store: Store) -> _Conversations:
    events, scores = store.table("events"), store.table("auto_scores")
    return _Conversations(
        "ticket_id", events, scores.filter(scores.call_id.isnull()), names_of(events)
    )


def _calls(store: Store) -> _Conversations:
    """A call's transcript as messages: each segment with words is a message of its
    speaker (``other`` speakers, an IVR say, are not scored), at the call's start plus the
    segment's offset."""
    segments, calls = store.table("call_segments"), store.table("calls")
    said = segments.filter(segments.origin.fill_null("transcript") == "transcript")
    timed = said.join(calls.select("call_id", _call_start="started_at"), "call_id")
    offset_us = (timed.start_s * 1_000_000).round().cast("int64")
    at = timed._call_start + offset_us.as_interval("us")
    events = timed.select(
        ticket_id=timed.call_id,
        event_id=timed.segment_id,
        at=at,
        kind=ibis.literal("message"),
        actor_type=timed.speaker,
        public=ibis.literal(True),
        body=timed.text,
    )
    scores = store.table("auto_scores")
    scores = scores.filter(scores.call_id.notnull()).mutate(ticket_id=scores.call_id)
    as_tickets = calls.select(ticket_id="call_id", customer_id="customer_id")
    return _Conversations(
        "call_id", events, scores, customer_names(as_tickets, store.table("customers"))
    )


def _checked(analyzers: list[Analyzer]) -> list[Analyzer]:
    names: set[str] = set()
    for a in analyzers:
        if not isinstance(a, Analyzer):
            raise ConfigError(f"{a!r} is not an analyzer (name, version, roles, analyze)")
        # "language" and "conversation.*" rows are written by auto_score_rows itself
        if a.name == "language" or a.name.startswith("conversation.") or a.name in names:
            raise ConfigError(
                f"analyzer name {a.name!r} is reserved or used twice; give it another name"
            )
        names.add(a.name)
    return analyzers


def _as_utc(since: dt.date | dt.datetime | str | None) -> dt.datetime | None:
    if since is None:
        return None
    if isinstance(since, str):
        try:
            since = dt.datetime.fromisoformat(since)
        except ValueError:
            raise ConfigError(f"since {since!r} is not a date; write e.g. 2026-03-01") from None
    if not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    return since.replace(tzinfo=dt.UTC) if since.tzinfo is None else since.astimezone(dt.UTC)


def _spill(store: Store, expr: Any, path: Path) -> int:
    """Stream ``expr`` into a Parquet file; return its row count."""
    reader = store.con.to_pyarrow_batches(expr, chunk_size=_STREAM_ROWS)
    rows = 0
    with pq.ParquetWriter(str(path), reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    reader.close()
    return rows


def _whole_tickets(path: Path, total: int, batch: int) -> Iterator[pa.Table]:
    """Batches of about ``batch`` messages that never split a ticket (the file is ordered
    by ticket, so the last ticket of a batch is held back until it is complete)."""
    if total == 0:
        return
    carry: pa.Table | None = None
    for record_batch in pq.ParquetFile(str(path)).iter_batches(batch_size=batch):
        table = pa.Table.from_batches([record_batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
        cut = pc.index(table["ticket_id"], table["ticket_id"][-1]).as_py()
        if cut == 0:  # one ticket so far: keep reading
            carry = table
            continue
        yield table.slice(0, cut)
        carry = table.slice(cut)
    if carry is not None and carry.num_rows:
        yield carry


def _rows_of(
    chunk: pa.Table, analyzers: list[Analyzer], scored_at: dt.datetime, key: str
) -> pa.Table:
    """auto_scores rows of whole conversations; ``key``: ticket_id or call_id (then the
    conversation id moves from ticket_id to call_id and the score ids start ``call:``)."""
    rows = auto_score_rows(chunk.drop_columns(["_prior"]), analyzers=analyzers)
    found = pc.coalesce(rows["event_id"], rows["ticket_id"])
    score_id = pc.binary_join_element_wise(found, rows["analyzer"], "#")
    conversation = rows["ticket_id"]
    no_id = pa.nulls(rows.num_rows, pa.string())
    if key == "call_id":
        score_id = pc.binary_join_element_wise(pa.scalar(CALL_PREFIX), score_id, "")
        rows = rows.set_column(0, pa.field("ticket_id", pa.string()), no_id)
        conversation, no_id = no_id, conversation
    stamp = pa.array([scored_at] * rows.num_rows, pa.timestamp("us", tz="UTC"))
    rows = rows.set_column(0, pa.field("ticket_id", pa.string()), conversation)
    rows = rows.append_column("call_id", no_id)
    return rows.append_column("score_id", score_id).append_column("scored_at", stamp)


def _against_stored(
    store: Store,
    chunk: pa.Table,
    rows: pa.Table,
    scored_at: dt.datetime,
    summary: ScoreSummary,
    key: str,
) -> pa.Table:
    """Leave out rows equal to the stored ones and retire stored rows not produced again."""
    prior = pc.unique(chunk.filter(chunk["_prior"])["ticket_id"])
    if len(prior) == 0:
        return rows
    t = store.table("auto_scores")
    stored = t.filter(t[key].isin(prior.to_pylist())).select("score_id", *_COMPARED)
    old = {r["score_id"]: r for r in stored.to_pyarrow().to_pylist()}
    again = pc.is_in(rows[key], value_set=prior)
    fresh = rows.filter(pc.invert(again))
    kept: list[dict[str, Any]] = []
    for row in rows.filter(again).to_pylist():
        before = old.pop(row["score_id"], None)
        if before is not None and all(before[c] == row[c] for c in _COMPARED):
            summary.unchanged += 1
        else:
            kept.append(row)
    for row in old.values():
        if row["label"] != RETIRED:
            retired = {"label": RETIRED, "score": None, "evidence": None, "scored_at": scored_at}
            kept.append({**row, **retired})
            summary.retired += 1
    return pa.concat_tables([fresh, pa.Table.from_pylist(kept, schema=rows.schema)])


class _Writer:
    """Stages rows and merges them into auto_scores every ``COMMIT_MESSAGES`` messages."""

    def __init__(self, store: Store, summary: ScoreSummary) -> None:
        self.store, self.summary = store, summary
        self.stage: Stage | None = None
        self.messages = 0

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.commit()
        elif self.stage is not None:
            self.stage.__exit__(None, None, None)

    def add(self, rows: pa.Table, messages: int) -> None:
        if self.stage is None:
            # straight into auto_scores when it is empty: keys are unique by construction
            self.stage = self.store.stage("auto_scores", direct=True)
        self.stage.append(rows)
        self.messages += messages
        if self.messages >= COMMIT_MESSAGES:
            self.commit()

    def commit(self) -> None:
        if self.stage is None:
            return
        stage, self.stage, self.messages = self.stage, None, 0
        with stage:
            result = stage.commit()
        s = self.summary
        s.inserted += result.inserted
        s.replaced += result.replaced
        s.unchanged += result.unchanged
