"""`sanjeh serve`: the web dashboard and JSON API over one store."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ._options import DbOption, require_store, store_url


def serve_commands(app: typer.Typer) -> None:
    @app.command()
    def serve(
        db: DbOption = None,
        host: Annotated[
            str,
            typer.Option(help="Address to listen on; 0.0.0.0 opens it to the network."),
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
        language: Annotated[
            str | None, typer.Option("--language", help="Default interface language: fa, ar, en.")
        ] = None,
        open_browser: Annotated[
            bool, typer.Option("--open", help="Open the dashboard in a web browser.")
        ] = False,
        forwarded_allow_ips: Annotated[
            str | None,
            typer.Option(
                "--forwarded-allow-ips",
                help="Behind a reverse proxy: its addresses or networks, comma-separated "
                "(e.g. 127.0.0.1). Only requests from these may set the client's address "
                "and https with X-Forwarded-For / X-Forwarded-Proto; by default nobody may.",
            ),
        ] = None,
    ) -> None:
        """The dashboard (fa / ar / en) and its JSON API, at http://HOST:PORT/."""
        from ..errors import ConfigError

        try:
            from ..web import serve as run
        except ImportError as exc:
            raise ConfigError(
                f"the dashboard needs {exc.name or 'its web packages'}: "
                "pip install fastapi uvicorn jinja2 plotly"
            ) from exc

        if language is not None and language not in ("fa", "ar", "en"):
            raise ConfigError(f"--language must be fa, ar or en, not {language!r}")
        from ..web._server import proxy_options

        proxy_options(forwarded_allow_ips)  # a typo fails at once, not after the start
        url = store_url(db)
        require_store(url, given=db is not None)  # not a new, empty store from a typo
        typer.echo(f"Sanjeh dashboard on http://{host}:{port}/ (store: {url}); Ctrl+C stops it")
        proxies: dict[str, Any] = (
            {"forwarded_allow_ips": forwarded_allow_ips} if forwarded_allow_ips else {}
        )
        run(url, host, port, open_browser=open_browser, language=language, **proxies)
