"""One JSON object in a POST body, checked against a pydantic model: the insights APIs'
bodies (``POST /api/route``, ``POST /api/experiments/<name>/assign``) fail alike."""

from __future__ import annotations

import json
from typing import TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from .._errors import InvalidParameter
from .._intake_routes import Unsupported

M = TypeVar("M", bound=BaseModel)


def parse_object(body: bytes, content_type: str, model: type[M], what: str) -> M:
    """``body`` as ``model``; ``what`` says what to send (in the errors' messages)."""
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if kind not in ("", "application/json") and not kind.endswith("+json"):
        raise Unsupported(f"the body is {kind}: send application/json ({what})")
    try:
        parsed = json.loads(body.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError:
        raise InvalidParameter("body", "not UTF-8 text") from None
    except RecursionError:
        raise InvalidParameter("body", "nested too deeply to read") from None
    except ValueError as exc:
        raise InvalidParameter("body", f"not valid JSON ({exc})") from None
    if not isinstance(parsed, dict):
        raise InvalidParameter("body", f"a JSON {type(parsed).__name__}: send {what}")
    try:
        return model.model_validate(parsed)
    except PydanticValidationError as exc:
        errors = [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]
        raise RequestValidationError(errors) from None
