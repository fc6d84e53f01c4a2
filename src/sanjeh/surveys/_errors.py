"""The errors of surveys, in the one tree (``sanjeh.errors``), each with its HTTP status
through its base class: a bad definition 400, a bad answer 400, a second answer after the
grace period 409, a link that is wrong, expired or names no invitation 403 (the same
answer: a wrong link never tells whether the thing it names exists)."""

from __future__ import annotations

from ..accounts._links import ExpiredLink, InvalidLink
from ..errors import ConfigError, RecordNotFound, ValidationError, WorkflowError


class DefinitionError(ConfigError):
    """A survey definition that cannot be used; the message names the file and field."""

    code = "survey_definition"


class InvalidAnswer(ValidationError):
    """An answer the survey does not accept; ``field`` is the question's code."""

    code = "invalid_answer"


class AlreadyAnswered(WorkflowError):
    """The invitation was answered and its grace period for changes is over (409)."""

    code = "already_answered"


class UnknownInvitation(InvalidLink):
    """No such invitation: refused exactly like a forged link (403)."""

    code = "invalid_link"


class UnknownSurvey(RecordNotFound):
    """No survey with that id (``sanjeh survey list`` shows them)."""

    code = "unknown_survey"


__all__ = [
    "AlreadyAnswered",
    "DefinitionError",
    "ExpiredLink",
    "InvalidAnswer",
    "InvalidLink",
    "UnknownInvitation",
    "UnknownSurvey",
]
