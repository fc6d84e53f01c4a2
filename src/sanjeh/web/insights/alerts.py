"""(placeholder: filled in by its part of #17)"""

from __future__ import annotations

from fastapi import FastAPI

from ...settings import Settings


def register(app: FastAPI, settings: Settings) -> None:
    """Add this part's routes to ``app``."""
