"""The "Anonymous Bank" call-centre log (Technion service-engineering lab) → ``calls``.

One row per call: IVR (``vru_*``), queue (``q_*``) and service (``ser_*``) clock times
of one day, with ``0:00:00`` meaning "this stage never happened". The day itself is
not in the one-day extracts, so it comes from ``--option date=YYYY-MM-DD`` or the
file name; the full monthly files carry a ``date`` column (``990801``), used per row.
See docs/formats.md for every mapping rule and what is assumed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ConfigError, IngestError
from .._coerce import safe_cast
from .._rows import Chunk
from ._base import ColumnsFormat, Context
from ._helpers import (
    NewOnly,
    Problems,
    by_lower_name,
    check_years,
    const,
    join,
    keep,
    local_times,
    mapped,
    ns,
    raw_rows,
    require,
    text,
    zone_for,
)

REQUIRED = (
    *("vru+line", "call_id", "type", "vru_entry", "vru_exit", "vru_time", "q_start"),
    *("q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server"),
)
USED = (*REQUIRED, "date", "customer_id")
DISTINCT = frozenset({"vru+line", "vru_entry", "vru_exit", "q_start", "ser_start", "server"})
STAGES = ("vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
#: HANG is settled per call below (abandoned in the queue, or ended in the IVR)
OUTCOMES = {"agent": "answered", "hang": "hang", "phantom": "other"}
NO_AGENT = "NO_SERVER"
DAY_S = 86_400
#: the IVR, queue and service clocks of this log disagree by a second or two
CLOCK_SLACK_S = 5
#: scratch columns of ``_calls`` for the duplicate check, dropped before output
VRU, DAY = "_vru", "_day"
_EPOCH_1900 = float((dt.date(1900, 1, 1) - dt.date(1970, 1, 1)).days * DAY_S)
_DAY_IN_NAME = re.compile(r"(19\d\d|20\d\d)-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?")


class AnonBank(ColumnsFormat):
    name = "anonbank"
    title = "Anonymous Bank call-centre log (Technion): one row per call"
    default_source = "anonbank"
    #: the bank is in Israel; used when the import names no zone
    default_timezone = "Asia/Jerusalem"
    tables = ("calls", "agents")

    distinct = DISTINCT
    used = USED

    def read(self, ctx: Context) -> Iterator[Chunk]:
        day: dt.date | None = None
        zone = zone_for(ctx)
        seen = _Seen()
        new_agents = NewOnly("agent_id")
        checked = False
        for table, rows, unreadable in ctx.raw():
            named = by_lower_name(table)
            if not checked:
                require(ctx.path, table.column_names, REQUIRED, "Anonymous Bank calls")
                # the monthly files date every row; a one-day extract needs the day given
                day = file_day(ctx, needed="date" not in named.column_names)
                checked = True
            problems = Problems(table, rows, ctx.times)
            calls = _calls(ctx, named, problems, day, zone)
            # a call is one VRU's call_id on one day; a repeat is corruption, not a new call
            problems.add(
                seen.repeated(calls, problems.ok),
                "call_id",
                "the same VRU, day and call_id as an earlier row (duplicate call)",
                text(named, "call_id"),
            )
            ok = problems.ok
            good = keep({k: v for k, v in calls.items() if k not in (VRU, DAY)}, ok)
            good_rows = np.asarray(rows)[ok]
            agents = new_agents(
                {
                    "agent_id": good["agent_id"],
                    "source": good["source"],
                    "name": keep({"n": text(named, "server")}, ok)["n"],
                    "is_bot": const(False, len(good_rows), pa.bool_()),
                },
                good_rows,
            )
            tables = {"calls": raw_rows(good, good_rows)}
            if agents:
                tables["agents"] = agents
            yield Chunk(
                tables=tables,
                rejects=unreadable + problems.rejects(),
                rows_read=table.num_rows + len(unreadable),
            )


class _Seen:
    """The calls read so far, one exact int64 each: (day, VRU, call id)."""

    def __init__(self) -> None:
        self.vrus: dict[str, int] = {}
        self.keys = np.empty(0, np.int64)  # sorted

    def repeated(self, calls: dict[str, pa.Array], ok: np.ndarray) -> np.ndarray:
        """Rows (among ``ok`` ones) whose call was read before, in this chunk or earlier."""
        idx = np.flatnonzero(ok)
        take = pa.array(idx)
        vru = pc.dictionary_encode(calls[VRU].take(take))
        # a VRU name (a handful per log) gets a small number the first time it is seen
        codes = np.array(
            [self.vrus.setdefault(v, len(self.vrus)) for v in vru.dictionary.to_pylist()] or [0]
        )
        vru_code = codes[np.asarray(vru.indices, dtype=np.int64)]
        day = np.asarray(calls[DAY].take(take), dtype=np.int64)
        number = np.asarray(calls["external_id"].take(take).cast(pa.int64()))
        keys = (day * 4096 + vru_code) * 10**10 + number
        # sorting (stable: the first of equal keys stays first) finds repeats in the chunk
        order = np.argsort(keys, kind="stable")
        again = np.zeros(len(keys), dtype=bool)
        again[order[1:][keys[order][1:] == keys[order][:-1]]] = True
        if len(self.keys):
            pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
            again |= self.keys[pos] == keys
        # two sorted runs: a stable sort merges them in linear time
        self.keys = np.sort(np.concatenate([self.keys, np.sort(keys[~again])]), kind="stable")
        out = np.zeros(len(ok), dtype=bool)
        out[idx[again]] = True
        return out


def file_day(ctx: Context, *, needed: bool = True) -> dt.date | None:
    """``--option date=…``, else the ``YYYY-MM[-DD]`` in the file name (day 1 if absent)."""
    given = ctx.params.get("date")
    if given:
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            raise ConfigError(
                f"--option date={given}: not a date; write it as YYYY-MM-DD"
            ) from None
    found = _DAY_IN_NAME.search(ctx.path.name)
    if found:
        year, month, day = found.groups()
        return dt.date(int(year), int(month), int(day or 1))
    if not needed:
        return None
    raise IngestError(
        ctx.path,
        "the call log holds clock times without a date; pass --option date=YYYY-MM-DD",
    )


def _seconds(values: pa.Array, field: str, problems: Problems, *, zero_is_none: bool) -> np.ndarray:
    """``H:MM:SS`` → seconds after midnight (NaN: empty, or ``0:00:00`` for stages)."""
    parsed = pc.strptime(values, format="%H:%M:%S", unit="s", error_is_null=True)
    problems.add(
        pc.and_(pc.is_valid(values), pc.is_null(parsed)),
        field,
        "not a clock time H:MM:SS (0:00:00 to 23:59:59)",
        values,
    )
    # strptime puts a bare time on 1900-01-01
    seconds = pc.cast(pc.cast(parsed, pa.int64()), pa.float64()).to_numpy(zero_copy_only=False)
    out = np.array(seconds, dtype=float) - _EPOCH_1900
    if zero_is_none:
        out[out == 0] = np.nan
    return out


def _whole(values: pa.Array, field: str, problems: Problems) -> pa.Array:
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.match_substring_regex(values, r"^-?\d+$")))
    problems.add(bad, field, "not a whole number of seconds", values)
    return pc.if_else(bad, pa.scalar(None, pa.string()), values)


def _days(named: pa.Table, day: dt.date | None, problems: Problems) -> np.ndarray:
    """Day of each row as seconds since 1970: the ``date`` column when there is one."""
    base = np.nan if day is None else float((day - dt.date(1970, 1, 1)).days * DAY_S)
    values = text(named, "date")
    out = np.full(named.num_rows, base)
    if "date" not in named.column_names:
        return out
    if day is None:
        problems.require(values, "date")
    # the full Technion files write 1 August 1999 as 990801; ISO dates are accepted too
    short = pc.extract_regex(values, r"^(?P<y>\d\d)(?P<m>\d\d)(?P<d>\d\d)$")
    century = pc.if_else(pc.less(pc.struct_field(short, "y"), "50"), "20", "19")
    iso = pc.if_else(
        pc.is_valid(short),
        join(
            century,
            pc.struct_field(short, "y"),
            "-",
            pc.struct_field(short, "m"),
            "-",
            pc.struct_field(short, "d"),
        ),
        pc.if_else(pc.match_substring_regex(values, r"^\d{4}-\d\d-\d\d$"), values, None),
    )
    parsed, failed = safe_cast(iso, pa.date32())
    problems.add(
        pc.or_(pc.and_(pc.is_valid(values), pc.is_null(iso)), pa.array(failed)),
        "date",
        "not a date like 990801 or 1999-08-01",
        values,
    )
    secs = pc.multiply(pc.cast(pc.cast(parsed, pa.int32()), pa.float64()), float(DAY_S))
    secs = secs.to_numpy(zero_copy_only=False)
    return np.where(np.isnan(secs), base, secs)


def _calls(
    ctx: Context, named: pa.Table, problems: Problems, day: dt.date | None, zone: str
) -> dict[str, pa.Array]:
    n = named.num_rows
    vru_line, call_id = text(named, "vru+line"), text(named, "call_id")
    for field, values in (("vru+line", vru_line), ("call_id", call_id)):
        problems.require(values, field)
    problems.add(
        pc.invert(pc.fill_null(pc.match_substring_regex(call_id, r"^\d{1,10}$"), True)),
        "call_id",
        "not a whole number of at most 10 digits (call ids of this log are numbers)",
        call_id,
    )
    entry_text = text(named, "vru_entry")
    problems.require(entry_text, "vru_entry")
    entry = _seconds(entry_text, "vru_entry", problems, zero_is_none=False)
    stage = {f: _seconds(text(named, f), f, problems, zero_is_none=True) for f in STAGES}
    for field, values in stage.items():
        # a stage clock far before the IVR entry is past midnight: the next day
        values[values < entry - DAY_S / 2] += DAY_S
        early = entry - values
        problems.add(
            np.nan_to_num(early, nan=0) > CLOCK_SLACK_S,
            field,
            "is before vru_entry; the clocks of this call disagree, so it cannot be "
            "placed on a timeline",
            text(named, field),
        )
    queued, served = stage["q_start"], stage["ser_start"]
    # the wait ends at the service start; an AGENT call logged without service times
    # was answered when it left the queue (q_exit: "to receive service or abandon")
    answered = np.where(np.isnan(served), stage["q_exit"], served)
    # service start is logged up to a second or two before the queue start when the wait
    # was ~0 s (two clocks): the call was answered when it was queued
    slack = (answered < queued) & (queued - answered <= CLOCK_SLACK_S)
    answered = np.where(slack, queued, answered)
    problems.add(
        (answered < queued) & ~slack,
        "ser_start",
        "is before q_start; the clocks of this call disagree",
        text(named, "ser_start"),
    )
    ivr_s = _whole(text(named, "vru_time"), "vru_time", problems)
    _whole(text(named, "q_time"), "q_time", problems)
    talk_s = _whole(text(named, "ser_time"), "ser_time", problems)

    outcome_text = text(named, "outcome")
    problems.require(outcome_text, "outcome")
    problems.unknown(outcome_text, OUTCOMES, "outcome", shown="AGENT, HANG, PHANTOM")
    outcome = mapped(outcome_text, OUTCOMES)
    # HANG is "abandoned" once the caller waited in the queue, else the IVR ended the call
    outcome = pc.if_else(
        pc.equal(outcome, "hang"),
        pa.array(np.where(np.isnan(queued), "ivr", "abandoned")),
        outcome,
    )
    was_answered = pc.fill_null(pc.equal(outcome, "answered"), False)
    # the call ends with the last stage it reached (fmax skips stages that never happened)
    ended = np.fmax.reduce(np.stack([stage["vru_exit"], stage["q_exit"], stage["ser_exit"]]))

    days = _days(named, day, problems) * 1e6
    times = {  # local wall-clock microseconds → UTC
        name: local_times(days + seconds * 1e6, zone)
        for name, seconds in (
            ("started_at", entry),
            ("queued_at", queued),
            ("answered_at", np.where(np.asarray(was_answered), answered, np.nan)),
            ("ended_at", ended),
        )
    }
    # a day no call centre had (before 1970, or later than the import's clock allows)
    for at in times.values():
        check_years(at, "date", text(named, "date"), problems)
    # rows without a day are rejected already; give them any day so the text is defined
    day_seconds = np.nan_to_num(days / 1e6, nan=0).astype("datetime64[s]")
    day_text = pa.array(np.datetime_as_string(day_seconds, unit="D"), pa.string())
    vru = pc.utf8_slice_codeunits(vru_line, 0, 4)
    server = text(named, "server")
    agent = pc.if_else(pc.equal(server, NO_AGENT), pa.scalar(None, pa.string()), server)
    customer = text(named, "customer_id")
    customer = pc.if_else(pc.equal(customer, "0"), pa.scalar(None, pa.string()), customer)
    call_type = text(named, "type")
    return {
        "call_id": ns(
            ctx.source, join(pc.replace_substring(day_text, "-", ""), "-", vru, "-", call_id)
        ),
        "source": const(ctx.source, n),
        "external_id": call_id,
        "queue": call_type,
        "customer_id": ns(ctx.source, customer),
        **times,
        "outcome": outcome,
        "agent_id": ns(ctx.source, agent),
        "ivr_s": ivr_s,
        # ser_time of a call with no service stage is 0 for "absent", not a 0 s talk
        "talk_s": pc.if_else(
            pc.and_(was_answered, pa.array(~np.isnan(served))),
            talk_s,
            pa.scalar(None, pa.string()),
        ),
        "call_type": call_type,
        VRU: vru,
        DAY: pa.array(np.nan_to_num(days / 1e6 / DAY_S).astype(np.int64)),
    }


FORMATS = [AnonBank()]
