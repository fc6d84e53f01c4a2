"""One HTTP POST to a webhook the user configured (scheduled reports, survey invitations).

Standard library only, no redirects followed (urllib would turn a redirected POST into a
GET without the body and call that delivered), every failure one :class:`DeliveryError`
that names the webhook by scheme and host only (its path or query may hold a token).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

from ._version import __version__
from .errors import SanjehError


class DeliveryError(SanjehError):
    """The webhook refused what was sent or did not answer."""

    code = "delivery_error"

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a 301 / 302 / 303 to a POST with a GET without the body, and
    call that delivered: a redirect is an answer that is not 2xx instead."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def where(url: str) -> str:
    """The webhook's scheme and host only: its path or query may hold a secret token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def post(
    url: str,
    data: bytes,
    *,
    content_type: str,
    timeout: float,
    filename: str | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    """POST ``data`` (named ``filename`` when given); the HTTP status of a 2xx answer, else
    :class:`DeliveryError`. ``headers``' values may be any text (percent-encoded here: HTTP
    headers are Latin-1)."""
    fixed = {"Content-Type": content_type, "User-Agent": f"sanjeh/{__version__}"}
    if filename is not None:  # (RFC 6266 / 5987: a name may be Persian)
        fixed["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    given = {k: quote(v, safe=" -_.:/@") for k, v in (headers or {}).items()}
    request = urllib.request.Request(url, data=data, method="POST", headers={**fixed, **given})
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            answer.read(65_536)  # (some servers wait until the answer is read)
            status = int(answer.status)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"the webhook {where(url)} answered {exc.code}", exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            message = f"the webhook {where(url)} did not answer within {timeout:g} s"
        else:
            message = f"the webhook {where(url)} could not be reached: {reason}"
        raise DeliveryError(message) from None
    if not 200 <= status < 300:
        raise DeliveryError(f"the webhook {where(url)} answered {status}", status)
    return status
