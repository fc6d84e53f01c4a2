"""Versioned definitions: the same definition twice is one version, a change is the next."""

from __future__ import annotations

import dataclasses

import pytest

from sanjeh.store import Store
from sanjeh.surveys import (
    UnknownSurvey,
    create_survey,
    default_definitions,
    retire_survey,
    survey,
    surveys,
)

from ._support import at


def test_create_is_idempotent_and_a_change_is_a_new_version(duckdb_store: Store) -> None:
    store = duckdb_store
    d = default_definitions()["csat-after-solve"]
    assert create_survey(store, d, by="maryam", now=at(1)).version == 1
    assert create_survey(store, d, by="someone else", now=at(2)).version == 1
    assert store.counts(["survey_definitions"]) == {"survey_definitions": 1}

    changed = dataclasses.replace(d, sample_days=60)
    assert create_survey(store, changed, now=at(3)).version == 2
    assert create_survey(store, d, now=at(4)).version == 3  # back to the first: still new
    rows = store.table("survey_definitions").order_by("version").to_pyarrow().to_pylist()
    assert [(r["row_id"], r["created_by"], r["retired"]) for r in rows] == [
        ("csat-after-solve@1", "maryam", False),
        ("csat-after-solve@2", "cli", False),
        ("csat-after-solve@3", "cli", False),
    ]
    assert survey(store, "csat-after-solve").version == 3
    assert survey(store, "csat-after-solve", 2).sample_days == 60
    assert survey(store, "csat-after-solve", 2) == changed.with_version(2)


def test_list_retire_and_unknown(duckdb_store: Store) -> None:
    store = duckdb_store
    for d in default_definitions().values():
        create_survey(store, d)
    assert [d.survey_id for d in surveys(store)] == [
        "ces-after-solve",
        "csat-after-solve",
        "enps-quarterly",
        "nps-after-solve",
        "pulse-weekly",
    ]
    retire_survey(store, "nps-after-solve")
    assert "nps-after-solve" not in [d.survey_id for d in surveys(store)]
    assert "nps-after-solve" in [d.survey_id for d in surveys(store, retired=True)]
    again = create_survey(store, default_definitions()["nps-after-solve"])
    assert again.version == 2 and "nps-after-solve" in [d.survey_id for d in surveys(store)]
    with pytest.raises(UnknownSurvey, match="no survey 'nope'; surveys: ces-after-solve"):
        survey(store, "nope")
    with pytest.raises(UnknownSurvey, match="'csat-after-solve' version 7"):
        survey(store, "csat-after-solve", 7)
