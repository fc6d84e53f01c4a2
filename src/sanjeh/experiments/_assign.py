"""Which variant a ticket gets: a seeded hash, and the rows Sanjeh writes for it.

``variant_for`` is a pure function of the experiment's name, seed, variants, weights
and the ticket id (SHA-256, so it is the same in every process and on every machine):
the ticket's point in [0, 1) is the first 8 bytes of the digest over 2**64, and the
variant is the first whose cumulative weight exceeds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from ..errors import ConfigError, SanjehError
from ..store import Store
from ._config import Experiment

SOURCE = "sanjeh"


def hash_point(experiment: Experiment, ticket_id: str) -> float:
    """The ticket's seeded point in [0, 1)."""
    key = f"{experiment.name}\x1f{experiment.seed}\x1f{ticket_id}".encode()
    digest = hashlib.sha256(key).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def variant_for(experiment: Experiment, ticket_id: str) -> str:
    """The variant the seeded hash gives ``ticket_id`` (stable across processes)."""
    point = hash_point(experiment, ticket_id)
    total = 0.0
    for variant, weight in zip(experiment.variants, experiment.weights, strict=True):
        total += weight
        if point < total:
            return variant
    return experiment.variants[-1]  # rounding of the weights' sum


def assignment_id(experiment: Experiment, ticket_id: str) -> str:
    return f"{experiment.name}/{ticket_id}"


def assign(
    store: Store,
    experiment: Experiment,
    ticket_ids: Iterable[str],
    *,
    at: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Give each ticket its hashed variant and record it (method "hash").

    Idempotent: a ticket that already has an assignment in this experiment (imported
    or hashed) keeps it; its existing row is returned unchanged. Returns one row per
    distinct ticket, in the order given, with ``created`` True for the rows written now.
    Unknown ticket ids raise a SanjehError before anything is written; so does an
    experiment that reads its variant from tags or a field (rows would be ignored).
    """
    if experiment.assignment not in ("table", "hash"):
        raise ConfigError(
            f"experiment {experiment.name!r} reads each ticket's variant from its "
            f"{'tags' if experiment.assignment == 'tag' else experiment.field}; assigning "
            'is for assignment = "table" or "hash"'
        )
    ids = list(dict.fromkeys(str(t) for t in ticket_ids))
    if not ids:
        return []
    at = at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:  # a naive time is UTC
        at = at.replace(tzinfo=dt.UTC)
    at = at.astimezone(dt.UTC).replace(tzinfo=None)
    with store.lock:
        tickets = store.table("tickets")
        known = set(
            store.con.execute(
                tickets.filter(tickets.ticket_id.isin(ids)).select("ticket_id")
            ).ticket_id
        )
        missing = [t for t in ids if t not in known]
        if missing:
            raise SanjehError(
                f"no ticket {missing[0]!r} in the store"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
            )
        table = store.table("experiment_assignments")
        existing = store.con.execute(
            table.filter((table.experiment == experiment.name) & table.ticket_id.isin(ids)).select(
                "assignment_id", "source", "ticket_id", "variant", "assigned_at", "method"
            )
        )
        have: dict[str, dict[str, Any]] = {}
        for row in existing.to_dict("records"):
            have.setdefault(str(row["ticket_id"]), row)
        new = [
            {
                "assignment_id": assignment_id(experiment, t),
                "source": SOURCE,
                "experiment": experiment.name,
                "ticket_id": t,
                "variant": variant_for(experiment, t),
                "assigned_at": at,
                "method": "hash",
            }
            for t in ids
            if t not in have
        ]
        if new:
            store.write("experiment_assignments", new)
    out: list[dict[str, Any]] = []
    fresh = {row["ticket_id"]: row for row in new}
    for t in ids:
        if t in fresh:
            row = fresh[t]
            out.append(_public(row, created=True))
        else:
            old = dict(have[t])
            old["experiment"] = experiment.name
            out.append(_public(old, created=False))
    return out


def _public(row: dict[str, Any], *, created: bool) -> dict[str, Any]:
    at = row["assigned_at"]
    if hasattr(at, "to_pydatetime"):
        at = at.to_pydatetime()
    if at is not None and at.tzinfo is not None:
        at = at.astimezone(dt.UTC)
    stamp = at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z" if at else None
    return {
        "assignment_id": row["assignment_id"],
        "experiment": row["experiment"],
        "ticket_id": row["ticket_id"],
        "variant": row["variant"],
        "assigned_at": stamp,
        "method": row.get("method") or "imported",
        "source": row.get("source"),
        "created": created,
    }
