"""Topics customers ask about, knowledge-base coverage and gaps (docs/topics.md).

from sanjeh import topics
run = topics.discover(store)  # cluster first messages per language, store the topics
topics.assign(store)  # new tickets -> nearest existing topic, no re-fit
topics.list_topics(store)
topics.coverage(store)  # each topic's nearest knowledge-base articles, covered or not
topics.knowledge_gaps(store)  # many tickets, poor outcomes, no article: write these
"""

from ._articles import COVERED_AT, ArticleMatch, TopicCoverage, coverage
from ._assign import assign, list_topics
from ._discover import LanguageRun, Topic, TopicRun, discover
from ._gaps import MIN_TICKETS, Gap, knowledge_gaps
from ._store import first_messages
from ._tokens import terms

__all__ = [
    "COVERED_AT",
    "MIN_TICKETS",
    "ArticleMatch",
    "Gap",
    "LanguageRun",
    "Topic",
    "TopicCoverage",
    "TopicRun",
    "assign",
    "coverage",
    "discover",
    "first_messages",
    "knowledge_gaps",
    "list_topics",
    "terms",
]
