"""Helpers shared by the text-analysis tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sanjeh import text
from sanjeh.text import Signal

SignalOf = Callable[..., Signal]


def _signal_of(
    message: str, analyzer: str, role: str = "agent", language: str | None = None
) -> Signal:
    (result,) = text.analyze([message], role=role, language=language)
    found = result.get(analyzer)
    assert found is not None, f"{analyzer} did not run on a {role} message"
    return found


@pytest.fixture
def signal_of() -> SignalOf:
    """``signal_of(message, analyzer, role="agent")``: the one signal an analyzer gives."""
    return _signal_of


@pytest.fixture(autouse=True)
def _default_registry() -> Iterator[None]:
    """Every test starts and ends with the offline default analyzers."""
    text.registry.reset()
    yield
    text.registry.reset()
