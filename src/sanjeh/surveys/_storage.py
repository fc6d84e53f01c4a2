"""Survey definitions in the store, versioned like QA scorecards: creating a changed
definition writes version n+1, creating the same one again writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import ibis

from ..model.surveys import SURVEY_DEFINITIONS
from ..store import Store
from ._definitions import SurveyDefinition, from_dict
from ._errors import UnknownSurvey

TABLE = SURVEY_DEFINITIONS.name


def _rows(store: Store, survey_id: str | None = None) -> list[dict[str, Any]]:
    t = store.table(TABLE)
    if survey_id is not None:
        t = t.filter(t.survey_id == survey_id)
    with store.lock:
        rows: list[dict[str, Any]] = t.order_by([t.survey_id, t.version]).to_pyarrow().to_pylist()
    return rows


def _build(row: dict[str, Any]) -> SurveyDefinition:
    data = json.loads(row["definition"])
    return from_dict(data, where=f"survey {row['survey_id']} v{row['version']}").with_version(
        row["version"]
    )


def create_survey(
    store: Store, definition: SurveyDefinition, *, by: str = "cli", now: dt.datetime | None = None
) -> SurveyDefinition:
    """Store ``definition``: the latest version back when it is unchanged (nothing
    written), else a new version (1 for a new survey). A retired survey created again
    unchanged comes back as a new version, not retired."""
    latest = _rows(store, definition.survey_id)
    last = latest[-1] if latest else None
    text = definition.to_json()
    if last is not None and last["definition"] == text and not last["retired"]:
        return _build(last)
    version = last["version"] + 1 if last else 1
    store.write(TABLE, [_row(definition, version, text, by, now, retired=False)])
    return definition.with_version(version)


def _row(
    definition: SurveyDefinition,
    version: int,
    text: str,
    by: str,
    now: dt.datetime | None,
    *,
    retired: bool,
) -> dict[str, Any]:
    return {
        "row_id": f"{definition.survey_id}@{version}",
        "survey_id": definition.survey_id,
        "version": version,
        "kind": definition.kind,
        "definition": text,
        "created_at": now or dt.datetime.now(dt.UTC),
        "created_by": by,
        "retired": retired,
    }


def retire_survey(store: Store, survey_id: str) -> None:
    """Stop sending ``survey_id`` (its answers stay; invitations already sent still work)."""
    rows = _rows(store, survey_id)
    if not rows:
        raise _unknown(store, survey_id)
    store.write(TABLE, [{**rows[-1], "retired": True}])


def surveys(store: Store, *, retired: bool = False) -> list[SurveyDefinition]:
    """The latest version of every survey (retired ones only when asked)."""
    t = store.table(TABLE)
    w = ibis.window(group_by=t.survey_id, order_by=ibis.desc(t.version))
    t = t.mutate(_rank=ibis.row_number().over(w))
    t = t.filter(t._rank == 0).drop("_rank").order_by("survey_id")
    with store.lock:
        rows = t.to_pyarrow().to_pylist()
    return [_build(r) for r in rows if retired or not r["retired"]]


def survey(store: Store, survey_id: str, version: int | None = None) -> SurveyDefinition:
    """One survey: its latest version, or ``version``."""
    rows = _rows(store, survey_id)
    if version is not None:
        rows = [r for r in rows if r["version"] == version]
    if not rows:
        raise _unknown(store, survey_id, version)
    return _build(rows[-1])


def is_retired(store: Store, survey_id: str) -> bool:
    rows = _rows(store, survey_id)
    return bool(rows and rows[-1]["retired"])


def _unknown(store: Store, survey_id: str, version: int | None = None) -> UnknownSurvey:
    known = ", ".join(d.survey_id for d in surveys(store, retired=True)) or "none yet"
    what = f"{survey_id!r} version {version}" if version else repr(survey_id)
    return UnknownSurvey(f"no survey {what}; surveys: {known} (`sanjeh survey create FILE`)")
