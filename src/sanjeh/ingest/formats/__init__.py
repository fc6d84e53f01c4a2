"""Import formats. A new format is one module in this package that defines
``FORMATS = [...]`` (instances of :class:`Format`); it is found automatically.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

from ...errors import UnknownFormat
from .._readers import FileKind, text_kind
from ._base import Context, Format

__all__ = ["Context", "Format", "all_formats", "detect", "get_format"]


@cache
def all_formats() -> dict[str, Format]:
    found: dict[str, Format] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for fmt in getattr(module, "FORMATS", []):
            assert fmt.name not in found, f"two formats are called {fmt.name}"
            found[fmt.name] = fmt
    return found


def get_format(name: str, path: Path | str = "") -> Format:
    formats = all_formats()
    try:
        return formats[name]
    except KeyError:
        raise UnknownFormat(
            path or name, f"unknown format {name!r}; known formats: {', '.join(formats)}"
        ) from None


def detect(path: Path, kind: FileKind, columns: list[str]) -> Format:
    """The format that recognises the file best; a clear error when none does."""
    scored = [
        (fmt.score(path, kind, columns), fmt)
        for fmt in all_formats().values()
        if text_kind(kind) in fmt.kinds
    ]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        shown = ", ".join(columns[:12]) + (" …" if len(columns) > 12 else "")
        raise UnknownFormat(
            path,
            f"cannot tell what this {kind} file holds (columns: {shown or 'none'}); pass "
            f"--format with one of: {', '.join(all_formats())} (see `sanjeh formats`)",
        )
    return max(scored, key=lambda s: s[0])[1]
