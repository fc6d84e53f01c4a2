"""The project's own labelled Persian sentences, and the recipe of the model trained on them.

The public Persian sentiment sets (DeepSentiPers, the Digikala comments) state no licence
that allows shipping a model derived from them, so the shipped Persian fallback model
(``models/sentiment-fa.json``) is trained only on sentences the project wrote:
``tests/text/corpus/sentiment-fa/*.jsonl``, one JSON object a line with ``text``,
``label`` (positive / negative / neutral), ``register`` and ``domain``. The public sets
stay held out: nothing from them goes into this folder.

    python -m sanjeh.text.evaluate build-model fa tests/text/corpus/sentiment-fa
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._corpus import CorpusError
from ._linear import LinearTextModel, fit_linear

LABELS = ("positive", "negative", "neutral")


@dataclass(frozen=True)
class Sentence:
    text: str
    label: str
    register: str
    domain: str
    source: str  # file:line


def load_sentences(folder: str | Path) -> list[Sentence]:
    """Every labelled sentence of every ``*.jsonl`` in ``folder``, validated."""
    root = Path(folder)
    files = sorted(root.glob("*.jsonl"))
    if not files:
        raise CorpusError(root, 0, "(file)", "no *.jsonl file of labelled sentences here")
    out: list[Sentence] = []
    seen: dict[str, str] = {}
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, 1):
                if raw.strip():
                    sentence = _parse(path, number, raw)
                    if sentence.text in seen:
                        where = seen[sentence.text]
                        raise CorpusError(path, number, "text", f"the same text is on {where}")
                    seen[sentence.text] = sentence.source
                    out.append(sentence)
    return out


def _parse(path: Path, number: int, raw: str) -> Sentence:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CorpusError(path, number, "(line)", f"not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise CorpusError(path, number, "(line)", "expected a JSON object")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(path, number, "text", "expected a non-empty string")
    label = obj.get("label")
    if label not in LABELS:
        raise CorpusError(path, number, "label", f"{label!r} is not one of {', '.join(LABELS)}")
    register, domain = str(obj.get("register", "")), str(obj.get("domain", ""))
    return Sentence(text, label, register, domain, f"{path.name}:{number}")


def persian_model(texts: Sequence[str], labels: Sequence[str]) -> LinearTextModel:
    """The shipped Persian fallback model's recipe: three classes over char n-grams."""
    return fit_linear(
        texts,
        labels,
        c=4.0,
        min_df=1,
        max_features=60_000,
        meta={"name": "sentiment", "trained_on": "tests/text/corpus/sentiment-fa (project)"},
    )
