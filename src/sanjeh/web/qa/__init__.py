"""QA workflow pages (reviews, disputes, calibration, coaching, wow library).

Every page under ``/qa`` has a JSON twin under ``/api/qa`` built by the same view-model
function (``_views``); every action is an HTML form post (303 back to a page) and a
JSON endpoint (``_routes``). Permissions are the library's (``sanjeh.qa.Workspace``);
pages are rendered per request and never cached (they carry the user's CSRF token).
Recurring review cycles are continued by the server's background thread
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
    from ...qa import Workspace

    source = app.state.source
    with source.db_lock:
        ws: Workspace | None = getattr(app.state, "qa_workspace", None)
        if ws is None:  # the one the requests use (see _context.workspace)
            ws = app.state.qa_workspace = Workspace(source.store)
        made = ws.run_due_cycles(LOCAL_ADMIN)
    if made:
        source.forget()
    return len(made)
