"""Running the app: ``serve`` for people, ``Server`` in a thread for tests and benchmarks."""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
import threading
import time
import webbrowser
from typing import Any

from ..errors import ConfigError
from ..settings import load_settings
from ._server_lock import Announcement, local_url

log = logging.getLogger("sanjeh.web")


#: seconds a thread holds the GIL before another may take it (Python's default: 0.005)
SWITCH_INTERVAL = 0.001


def serve(
    db_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    *,
    language: str | None = None,
    log_level: str = "info",
    warm: bool = True,
    forwarded_allow_ips: str | None = None,
) -> None:
    """Serve the dashboard until interrupted (binds to this machine only by default).

    Facts are brought up to date first (on a large store that takes a while once).
    ``forwarded_allow_ips``: the reverse proxies whose forwarding headers are believed
    (see :func:`proxy_options`); by default none are. Over a DuckDB file, the server file
    ``<db>.server.json`` tells ``sanjeh import`` where to send files while this runs
    (``_server_lock``).
    """
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from ._app import create_app

    proxies = proxy_options(forwarded_allow_ips)  # a typo fails before the slow start
    # Short requests (an answer, an intake batch) wait for the GIL behind the facts'
    # refresh and the pages' computations: handing it over every 1 ms instead of 5 took
    # the survey answers' p95 at 200 a second from 87 to 58 ms (bench/surveys.py).
    sys.setswitchinterval(SWITCH_INTERVAL)
    db_url = db_url or load_settings().db
    app = create_app(db_url, language=language, warm=warm)
    warning = open_without_login(host, app.state.accounts.has_users())
    if warning:
        log.warning(warning)
    if open_browser:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        url = f"http://{shown}:{port}/"
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    announcement = Announcement.for_store(db_url)
    if announcement is not None:
        app.state.server_token = announcement.token
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, access_log=False, **proxies
    )
    server = _announcing(config, announcement)
    try:
        server.run()
    except KeyboardInterrupt:  # (uvicorn.run's way: Ctrl+C ends the server quietly)
        pass
    except OSError as exc:  # pragma: no cover - depends on the machine
        raise ConfigError(f"cannot listen on {host}:{port} ({exc}); choose another --port") from exc
    finally:
        if announcement is not None:
            announcement.remove()
    if not server.started:  # (uvicorn said why)
        sys.exit(STARTUP_FAILURE)


def _announcing(config: Any, announcement: Announcement | None) -> Any:
    """A uvicorn server that writes the server file once it listens and removes it first
    when it stops: before ``kill``'s signal ends the process, which no ``finally`` sees."""
    import uvicorn

    class Announcing(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and announcement is not None:
                port = self.servers[0].sockets[0].getsockname()[1] if self.servers else 0
                announcement.write(local_url(self.config.host, port or self.config.port))

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            if announcement is not None:
                announcement.remove()
            await super().shutdown(sockets)

    return Announcing(config)


def proxy_options(forwarded_allow_ips: str | None) -> dict[str, Any]:
    """uvicorn's options for forwarding headers: believed only from ``forwarded_allow_ips``.

    ``X-Forwarded-For`` sets the client's address (login throttling counts by it) and
    ``X-Forwarded-Proto: https`` makes cookies ``Secure``; from anyone else they would
    let a client pick its own address and scheme. uvicorn believes them from 127.0.0.1
    unless told otherwise, which on a shared machine is every local user, so by default
    they are ignored. ``forwarded_allow_ips``: comma-separated addresses or networks of
    the proxies (``127.0.0.1``, ``10.0.0.0/8``; ``*``: any). uvicorn's own
    ``FORWARDED_ALLOW_IPS`` variable is not read: settings come from one place.
    """
    if forwarded_allow_ips is None or not forwarded_allow_ips.strip():
        return {"proxy_headers": False}
    trusted = [p.strip() for p in forwarded_allow_ips.split(",") if p.strip()]
    for item in trusted:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(
                f"--forwarded-allow-ips: {item!r} is not an address or network; give the "
                "proxies' addresses, comma-separated (e.g. 127.0.0.1,10.0.0.0/8)"
            ) from None
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted)}


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def open_without_login(host: str, has_users: bool) -> str | None:
    """The warning for a dashboard reachable from the network that nobody logs in to."""
    if has_users or host in _LOOPBACK or host.startswith("127."):
        return None
    return (
        f"the dashboard listens on {host} but the store has no users, so anyone who can "
        "reach it sees everything; add one with `sanjeh user add NAME --role admin`"
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A uvicorn server in a background thread: ``with Server(app) as url: …``."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int | None = None,
        *,
        forwarded_allow_ips: str | None = None,
    ) -> None:
        import uvicorn

        self.host, self.port = host, port or free_port(host)
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            **proxy_options(forwarded_allow_ips),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not start on {self.url}")
            time.sleep(0.05)
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
