"""Tables of what customers ask and what answers it: knowledge-base articles, the views
customers make of them, and the topics Sanjeh finds in first messages (docs/topics.md).

``kb_articles`` and ``article_views`` are imported (a knowledge-base export, a web
analytics export); ``topics`` and ``ticket_topics`` are written by ``sanjeh.topics``,
never imported. ``ticket_topics`` belongs to its ticket: a new assignment marks only
that ticket's facts stale (the breakdown ``topic``).
"""

from __future__ import annotations

from ._spec import Column, TableSpec

TOPIC_METHODS = ("cluster", "assigned")

KB_ARTICLES = TableSpec(
    name="kb_articles",
    description=(
        "One row per knowledge-base / help-centre / FAQ article: title, body and address. "
        "Topics are matched to articles by text similarity (coverage, knowledge gaps)."
    ),
    key="article_id",
    version_column="updated_at",
    columns=(
        Column("article_id", "id", "Namespaced article id, e.g. `helpcenter:360001`.", True),
        Column("source", "string", "Name of the system the article came from.", required=True),
        Column("external_id", "string", "The article's id in that system, as it was there."),
        Column("title", "string", "Title.", required=True),
        Column("body", "string", "Text (HTML tags are ignored when matching)."),
        Column("url", "string", "Address customers open it at."),
        Column("language", "string", "Language as ISO 639-1 (fa, ar, en …)."),
        Column("category", "string", "Section / category in the knowledge base."),
        Column("updated_at", "timestamp", "Last change (UTC): a newer row replaces an older."),
    ),
    example={
        "article_id": "helpcenter:360001",
        "source": "helpcenter",
        "title": "چطور رمز عبور را بازیابی کنم؟",
        "url": "https://help.example.com/articles/360001",
        "language": "fa",
        "updated_at": "2026-03-01T08:00:00Z",
    },
)

ARTICLE_VIEWS = TableSpec(
    name="article_views",
    description=(
        "One row per view of a knowledge-base article (help centre, in-app help, bot "
        "answer): self-service deflection counts the views followed by no ticket from the "
        "same customer within the window."
    ),
    key="view_id",
    belongs_to="customer_id",
    columns=(
        Column("view_id", "id", "Namespaced view id.", required=True),
        Column("source", "string", "Name of the system the view came from.", required=True),
        Column("article_id", "id", "The article viewed.", required=True, ref="kb_articles"),
        Column("customer_id", "id", "Who viewed it, when known.", ref="customers"),
        Column("viewed_at", "timestamp", "When (UTC).", required=True),
        Column("channel", "string", "Where: help centre, app, bot, search …"),
    ),
    example={
        "view_id": "helpcenter:v-1",
        "source": "helpcenter",
        "article_id": "helpcenter:360001",
        "customer_id": "helpdesk:c-77",
        "viewed_at": "2026-03-05T18:00:00Z",
    },
)

TOPICS = TableSpec(
    name="topics",
    description=(
        "One row per topic found in customers' first messages, per language: a readable "
        "label (top key phrases), the phrases and two representative messages as JSON, and "
        "the clustering run it came from. Re-clustering replaces the table."
    ),
    key="topic_id",
    columns=(
        Column("topic_id", "string", "`<language>-<n>`, e.g. `fa-03`.", required=True),
        Column("language", "string", "Language of the messages clustered.", required=True),
        Column("label", "string", "Readable label: the top key phrases.", required=True),
        Column("key_phrases", "string", "JSON list of the top key phrases, best first."),
        Column("examples", "string", "JSON list of representative messages (ticket id, text)."),
        Column("size", "int", "Tickets in the topic when it was found.", minimum=0),
        Column("model_version", "string", "Clustering run: `topics-<UTC time>`.", required=True),
        Column("created_at", "timestamp", "When the run found it (UTC).", required=True),
    ),
)

TICKET_TOPICS = TableSpec(
    name="ticket_topics",
    description=(
        "One row per ticket whose first customer message has been put in a topic: by the "
        "clustering run itself, or assigned to the nearest existing topic afterwards."
    ),
    key="ticket_id",
    belongs_to="ticket_id",
    columns=(
        Column("ticket_id", "id", "The ticket.", required=True, ref="tickets"),
        Column("topic_id", "string", "The topic (`topics.topic_id`).", required=True),
        Column("language", "string", "Language of the first message."),
        Column("score", "float", "Similarity to the topic, 0 … 1.", minimum=0, maximum=1),
        Column(
            "method",
            "string",
            "cluster (found by the run) or assigned (placed later, nearest topic).",
            required=True,
            choices=TOPIC_METHODS,
        ),
        Column("model_version", "string", "Clustering run the topic came from.", required=True),
        Column("assigned_at", "timestamp", "When (UTC).", required=True),
    ),
)

TOPIC_MODELS = TableSpec(
    name="topic_models",
    description=(
        "One row per clustering run and language: what new tickets are assigned with "
        "(vocabulary, term weights, topic centres) as JSON, so assignment needs no re-run."
    ),
    key="model_id",
    columns=(
        Column("model_id", "string", "`<model_version>/<language>`.", required=True),
        Column("model_version", "string", "Clustering run: `topics-<UTC time>`.", required=True),
        Column("language", "string", "Language of the messages clustered.", required=True),
        Column("documents", "int", "Messages the run clustered.", minimum=0),
        Column("model", "string", "The fitted model as JSON (docs/topics.md).", required=True),
        Column("created_at", "timestamp", "When (UTC).", required=True),
    ),
)

#: imported like the canonical tables (``sanjeh import``)
KNOWLEDGE_TABLES: dict[str, TableSpec] = {t.name: t for t in (KB_ARTICLES, ARTICLE_VIEWS)}
#: written by ``sanjeh.topics``
TOPIC_TABLES: dict[str, TableSpec] = {t.name: t for t in (TOPICS, TICKET_TOPICS, TOPIC_MODELS)}
