"""Kaggle "Customer Support on Twitter" (TWCS) → ``events``, ``tickets``, ``customers``,
``teams``, ``agents``.

One row per tweet; its ``in_response_to_tweet_id`` is kept as the event's ``reply_to``.
Reply chains become tickets: a thread is a tweet and all its replies, named after its
top tweet; when the top tweet answers a tweet that is not in the file, the thread is
named after that missing tweet (so a later file that has it names the thread the same)
and is tagged ``partial_thread``. Finding the top of every chain needs the whole file,
so it is read twice: first only the two id columns (kept as two integer arrays, 16
bytes a tweet — about 45 MB for the full 2.8 M-tweet dataset), then everything, in
chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._readers import FileKind
from .._rows import Chunk
from ._base import Context, Format
from ._helpers import (
    NewOnly,
    Problems,
    Rollup,
    by_lower_name,
    const,
    formatted_times,
    iso_times,
    join,
    keep,
    ns,
    raw_rows,
    require,
    text,
)

REQUIRED = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]
TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # Wed Oct 11 06:55:44 +0000 2017
BOOLEANS = {"true": True, "false": False}
PARTIAL = "partial_thread"
SUBJECT_CHARS = 120
#: a closing signature after the text: "^RR", "/AY", "-AD", "- Paige"; trailing links
#: and "1/2" part markers are dropped first
_SIGNATURE = r"(?:\^|\s[-–/]\s?)(?P<who>[A-Z][A-Za-z]{0,19})$"
_TRAILER = r"(\s+(https?://\S+|\d/\d))+\s*$"
_NO_ID = -1


class Twcs(Format):
    name = "twcs"
    title = 'Kaggle "Customer Support on Twitter" tweets'
    default_source = "twitter"
    tables = ("events", "tickets", "customers", "teams", "agents")

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        present = {c.strip().lower() for c in columns}
        hits = len(set(REQUIRED) & present)
        return 0.95 * hits / len(REQUIRED) if hits >= 4 else 0.0

    def ignored_columns(self, columns: list[str]) -> list[str]:
        # response_tweet_id is the same link seen from the other side
        return [c for c in columns if c.strip().lower() not in REQUIRED]

    def read(self, ctx: Context) -> Iterator[Chunk]:
        threads = _Threads.of(ctx)
        rollup = Rollup(
            {
                "customer_id": "first",
                "subject": "first",
                "opener_type": "first",
                "opener_id": "first",
                "team_id": "last",
                "agent_id": "last",
                "partial": "first",
            }
        )
        customers, teams, agents = NewOnly("customer_id"), NewOnly("team_id"), NewOnly("agent_id")
        for table, rows, unreadable in ctx.raw(","):
            named = by_lower_name(table)
            problems = Problems(table, rows, ctx.times)
            tweet, parent = _ids(named, problems)
            inbound = text(named, "inbound")
            problems.require(inbound, "inbound")
            problems.unknown(inbound, BOOLEANS, "inbound")
            is_customer = pc.fill_null(pc.equal(pc.utf8_lower(inbound), "true"), False)
            author = text(named, "author_id")
            problems.require(author, "author_id")
            stamp = text(named, "created_at")
            problems.require(stamp, "created_at")
            # TWCS writes "Wed Oct 11 06:55:44 +0000 2017"; ISO 8601 is accepted too
            twitter = pc.fill_null(pc.match_substring_regex(stamp, r"^[A-Z][a-z]{2} "), False)
            at = pc.if_else(
                twitter,
                formatted_times(
                    pc.if_else(twitter, stamp, None), TIME_FORMAT, "created_at", "UTC", problems
                ),
                iso_times(pc.if_else(twitter, None, stamp), "created_at", "UTC", problems),
            )
            ok = problems.ok
            thread, partial = threads.thread_of(np.where(ok, tweet, _NO_ID))
            body = text(named, "text")
            # a signature sits in the last few words: scan only the tail of each text
            tail = pc.utf8_slice_codeunits(body, -120)
            signature = pc.struct_field(
                pc.extract_regex(pc.replace_substring_regex(tail, _TRAILER, ""), _SIGNATURE),
                "who",
            )
            team = pc.if_else(is_customer, pa.scalar(None, pa.string()), ns(ctx.source, author))
            agent = pc.if_else(
                is_customer,
                pa.scalar(None, pa.string()),
                pc.coalesce(join(team, "/", signature), team),
            )
            customer = pc.if_else(is_customer, ns(ctx.source, author), pa.scalar(None, pa.string()))
            ticket = ns(ctx.source, pa.array(thread).cast(pa.string()))
            actor_type = pc.if_else(is_customer, "customer", "agent")
            events = {
                "event_id": ns(ctx.source, pa.array(tweet).cast(pa.string())),
                "ticket_id": ticket,
                "at": at,
                "kind": const("message", len(tweet)),
                "actor_type": actor_type,
                "actor_id": pc.coalesce(customer, agent),
                "public": const(True, len(tweet), pa.bool_()),
                "channel": const("social", len(tweet)),
                "team_id": team,
                "body": body,
                # the reply link itself: first_reply_match="direct_reply" reads it
                "reply_to": _tweet_ids(ctx.source, parent),
            }
            good = keep(events, ok)
            good_rows = np.asarray(rows)[ok]
            flag = pc.if_else(pa.array(partial), PARTIAL, pa.scalar(None, pa.string()))
            kept = keep(
                {
                    "customer": customer,
                    "agent": agent,
                    "author": author,
                    "signature": signature,
                    "subject": _subject(body),
                    "partial": flag,
                },
                ok,
            )
            rollup.add(
                good["ticket_id"],
                good["at"],
                good_rows,
                {
                    "customer_id": kept["customer"],
                    "subject": kept["subject"],
                    "opener_type": good["actor_type"],
                    "opener_id": good["actor_id"],
                    "team_id": good["team_id"],
                    "agent_id": kept["agent"],
                    "partial": kept["partial"],
                },
            )
            n = len(good_rows)
            source = const(ctx.source, n)
            found = {
                "customers": customers(
                    {
                        "customer_id": kept["customer"],
                        "source": source,
                        "external_id": kept["author"],
                    },
                    good_rows,
                ),
                "teams": teams(
                    {"team_id": good["team_id"], "source": source, "name": kept["author"]},
                    good_rows,
                ),
                "agents": agents(
                    {
                        "agent_id": kept["agent"],
                        "source": source,
                        "name": pc.coalesce(kept["signature"], kept["author"]),
                        "team_id": good["team_id"],
                        "is_bot": const(False, n, pa.bool_()),
                    },
                    good_rows,
                ),
            }
            tables = {"events": raw_rows(good, good_rows)}
            tables.update({name: found_rows for name, found_rows in found.items() if found_rows})
            yield Chunk(
                tables=tables,
                rejects=unreadable + problems.rejects(),
                rows_read=table.num_rows + len(unreadable),
            )
        yield _tickets(ctx, rollup.finish())


def _subject(body: pa.Array) -> pa.Array:
    """The first ``SUBJECT_CHARS`` characters on one line (plain replaces: a regex over
    every tweet costs more than the rest of the import)."""
    head = pc.utf8_slice_codeunits(body, 0, SUBJECT_CHARS)
    for blank in ("\r\n", "\n", "\r", "\t"):
        head = pc.replace_substring(head, blank, " ")
    return pc.utf8_trim_whitespace(head)


def _tweet_ids(source: str, ids: np.ndarray) -> pa.Array:
    """Namespaced tweet ids; ``_NO_ID`` (no tweet, or a bad id) becomes null."""
    return ns(source, pa.array(ids, mask=ids == _NO_ID).cast(pa.string()))


def _ids(named: pa.Table, problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    """Tweet and parent ids as integers (``_NO_ID``: none or bad); bad ones are problems."""
    out = []
    for field, required in (("tweet_id", True), ("in_response_to_tweet_id", False)):
        values = text(named, field)
        if required:
            problems.require(values, field)
        # a float-typed export writes 119237 as 119237.0
        values = pc.replace_substring_regex(values, r"\.0$", "")
        digits = pc.fill_null(pc.match_substring_regex(values, r"^\d{1,18}$"), False)
        problems.add(
            pc.and_(pc.is_valid(values), pc.invert(digits)),
            field,
            "not a tweet id (a whole number)",
            values,
        )
        number = pc.cast(pc.if_else(digits, values, None), pa.int64())
        out.append(pc.fill_null(number, _NO_ID).to_numpy())
    return out[0], out[1]


class _Threads:
    """Top-of-chain id for every tweet of a file, from its (tweet, parent) id pairs."""

    def __init__(self, tweets: np.ndarray, parents: np.ndarray) -> None:
        order = np.argsort(tweets, kind="stable")
        tweets, parents = tweets[order], parents[order]
        unique = np.r_[True, tweets[1:] != tweets[:-1]] if len(tweets) else np.array([], bool)
        self.tweets, parents = tweets[unique], parents[unique]
        n = len(self.tweets)
        pos = np.searchsorted(self.tweets, parents)
        pos = np.minimum(pos, max(n - 1, 0))
        has_parent = (parents != _NO_ID) & (self.tweets[pos] == parents) if n else pos > 0
        top = np.where(has_parent, pos, np.arange(n))
        # pointer jumping: each round doubles the distance climbed, so a chain of
        # length L needs log2(L) rounds; a cycle (corrupt data) stops at the limit
        for _ in range(64):
            nxt = top[top]
            if np.array_equal(nxt, top):
                break
            top = nxt
        top_parent = parents[top]
        self.partial = top_parent != _NO_ID  # the top tweet answers a tweet not in the file
        self.thread = np.where(self.partial, top_parent, self.tweets[top])

    @classmethod
    def of(cls, ctx: Context) -> _Threads:
        tweets, parents = [], []
        checked = False
        for table, _rows, _unreadable in ctx.raw(","):
            named = by_lower_name(table)
            if not checked:
                require(ctx.path, table.column_names, REQUIRED, "Twitter support tweets")
                checked = True
            scratch = Problems(table, np.zeros(table.num_rows, np.int64))
            tweet, parent = _ids(named, scratch)
            keep_rows = tweet != _NO_ID
            tweets.append(tweet[keep_rows])
            parents.append(parent[keep_rows])
        return cls(
            np.concatenate(tweets) if tweets else np.array([], np.int64),
            np.concatenate(parents) if parents else np.array([], np.int64),
        )

    def thread_of(self, tweets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Thread id and partial flag of each tweet (``_NO_ID`` rows: own id, False)."""
        if not len(self.tweets):
            return tweets, np.zeros(len(tweets), bool)
        pos = np.minimum(np.searchsorted(self.tweets, tweets), len(self.tweets) - 1)
        found = self.tweets[pos] == tweets
        return np.where(found, self.thread[pos], tweets), found & self.partial[pos]


def _tickets(ctx: Context, found: pa.Table) -> Chunk:
    n = found.num_rows
    ticket = found["ticket"].combine_chunks()
    rows = found["first_row"].combine_chunks()
    partial = found["partial"].combine_chunks()
    tickets = {
        "ticket_id": ticket,
        "source": const(ctx.source, n),
        "external_id": pc.utf8_slice_codeunits(ticket, len(ctx.source) + 1),
        "channel": const("social", n),
        "subject": found["subject"].combine_chunks(),
        "created_at": found["first_at"].combine_chunks(),
        "updated_at": found["last_at"].combine_chunks(),
        "customer_id": found["customer_id"].combine_chunks(),
        "team_id": found["team_id"].combine_chunks(),
        "agent_id": found["agent_id"].combine_chunks(),
        "tags": partial,
    }
    created = {
        "event_id": join(ticket, "-created"),
        "ticket_id": ticket,
        "at": found["first_at"].combine_chunks(),
        "kind": const("created", n),
        "actor_type": found["opener_type"].combine_chunks(),
        "actor_id": found["opener_id"].combine_chunks(),
        "public": const(True, n, pa.bool_()),
        "channel": const("social", n),
    }
    return Chunk(tables={"tickets": raw_rows(tickets, rows), "events": raw_rows(created, rows)})


FORMATS = [Twcs()]
