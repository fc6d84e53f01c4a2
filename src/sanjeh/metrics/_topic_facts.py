"""Topics on the ticket facts: the breakdown ``topic``.

``sanjeh.topics`` puts each ticket's first customer message in a topic and writes the
assignment as a row of ``ticket_topics`` (a table of ``model``, one row per ticket);
the facts read it as data, never through ``topics`` (a higher layer). The table
``belongs_to`` its ticket, so a new assignment marks only that ticket's facts stale
(``_refresh``). The facts keep the topic's id; its readable label (``topics.label``)
is looked up when a report is shown (``_names.breakdown_labels``), so relabelling a
topic needs no refresh. A ticket without a topic has a null ``topic``: like any other
null breakdown, it is a group of its own ("no topic"), never dropped.
"""

from __future__ import annotations

import ibis.expr.types as ir

#: the app tables the facts read for topics (besides the canonical ``TABLES``)
TOPIC_TABLES = ("ticket_topics",)


def ticket_topic(ticket_topics: ir.Table) -> ir.Table:
    """Per ticket, the id of its topic (``_t_topic``; no row: none assigned), joined to
    the ticket facts with their other per-ticket figures (``_ticket_facts``)."""
    return ticket_topics.select("ticket_id", _t_topic="topic_id")
