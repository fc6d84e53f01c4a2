"""``POST /webhooks/{helpdesk}``: helpdesks post their events into the running server.

Zendesk, Freshdesk, Chatwoot and Intercom each call the route with their own payload;
``sanjeh.ingest.webhooks`` checks the signature (or shared secret) and maps the payload to
canonical records, which go through the intake (``app.state.intake``: validated like an
import, journaled, merged within a moment: a replay changes nothing). The signature is
the authentication, so these paths need no login and no CSRF token (``_auth``). A
helpdesk without ``[webhooks.<helpdesk>] secret`` in sanjeh.toml is not received (404).
Set-up per helpdesk and what is mapped: docs/live.md, "Webhooks from helpdesks".
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ..errors import SanjehError
from ..ingest.webhooks import HELPDESKS, receive
from ..settings import Settings, web_settings, webhook_secrets
from ._errors import NotFound
from ._intake_routes import MB, Rejected, read_body
from ._schema import ErrorResponse

Helpdesk = Literal["zendesk", "freshdesk", "chatwoot", "intercom"]


class Incomplete(SanjehError):
    code = "incomplete_body"
    status = 400


class WebhookReceipt(BaseModel):
    batch_id: str | None = Field(
        description="The intake batch the rows went into; null when the event holds "
        "nothing to store (Intercom's ping)."
    )
    accepted: int = Field(description="Rows accepted: in the store within a moment.")
    rejected: list[Rejected] = Field(
        description="Rows the model's rules refuse (kept in import_rejects too)."
    )


_HEADERS = (
    "Zendesk: `X-Zendesk-Webhook-Signature` and `-Timestamp` (HMAC-SHA256, base64). "
    "Intercom: `X-Hub-Signature: sha1=…`. Chatwoot: `X-Chatwoot-Signature: sha256=…` and "
    "`X-Chatwoot-Timestamp`, or `?token=` for a Chatwoot that does not sign. Freshdesk: "
    "Basic authentication (the secret as password or API key) or `X-Sanjeh-Webhook-Secret`."
)
_EVENTS = "; ".join(f"{name}: {', '.join(module.EVENTS)}" for name, module in HELPDESKS.items())
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "The body is not JSON, or not one of the events read "
        "(unsupported_event names them).",
    },
    401: {
        "model": ErrorResponse,
        "description": "No signature, a wrong one, or one signed more than 5 minutes "
        "from the server's clock (a replay).",
    },
    404: {
        "model": ErrorResponse,
        "description": "The helpdesk has no [webhooks.<helpdesk>] secret in sanjeh.toml.",
    },
    413: {"model": ErrorResponse, "description": "The body is over [web] max_intake_mb."},
    503: {
        "model": ErrorResponse,
        "description": "server_busy: the intake queue is full; retry after Retry-After.",
    },
}
_BODY = {
    "requestBody": {
        "required": True,
        "description": "The helpdesk's event as it sends it (read: " + _EVENTS + "). "
        "Signature headers: " + _HEADERS,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def register_webhooks(app: FastAPI, settings: Settings) -> None:
    """The route, with the secrets of sanjeh.toml (a bad ``[webhooks]`` table stops the
    server from starting, naming the key)."""
    app.state.webhook_secrets = webhook_secrets(settings)
    limit = web_settings(settings).max_intake_mb * MB

    @app.post(
        "/webhooks/{helpdesk}",
        tags=["webhooks"],
        summary="Receive a helpdesk's webhook",
        status_code=202,
        response_model=WebhookReceipt,
        responses=_ERRORS,
        openapi_extra=_BODY,
    )
    async def webhook(
        request: Request,
        helpdesk: Annotated[Helpdesk, PathParam(description="Which helpdesk sends it.")],
        token: Annotated[
            str | None,
            Query(max_length=200, description="Chatwoot without signing: the secret."),
        ] = None,
    ) -> Response:
        """One event from Zendesk, Freshdesk, Chatwoot or Intercom: its signature checked
        against `[webhooks.<helpdesk>] secret`, its rows validated like an import and
        queued for the store (the same event twice changes nothing). No login: the
        signature is the authentication."""
        secret = request.app.state.webhook_secrets.get(helpdesk)
        if secret is None:
            raise NotFound(
                f"webhook not configured: add [webhooks.{helpdesk}] secret to sanjeh.toml "
                "(docs/live.md, Webhooks from helpdesks)"
            )
        body = await read_body(
            request,
            limit,
            f"the webhook's body is over {limit // MB} MB ([web] max_intake_mb)",
            # (nobody reads the answer; the helpdesk retries)
            Incomplete("the sender left before the whole body arrived"),
        )
        query = {"token": token} if token is not None else {}
        records = receive(helpdesk, request.headers, body, secret, query=query)
        if not records:
            return JSONResponse({"batch_id": None, "accepted": 0, "rejected": []}, 202)
        submit = functools.partial(
            request.app.state.intake.submit,
            records,
            source=helpdesk,
            origin=f"webhook:{helpdesk}",
        )
        receipt = await anyio.to_thread.run_sync(submit)
        return JSONResponse(receipt.as_dict(), status_code=202)
