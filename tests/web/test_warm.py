"""The server's warm-up computes the default pages and compiles the filter shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanjeh.metrics import _compiled
from sanjeh.store import Store
from sanjeh.web._params import PageQuery
from sanjeh.web._routes import WARM_FILTERS, model_of, warm
from sanjeh.web._source import Source
from sanjeh.web.views import PAGES

WARMED = ("overview", "agents")


def test_after_warm_up_a_new_filter_value_runs_compiled_queries(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a Source of its own: the session's app may have cached these pages already
    store = Store.open(str(demo_path))
    source = Source(store, refresh_seconds=3600)
    _compiled.forget(store)
    warm(source, "en", WARMED)
    compiled: list[int] = []
    real = _compiled._compile

    def counting(*args: Any) -> Any:
        compiled.append(1)
        return real(*args)

    monkeypatch.setattr(_compiled, "_compile", counting)
    for dim in WARM_FILTERS:
        other = source.dims.values(dim)[-1]  # warm-up used the first value
        query = PageQuery.model_validate({dim: [other]})
        for name in WARMED:
            model, _ = model_of(source, "en", (name, "warm-test"), query, PAGES[name].build)
            assert model["filters"][dim] == [other]
    assert compiled == []
    store.close()
