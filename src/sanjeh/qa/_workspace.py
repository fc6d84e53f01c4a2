"""``Workspace``: every QA action, with permissions, stored append-only."""

from __future__ import annotations

from ._calibration import CalibrationMixin
from ._coaching import CoachingMixin
from ._recognition import RecognitionMixin
from ._reviews import ReviewsMixin
from ._sampling import SamplingMixin
from ._self_review import SelfReviewMixin


class Workspace(
    ReviewsMixin,
    SamplingMixin,
    CalibrationMixin,
    CoachingMixin,
    RecognitionMixin,  # with the coaching agenda (AgendaMixin), #22
    SelfReviewMixin,
):
    """The QA workflow on a store: ``Workspace(store, clock=...)``.

    Every action takes the ``Actor`` doing it and raises ``PermissionDenied`` when the
    role may not (``RecordNotFound`` where even the existence of a record is private).
    Every change is a new row in a ``qa_*`` table (see docs/qa.md).
    """
