"""The QA route table: every page (GET /qa/…) with its JSON twin (GET /api/qa/…) from
the page module's ``build``, and every action as a JSON endpoint under /api/qa/… and,
where the pages offer it, an HTML form post answered with a 303 (see ``_table``)."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    agenda,
    assignments,
    calibration,
    calibration_report,
    coaching,
    disputes,
    home,
    insights,
    recognition,
    review,
    review_form,
    reviews,
    scorecard_builder,
    scorecards,
    scores,
    self_review,
    wow,
)
from ._table import Action, Form, Page, add

ROUTES: tuple[Page | Action, ...] = (
    Page(
        "home",
        "/qa",
        home.build,
        "home.html",
        "QA home",
        """A reviewer's open assignments and reviews; an agent's reviews, IQS, pass rate,
        open disputes and action items; for staff IQS by agent and open disputes.""",
    ),
    Page(
        "scores",
        "/qa/scores",
        scores.build,
        None,
        "IQS and pass rate",
        """IQS, pass rate and review count per agent (``by=reviewer|scorecard|all``) over
        reviews written in [start, end] (dates, UTC). ``agent`` keeps one agent's row.""",
    ),
    Page(
        "review_form",
        "/qa/review/{ticket_id}",
        review_form.build,
        "review_form.html",
        "A conversation to review",
        "The conversation, its automatic signals by category, and the scorecard.",
    ),
    Action(
        "review_api_post",
        "/api/qa/reviews",
        review_form.submit,
        "Submit a review",
        """Grade a conversation: ratings by category id (None = N/A), comments, root
        causes, an overall comment. Answers the review page's model.""",
        status=201,
        answer=review.answer,
        form=Form(
            "review_form_post",
            "/qa/review/{ticket_id}",
            back=lambda review_id, _: f"/qa/reviews/{review_id}",
            read=review_form.raw,
            run=review_form.submit_form,
        ),
    ),
    Page(
        "reviews",
        "/qa/reviews",
        reviews.build,
        "reviews.html",
        "Reviews",
        "Reviews by agent, reviewer and day written (agents: only their own).",
    ),
    Page(
        "review",
        "/qa/reviews/{review_id}",
        review.build,
        "review.html",
        "One review",
        """Scores by category and section, the history, disputes, and what the user may
        do next. Another agent's review is 404.""",
    ),
    Action(
        "review_api_patch",
        "/api/qa/reviews/{review_id}",
        review.update,
        "Change a review",
        "Its reviewer (or staff) changes ratings, comments or submits a draft.",
        method="PATCH",
        answer=review.answer,
    ),
    Action(
        "dispute_api",
        "/api/qa/reviews/{review_id}/dispute",
        disputes.open_dispute,
        "Dispute a review",
        "The reviewed agent disputes the review with a comment.",
        status=201,
        form=Form(
            "dispute_post",
            "/qa/reviews/{review_id}/dispute",
            back=lambda dispute, _: f"/qa/reviews/{dispute['review_id']}",
            read=disputes.read_dispute,
        ),
    ),
    Action(
        "resolve_api",
        "/api/qa/disputes/{dispute_id}/resolve",
        disputes.resolve,
        "Resolve a dispute",
        "accepted / partly_accepted (with the corrected ratings) / rejected.",
        form=Form(
            "resolve_post",
            "/qa/disputes/{dispute_id}/resolve",
            back=disputes.to_review,
            read=disputes.read_resolution,
            run=disputes.resolve_form,
        ),
    ),
    Action(
        "escalate_api",
        "/api/qa/disputes/{dispute_id}/escalate",
        disputes.escalate,
        "Escalate a dispute",
        "After a rejection the agent hands the dispute to the managers.",
        form=Form(
            "escalate_post",
            "/qa/disputes/{dispute_id}/escalate",
            back=disputes.to_review,
            read=disputes.read_escalation,
            run=disputes.escalate_form,
        ),
    ),
    Page(
        "disputes",
        "/qa/disputes",
        disputes.build,
        "disputes.html",
        "Disputes",
        "Agents their own, reviewers those of their reviews, staff all.",
    ),
    Page(
        "assignments",
        "/qa/assignments",
        assignments.build,
        "assignments.html",
        "Review assignments and cycles",
        "A reviewer's queue (staff: anyone's) and the review cycles.",
    ),
    Action(
        "cycle_api",
        "/api/qa/cycles",
        assignments.create_cycle,
        "Create a review cycle",
        """Sample conversations solved in [start, end] (dates; the end day included).
        With ``repeat_days`` the cycle recurs: the server samples each following period
        of that many days once it is over.""",
        status=201,
        form=Form(
            "cycle_post",
            "/qa/cycles",
            back=lambda *_: "/qa/assignments",
            read=assignments.read_cycle,
        ),
    ),
    Page(
        "calibration",
        "/qa/calibration",
        calibration.build,
        "calibration.html",
        "Calibration sessions",
    ),
    Action(
        "calibration_api_post",
        "/api/qa/calibration",
        calibration.create,
        "Create a calibration",
        status=201,
        answer=calibration_report.answer,
        form=Form(
            "calibration_post",
            "/qa/calibration",
            back=lambda calibration_id, _: f"/qa/calibration/{calibration_id}",
            read=calibration.read,
        ),
    ),
    Page(
        "calibration_report",
        "/qa/calibration/{calibration_id}",
        calibration_report.build,
        "calibration_report.html",
        "Calibration report",
        "Alignment per criterion and reviewer, Krippendorff's alpha, strictness.",
    ),
    Page(
        "coaching",
        "/qa/coaching",
        coaching.build,
        "coaching.html",
        "Coaching sessions",
        "Sessions with action items, and IQS and KPIs before / after each.",
    ),
    Action(
        "coaching_api_post",
        "/api/qa/coaching",
        coaching.create,
        "Record a coaching session",
        status=201,
        form=Form("coaching_post", "/qa/coaching", back=coaching.to_agent, read=coaching.read),
    ),
    Action(
        "action_api",
        "/api/qa/coaching/{session_id}/actions/{index}",
        coaching.complete,
        "Tick off an action",
        form=Form(
            "action_post",
            "/qa/coaching/{session_id}/actions/{index}",
            back=coaching.after_action,
        ),
    ),
    # -- #22 (Q1): insights across reviews ------------------------------------------------------
    Page(
        "insights",
        "/qa/insights",
        insights.build,
        "insights.html",
        "Insights across reviews",
        """Per scorecard category: mean score and failure rate (category score under 50 %)
        with 95 % intervals (t / Wilson), overall and ``by`` agent, team, channel,
        language, topic, week or (Jalali / Hijri) month, against the previous window or
        period (Welch / Newcombe); IQS points lost per category; root causes; reviewers'
        calibration strictness and the agents graded mostly by strict reviewers; AutoQA
        against manual grades (Cohen's kappa). Reviews written in [start, end] (dates,
        UTC; default the 28 days up to now). Agents: their own only.""",
    ),
    # -- end #22 (Q1) --
    Page("wow", "/qa/wow", wow.build, "wow.html", "Wow library"),
    Action(
        "wow_api_post",
        "/api/qa/wow",
        wow.mark,
        "Mark a conversation as wow",
        status=201,
        form=Form("wow_post", "/qa/wow", back=wow.after_marking, read=wow.read),
    ),
    # -- #22 (Q3): coaching agenda, recognition, self-review ----------------------------------
    Page(
        "agenda",
        "/qa/agenda",
        agenda.build,
        "agenda.html",
        "Coaching agenda",
        """The categories where the agent is furthest below the team (agent mean − team
        mean of category scores, with n, standard error and 95 % interval), each with the
        agent's lowest reviews and good examples; categories with too few reviews listed
        apart. Reviewers and staff for any agent; an agent for themselves.""",
    ),
    Action(
        "agenda_api_post",
        "/api/qa/agenda",
        agenda.create,
        "Hold a coaching session from the agenda",
        "A coaching session with ``focus`` categories (their trend is shown after it).",
        status=201,
        form=Form("agenda_post", "/qa/agenda", back=agenda.to_sessions, read=agenda.read),
    ),
    Page(
        "recognition",
        "/qa/recognition",
        recognition.build,
        "recognition.html",
        "Recognition board",
        """Kudos per agent (wow moments, top-quartile category scores) in [start, end].
        The roles opted in with ``[qa] recognition_board`` see everyone; an agent who is
        not sees their own kudos only; other roles get 403.""",
    ),
    Page(
        "self_reviews",
        "/qa/self-reviews",
        self_review.build_list,
        "self_reviews.html",
        "Self-reviews",
        "Agents their own; staff all; reviewers those of agents they have coached.",
    ),
    Page(
        "self_review",
        "/qa/self-reviews/{self_review_id}",
        self_review.build,
        "self_review.html",
        "A self-review beside the reviewer's grade",
        "Category by category; 404 for anyone but the agent and their coaches.",
    ),
    Page(
        "self_review_form",
        "/qa/self-review/{ticket_id}",
        self_review.build_form,
        "self_review_form.html",
        "Grade one's own conversation",
        "The scorecard to fill in (agents, their own conversations only).",
    ),
    Action(
        "self_review_api_post",
        "/api/qa/self-reviews",
        self_review.submit,
        "Submit a self-review",
        "The agent's ratings of their own conversation (not counted in IQS or KPIs).",
        status=201,
        answer=self_review.answer,
        form=Form(
            "self_review_post",
            "/qa/self-review/{ticket_id}",
            back=self_review.to_comparison,
            read=self_review.raw,
            run=self_review.submit_form,
        ),
    ),
    Page("scorecards", "/qa/scorecards", scorecards.build, "scorecards.html", "Scorecards"),
    # -- the scorecard builder (#22): its form posts to /qa/scorecards/builder (router())
    Page(
        "scorecard_builder",
        "/qa/scorecards/builder",
        scorecard_builder.build,
        "scorecard_builder.html",
        "Scorecard builder",
        """The builder's model (staff): a stored scorecard (``scorecard``, latest or
        ``version``) or an empty one, as the form's draft, with the score preview of its
        example ratings.""",
    ),
    Page(
        "scorecard_export",
        "/qa/scorecards/export",
        scorecard_builder.export,
        None,
        "Export a scorecard",
        """A scorecard version (``scorecard``, latest or ``version``) as JSON, the form
        ``POST /api/qa/scorecards`` and the builder's import take.""",
    ),
    Action(
        "scorecard_api_post",
        "/api/qa/scorecards",
        scorecards.save,
        "Save a scorecard version",
        "A new id is version 1, a changed definition the next version.",
        status=201,
        form=Form(
            "scorecard_post",
            "/qa/scorecards",
            back=lambda *_: "/qa/scorecards",
            read=scorecards.read,
        ),
    ),
)


def router() -> APIRouter:
    r = APIRouter()
    for entry in ROUTES:
        add(r, entry)
    insights.register_download(r)  # #22 (Q1): the insights' tables as CSV / XLSX
    # the home page's box: GET /qa/review?ticket=… opens that conversation's form
    r.add_api_route(
        "/qa/review", review_form.pick, methods=["GET"], include_in_schema=False, name="review_pick"
    )
    # #22 (Q3): the self-reviews list as CSV (what the page shows to the same user)
    r.add_api_route(
        "/qa/self-reviews.csv",
        self_review.export,
        methods=["GET"],
        include_in_schema=False,
        name="self_reviews_csv",
    )
    # the scorecard builder's form: a button sends the page back changed, Save saves
    r.add_api_route(
        "/qa/scorecards/builder",
        scorecard_builder.post,
        methods=["POST"],
        include_in_schema=False,
        name="scorecard_builder_post",
    )
    return r
