"""Surveys Sanjeh sends and collects itself: CSAT, CES, NPS, eNPS, pulse (docs/surveys.md).

    from sanjeh import surveys
    definition = surveys.load_definition("csat.toml")          # or default_definitions()
    surveys.create_survey(store, definition, by="cli")         # version 1 (2 if changed …)
    sent = surveys.send_invitations(store, "csat-after-solve", now=now,
                                    base_url="https://sanjeh.example", outbox=Path("out.jsonl"))
    invitation = surveys.open_invitation(store, invitation_id, sig, now=now)  # the link
    surveys.record_answer(store, invitation, {"csat": 5, "comment": "…"}, now=now)
    surveys.survey_results(store, "csat-after-solve", start=…, end=…)

Answers land in ``survey_responses`` (one row per question), so the satisfaction KPIs
count them like imported answers. eNPS and pulse are anonymous: their rows carry the
team and the period's start, never the employee or the true time.
"""

from ._answers import (
    Answer,
    AnswerReceipt,
    AnswerWrites,
    prepare_answers,
    record_answer,
    record_answers,
    write_answers,
)
from ._defaults import default_definitions
from ._definitions import Question, SurveyDefinition, load_definition
from ._errors import (
    AlreadyAnswered,
    DefinitionError,
    ExpiredLink,
    InvalidAnswer,
    InvalidLink,
    UnknownInvitation,
    UnknownSurvey,
)
from ._invitations import Invitation, answer_link, invitation, open_invitation
from ._invitations import read as read_invitations
from ._planning import plan_invitations
from ._results import survey_results
from ._sending import SendResult, send_invitations
from ._storage import create_survey, retire_survey, survey, surveys

__all__ = [
    "AlreadyAnswered",
    "Answer",
    "AnswerReceipt",
    "AnswerWrites",
    "DefinitionError",
    "ExpiredLink",
    "InvalidAnswer",
    "InvalidLink",
    "Invitation",
    "Question",
    "SendResult",
    "SurveyDefinition",
    "UnknownInvitation",
    "UnknownSurvey",
    "answer_link",
    "create_survey",
    "default_definitions",
    "invitation",
    "load_definition",
    "open_invitation",
    "plan_invitations",
    "prepare_answers",
    "read_invitations",
    "record_answer",
    "record_answers",
    "retire_survey",
    "send_invitations",
    "survey",
    "survey_results",
    "surveys",
    "write_answers",
]
