"""The generated demo store and its tables, shared by the demo tests."""

from __future__ import annotations

import functools

import pandas as pd

from sanjeh.demo import DemoSummary
from sanjeh.store import Store

SMALL = 4000
LARGE = 20_000


class Demo:
    """A generated store and its tables as pandas frames (loaded on first use)."""

    def __init__(self, store: Store, summary: DemoSummary) -> None:
        self.store, self.summary = store, summary

    @functools.cache  # noqa: B019 - one Demo per session
    def frame(self, table: str) -> pd.DataFrame:
        return self.store.table(table).to_pandas()

    @functools.cached_property
    def events(self) -> pd.DataFrame:
        """Events in timeline order (the zero-padded sequence in the id sorts them)."""
        return self.frame("events").sort_values("event_id", ignore_index=True)

    @functools.cached_property
    def tickets(self) -> pd.DataFrame:
        return self.frame("tickets").set_index("ticket_id")
