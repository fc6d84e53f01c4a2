"""``sanjeh insights …``: predictions, priority ranking, routing; ``sanjeh alerts …``."""

from __future__ import annotations

import typer

from . import _alerts, _insights_models, _insights_priority, _insights_routing

insights_app = typer.Typer(
    name="insights",
    help="Predictions (inferred CSAT, churn risk), priority ranking and routing.",
    no_args_is_help=True,
)


def insights_commands(app: typer.Typer) -> None:
    _insights_models.register(insights_app)
    _insights_priority.register(insights_app)
    _insights_routing.register(insights_app)
    app.add_typer(insights_app)
    _alerts.register(app)
