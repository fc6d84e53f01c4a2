"""The canonical data model: table declarations and their documentation."""

from ._spec import Check, Column, TableSpec
from .speech import SEGMENT_ORIGINS, SPEAKERS
from .tables import (
    ACTOR_TYPES,
    ALL_TABLES,
    APP_TABLES,
    CALL_OUTCOMES,
    CHANNELS,
    EVENT_KINDS,
    MODEL_VERSION,
    OUTCOME_KINDS,
    PRIORITIES,
    STATUSES,
    SURVEYS,
    SYSTEM_TABLES,
    TABLES,
)

__all__ = [
    "ACTOR_TYPES",
    "ALL_TABLES",
    "APP_TABLES",
    "CALL_OUTCOMES",
    "CHANNELS",
    "EVENT_KINDS",
    "MODEL_VERSION",
    "OUTCOME_KINDS",
    "PRIORITIES",
    "SEGMENT_ORIGINS",
    "SPEAKERS",
    "STATUSES",
    "SURVEYS",
    "SYSTEM_TABLES",
    "TABLES",
    "Check",
    "Column",
    "TableSpec",
]
