"""Quality assurance: scorecards, reviews, IQS, disputes, sampling, calibration, coaching.

    from sanjeh.qa import Workspace, review_score, default_scorecard
    ws = Workspace(store)
    review = ws.submit_review(actor, "demo:t-000001", {"correct_solution": 5, ...})
    ws.scores(actor, by="agent")

Formulas and conventions: docs/qa.md.
"""

from . import _limits as limits
from ._alpha import krippendorff_alpha
from ._base import Clock
from ._calibration import GROUP_MEAN, CalibrationReport
from ._calls import SILENCE_S, CallEntry, CallTimeline, call_conversation, call_timelines
from ._coaching import EFFECT_KPIS, CoachingEffect, EffectWindow, coaching_effect
from ._formulas import (
    CRITICAL_BELOW,
    MAX_SCORE,
    ReviewScore,
    alignment,
    category_alignment,
    category_score,
    iqs,
    pass_rate,
    review_score,
    reviewer_bias,
)
from ._insights import BY as INSIGHTS_BY  # insights across reviews (#22 item 1)
from ._insights import (
    AgentFlag,
    Agreement,
    Figure,
    Insights,
    PointsLost,
    ReviewerRow,
    RootCause,
    insights,
)
from ._kappa import Kappa, cohen_kappa
from ._records import (
    ActionItem,
    Assignment,
    Calibration,
    CoachingSession,
    Cycle,
    Dispute,
    HistoryEntry,
    Review,
    ScoreRow,
    WowEntry,
)
from ._reviews import OUTCOMES, Outcome
from ._sampling import STRATEGIES, Strategy
from ._scorecard import (
    DEFAULT_SCORECARD_ID,
    KINDS,
    SCALES,
    Category,
    Scale,
    Scorecard,
    Section,
    choose_scorecard,
    default_scorecard,
)
from ._signals import ANALYZER_CATEGORIES, Suggestion, TimelineEntry, conversation, suggestions
from ._workspace import Workspace

__all__ = [
    "ANALYZER_CATEGORIES",
    "CRITICAL_BELOW",
    "DEFAULT_SCORECARD_ID",
    "EFFECT_KPIS",
    "GROUP_MEAN",
    "KINDS",
    "MAX_SCORE",
    "OUTCOMES",
    "SCALES",
    "SILENCE_S",
    "STRATEGIES",
    "ActionItem",
    "Assignment",
    "Calibration",
    "CalibrationReport",
    "CallEntry",
    "CallTimeline",
    "Category",
    "Clock",
    "CoachingEffect",
    "CoachingSession",
    "Cycle",
    "Dispute",
    "EffectWindow",
    "HistoryEntry",
    "Outcome",
    "Review",
    "ReviewScore",
    "Scale",
    "ScoreRow",
    "Scorecard",
    "Section",
    "Strategy",
    "Suggestion",
    "TimelineEntry",
    "Workspace",
    "WowEntry",
    "alignment",
    "call_conversation",
    "call_timelines",
    "category_alignment",
    "category_score",
    "choose_scorecard",
    "coaching_effect",
    "conversation",
    "default_scorecard",
    "iqs",
    "krippendorff_alpha",
    "limits",
    "pass_rate",
    "review_score",
    "reviewer_bias",
    "suggestions",
]

# -- #22 (Q3): coaching agenda, recognition, self-review ---------------------------------
from ._agenda import (
    Agenda,
    AgendaItem,
    CategoryTrend,
    Difference,
    Example,
    LeftOut,
    Mean,
    SessionTrend,
    session_trend,
)
from ._recognition import (
    DEFAULT_RECOGNITION_ROLES,
    BoardRow,
    Kudos,
    kudos_of,
    recognition_roles,
    top_quartile,
)
from ._self_review import CategoryComparison, SelfComparison, SelfReview

__all__ += [
    "DEFAULT_RECOGNITION_ROLES",
    "Agenda",
    "AgendaItem",
    "BoardRow",
    "CategoryComparison",
    "CategoryTrend",
    "Difference",
    "Example",
    "Kudos",
    "LeftOut",
    "Mean",
    "SelfComparison",
    "SelfReview",
    "SessionTrend",
    "kudos_of",
    "recognition_roles",
    "session_trend",
    "top_quartile",
]

# -- #22 (Q1): insights across reviews ----------------------------------------------------
__all__ += [
    "INSIGHTS_BY",
    "AgentFlag",
    "Agreement",
    "Figure",
    "Insights",
    "Kappa",
    "PointsLost",
    "ReviewerRow",
    "RootCause",
    "cohen_kappa",
    "insights",
]
