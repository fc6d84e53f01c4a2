"""The web dashboard and JSON API, in Persian, Arabic and English.

    sanjeh serve --db sanjeh.duckdb          # http://127.0.0.1:8000

    from sanjeh.web import create_app, serve
    app = create_app("sanjeh.duckdb")        # an ASGI app (FastAPI)
    serve("sanjeh.duckdb", open_browser=True)

Every page has a JSON twin under ``/api/`` built by the same view-model function;
``/openapi.json`` describes them. See docs/web.md.
"""

from ._app import create_app
from ._server import serve

__all__ = ["create_app", "serve"]
