"""The survey answer page under load: how long a POST /s/{invitation} waits for its
answer to be taken (checked and journaled), and whether every answer acknowledged is in
the store in the end.

    python bench/surveys.py                          # 200 answers/s for 60 s, 4 readers
    python bench/surveys.py --seconds 10 --rate 300 --readers 8

1. A demo store (``bench/intake.py``'s ``prepare``: generated into --db when that file
   has no tickets yet, with a manager's API token for the readers), the default CSAT
   survey, and one invitation per answer to send (``send_invitations`` with the
   invitations given: solved tickets' customers, fa / ar / en), their signed links read
   from the outbox. The dashboard in its own process (``sanjeh.web.serve``, as
   ``sanjeh serve`` runs it), with its default limits.
2. Answers (a score and, every third one, a Persian comment) are posted at --rate per
   second, each at its due time without waiting for the others (one event loop: a
   late one is sent at once, not skipped; "sent late" says whether this generator kept
   up), for --seconds, while --readers clients read the overview (a new date range now
   and then, so that some compute). Each answer comes from one of --addresses loopback
   addresses (127.0.x.y), as customers on their own phones do: the per-address limit
   (120 a minute) stays in force and is not what is measured.
3. The server is stopped (the writer writes what is queued first) and the answers are
   counted in the store: every one acknowledged (200) must be there, answered.

Bar (#14): p95 under 100 ms at 200 answers/s while the dashboard is read, none lost.
The exit status is 1 when it is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from _common import OpenLoop, loopback_addresses, report, start_server
from intake import percentile, prepare, reader
from sanjeh import surveys
from sanjeh.store import Store
from sanjeh.web._server import free_port

BAR_MS = 100.0
COMMENT = "پاسخ‌گویی سریع بود ولی مشکل من کامل حل نشد"


def invitations(db: Path, count: int, now: dt.datetime) -> tuple[str, list[tuple[str, str]]]:
    """The CSAT survey (created once) and ``count`` new invitations sent now: their
    (path, sig)."""
    with Store.open(str(db)) as store:
        defaults = surveys.default_definitions()
        survey_id = next(k for k, d in defaults.items() if d.kind == "csat")
        definition = surveys.create_survey(store, defaults[survey_id], by="bench")
        t = store.table("tickets")
        solved = t.filter(t.status.isin(["solved", "closed"]) & t.customer_id.notnull())
        rows = solved.select("ticket_id", "customer_id", "team_id", "channel").limit(count)
        found = rows.to_pyarrow().to_pylist()
        rng = random.Random(7)
        made = [
            surveys.Invitation(
                invitation_id=f"bench{n:06d}{rng.getrandbits(64):016x}",
                survey_id=survey_id,
                version=definition.version,
                sent_at=now,
                expires_at=now + dt.timedelta(days=7),
                ticket_id=found[n % len(found)]["ticket_id"],
                customer_id=found[n % len(found)]["customer_id"],
                team_id=found[n % len(found)]["team_id"],
                channel=found[n % len(found)]["channel"],
                language=("fa", "ar", "en")[n % 3],
            )
            for n in range(count)
        ]
        sent = surveys.send_invitations(
            store, survey_id, now=now, base_url="http://bench", invitations=made
        )
    links = []
    for record in sent.records:
        split = urlsplit(record["link"])
        links.append((split.path, parse_qs(split.query)["sig"][0]))
    return survey_id, links


class Answerer(OpenLoop):
    """Answers posted as a form at the page (``OpenLoop``); ``answered``: the invitation
    ids answered 200."""

    def __init__(self, base: str, count: int, links: list[tuple[str, str]]) -> None:
        super().__init__(base, loopback_addresses(count), {"Accept": "application/json"})
        self.links = links
        self.answered: list[str] = []

    async def send(self, n: int) -> None:
        path, sig = self.links[n]
        fields = {"sig": sig, "website": "", "csat": str(1 + n % 5)}
        if n % 3 == 0:
            fields["comment"] = COMMENT
        status, _ = await self.post(
            n, path, urlencode(fields).encode(), "application/x-www-form-urlencoded"
        )
        if status == 200:
            self.answered.append(path.rsplit("/", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--db", type=Path, help="store file to use (generated if empty)")
    parser.add_argument("--rate", type=float, default=200.0, help="answers per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--addresses",
        type=int,
        default=400,
        help="client addresses the answers come from (the page takes 120 a minute from each)",
    )
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between one reader's views"
    )
    parser.add_argument(
        "--new-every",
        type=int,
        default=5,
        help="a reader asks a date range not asked before every N views (computed)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sanjeh-survey-bench-"))
    db = args.db or folder / "surveys.duckdb"
    token, _, last = prepare(db, args.tickets)
    total = int(args.rate * args.seconds)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    survey_id, links = invitations(db, total, now)
    port = free_port("127.0.0.1")
    server = start_server(db, port)
    base = f"http://127.0.0.1:{port}"
    answerer = Answerer(base, args.addresses, links)
    stop, reads = threading.Event(), []  # type: ignore[var-annotated]
    try:
        readers = [
            threading.Thread(
                target=reader,
                args=(base, token, last, stop, reads),
                kwargs={"think": args.think, "new_every": args.new_every},
                daemon=True,
            )
            for _ in range(args.readers)
        ]
        for t in readers:
            t.start()
        took = asyncio.run(answerer.run(len(links), args.rate, answerer.send))
        stop.set()
    finally:
        server.send_signal(signal.SIGINT)  # a clean stop: the writer writes what is queued
        server.wait(timeout=120)
    latencies, answered = answerer.latencies.get(200, []), set(answerer.answered)
    statuses = {k: len(v) for k, v in answerer.latencies.items()}
    with Store.open(str(db)) as store:
        i = store.table("survey_invitations")
        mine = i.filter(i.survey_id == survey_id)
        in_store = {
            str(x)
            for x in mine.filter(mine.status == "answered").invitation_id.to_pyarrow().to_pylist()
        }
        r = store.table("survey_responses")
        rows = int(
            r.filter(r.response_id.startswith("sanjeh:bench") & r.submitted_at.notnull())
            .count()
            .execute()
        )
    lost = len(answered - in_store)
    row = {
        "run": f"{args.rate:g}/s for {args.seconds:g} s, {args.readers} readers",
        "sent": total,
        "200": statuses.get(200, 0),
        "other": json.dumps({k: v for k, v in statuses.items() if k != 200}),
        "answered per s": round(statuses.get(200, 0) / took, 1),
        "p50 ms": round(percentile(latencies, 50), 1),
        "p95 ms": round(percentile(latencies, 95), 1),
        "max ms": round(max(latencies, default=0), 1),
        "sent late p95 ms": round(percentile(answerer.late, 95), 1),
        "reads": len(reads),
        "reads p95 ms": round(percentile(reads, 95), 1) if reads else "",
        "answers stored": len(answered & in_store),
        "response rows": rows,
        "lost": lost,
        "load": round(os.getloadavg()[0], 1),  # (the machine's, for context)
    }
    report("surveys", [row])
    missed = row["p95 ms"] > BAR_MS or lost or statuses.get(200, 0) < total
    raise SystemExit(1 if missed else 0)


if __name__ == "__main__":
    main()
