"""The insights pages and APIs (#17): predictions, priority queue, routing, alerts."""

from __future__ import annotations

from fastapi import FastAPI

from ...settings import Settings
from . import alerts, experiments, predictions, priority, routing, topics


def register(app: FastAPI, settings: Settings) -> None:
    predictions.register(app, settings)
    priority.register(app, settings)
    routing.register(app, settings)
    alerts.register(app, settings)
    topics.register(app, settings)
    experiments.register(app, settings)
