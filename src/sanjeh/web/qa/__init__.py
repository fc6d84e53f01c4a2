"""QA workflow pages (reviews, disputes, calibration, coaching, wow library).

The dashboard's pattern: one module per page (``home``, ``review_form``, ``review``,
``reviews``, ``disputes``, ``assignments``, ``calibration``, ``calibration_report``,
``coaching``, ``wow``, ``scorecards``; ``scores`` is JSON only) whose ``build(ctx,
**parameters)`` makes the view model of the page under ``/qa`` and of its JSON twin
under ``/api/qa``, beside the actions done from that page. ``_routes.ROUTES`` is the
table: each page with its twin, each action as a JSON endpoint and an HTML form post
(303 back to a page), registered together by ``_table``. Who may do what is the one
permission matrix (``sanjeh.accounts.PERMISSIONS``) as the library (``sanjeh.qa.Workspace``)
applies it; pages are rendered per request and never cached (they carry the user's
CSRF token). Recurring review cycles are continued by the server's background thread
(:func:`run_due_cycles`). See docs/qa-web.md.
"""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    """Add the QA routes to the dashboard app, and continuing recurring cycles to its
    background tasks."""
    from ._routes import router

    app.include_router(router())

    def due_cycles() -> None:
        run_due_cycles(app)

    app.state.source.periodic.append(due_cycles)


def run_due_cycles(app: FastAPI) -> int:
    """Create the occurrences of recurring review cycles whose period is over (as the
    local administrator, with the app's QA workspace and its clock); how many."""
    from ...accounts import LOCAL_ADMIN
    from ._context import workspace

    source = app.state.source
    with source.db_lock:
        made = workspace(app).run_due_cycles(LOCAL_ADMIN)  # the one the requests use
    if made:
        source.forget()
    return len(made)
