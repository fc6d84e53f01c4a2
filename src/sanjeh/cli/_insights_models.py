"""``sanjeh insights train``: train the inferred-CSAT and churn-risk models, print their
model cards and write their predictions (docs/insights.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import ConfigError
from ._console import console, err_console, esc, progress_bar
from ._options import DbOption, JsonOption, open_store

if TYPE_CHECKING:
    from ..insights import ModelCard

_CHOICES = ("csat", "churn", "all")


def _print_card(card: ModelCard, written: int) -> None:
    what = (
        "inferred CSAT (P satisfied)"
        if card.model == "csat"
        else (f"churn risk within {card.horizon_days} days")
    )
    verdict = "beats" if card.beats_baseline else "does NOT beat"
    console.print(f"[bold]{esc(card.model_version)}[/]: {esc(what)}, {esc(card.algorithm)}")
    console.print(
        f"  train {card.train.rows:,} rows ({card.train.positives:,} positive) "
        f"{card.train.start:%Y-%m-%d} – {card.train.until:%Y-%m-%d}; "
        f"test {card.test.rows:,} ({card.test.positives:,}) "
        f"{card.test.start:%Y-%m-%d} – {card.test.until:%Y-%m-%d}",
        highlight=False,
    )
    console.print(
        f"  hold-out AUC {card.auc:.3f}, Brier {card.brier:.5f}; baseline "
        f"({esc(card.baseline_name)}) AUC {card.baseline_auc:.3f}, Brier "
        f"{card.baseline_brier:.5f}: the model {verdict} it",
        highlight=False,
    )
    top = ", ".join(f"{i['feature']} {float(i['drop_auc']):+.3f}" for i in card.importance[:5])
    console.print(f"  top features (AUC drop when shuffled): {esc(top)}", highlight=False)
    table = "ticket_predictions" if card.model == "csat" else "customer_predictions"
    console.print(f"  wrote {written:,} predictions to {table}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this part's commands to ``app``."""

    @app.command("train")
    def train(
        model: Annotated[str, typer.Option(help="Which model: csat, churn or all.")] = "all",
        horizon_days: Annotated[
            int, typer.Option(min=1, max=3660, help="Churn risk: days ahead it is about.")
        ] = 30,  # = insights._models.CHURN_HORIZON_DAYS (not imported: sklearn is slow to load)
        seed: Annotated[int, typer.Option(help="Random seed (same data, same model).")] = 0,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Train the models on a time-based hold-out, print their model cards (AUC and
        Brier score against the baseline, top features) and write the predictions:
        inferred CSAT for every solved ticket, churn risk for every current customer."""
        from ..insights import predict

        if model not in _CHOICES:
            raise ConfigError(f"--model must be one of {', '.join(_CHOICES)}, not {model!r}")
        names = ("csat", "churn") if model == "all" else (model,)
        cards, failed = [], []
        with open_store(db) as store:
            for name in names:
                try:
                    with progress_bar(f"training {name}, writing predictions") as update:
                        run = predict(
                            store, (name,), horizon_days=horizon_days, seed=seed, progress=update
                        )
                except ConfigError as exc:
                    if len(names) == 1:
                        raise
                    failed.append((name, str(exc)))
                    continue
                cards.append((run.cards[0], run.written[name]))
        if as_json:
            out = {
                "models": [{**c.as_dict(), "predictions": n} for c, n in cards],
                "failed": [{"model": m, "error": e} for m, e in failed],
            }
            console.print_json(json.dumps(out, ensure_ascii=False))
        else:
            for card, written in cards:
                _print_card(card, written)
            # with --model all, a model the data cannot train yet is skipped with its
            # reason (a 90-day store has too little history for churn); none trained: error
            colour = "yellow" if cards else "red"
            for name, error in failed:
                err_console.print(
                    f"[{colour}]{esc(name)} not trained: {esc(error)}[/]", highlight=False
                )
        if failed and not cards:
            raise typer.Exit(1)
