"""QA workflow pages (reviews, disputes, calibration, coaching, wow library).

Every page under ``/qa`` has a JSON twin under ``/api/qa`` built by the same view-model
function (``_views``); every action is an HTML form post (303 back to a page) and a
JSON endpoint (``_routes``). Permissions are the library's (``sanjeh.qa.Workspace``);
pages are rendered per request and never cached (they carry the user's CSRF token).
See docs/qa-web.md.
"""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    """Add the QA routes to the dashboard app."""
    from ._routes import router

    app.include_router(router())
