"""Topics customers ask about, knowledge-base coverage and gaps (docs/topics.md)."""
