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

import time

from fastapi import FastAPI

#: the background loop spends at most this long per round continuing recurring cycles
BUDGET_SECONDS = 5.0


def register(app: FastAPI) -> None:
    """Add the QA routes to the dashboard app, and continuing recurring cycles to its
    background tasks."""
    from ._routes import router

    app.include_router(router())

    def due_cycles() -> None:
        run_due_cycles(app)

    app.state.source.periodic.append(due_cycles)


def run_due_cycles(app: FastAPI, budget: float = BUDGET_SECONDS) -> int:
    """Create the occurrences of recurring review cycles whose period is over (as the
    local administrator, with the app's QA workspace and its clock); how many.

    One occurrence per hold of the store's lock, so requests are answered between them;
    after ``budget`` seconds the rest waits for the next round of the background loop
    (the library catches up at most ``MAX_CATCH_UP`` periods of a chain anyway)."""
    from ...accounts import LOCAL_ADMIN
    from ._context import workspace

    source = app.state.source
    ws = workspace(app)  # the one the requests use
    made = 0
    until = time.monotonic() + budget
    while time.monotonic() < until:
        with source.db_lock:
            step = ws.run_due_cycles(LOCAL_ADMIN, limit=1)
        if not step:
            break
        made += 1
        source.forget()
        time.sleep(0)  # let a request waiting for the lock take it first
    return made
