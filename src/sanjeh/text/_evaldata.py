"""Readers for the public labelled sentiment sets used by ``python -m sanjeh.text.evaluate``.

Each set becomes (language, texts, labels) with labels ``positive`` / ``negative`` /
``neutral``. Nothing here is shipped data: the files live beside the project
(``../shared/data/sentiment``) and are read only when an evaluation is run.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

#: share of each set held out as "dev" (for looking at errors); the rest is "test"
DEV_SHARE = 3  # tenths


@dataclass(frozen=True)
class LabelledSet:
    name: str
    language: str
    texts: list[str]
    labels: list[str]  # positive / negative / neutral
    note: str = ""


def in_dev(text: str) -> bool:
    """A fixed, reproducible dev / test split by a hash of the text."""
    return int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16) % 10 < DEV_SHARE


def _polarity(value: float) -> str:
    return "positive" if value > 0 else "negative" if value < 0 else "neutral"


def _deepsentipers(path: Path) -> LabelledSet:
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 2 and row[1].strip().lstrip("-").isdigit():
                texts.append(row[0])
                labels.append(_polarity(int(row[1])))
    return LabelledSet("fa/deepsentipers_test", "fa", texts, labels, "labels -2..2: sign")


def _digikala_score(path: Path) -> LabelledSet:
    # The dataset author's own split: satisfaction > 70 positive, < 60 negative.
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            score = float(row["Score"])
            texts.append(row["Text"])
            labels.append("positive" if score > 70 else "negative" if score < 60 else "neutral")
    return LabelledSet(
        "fa/digikala (score)", "fa", texts, labels, ">70 positive, <60 negative, else neutral"
    )


def _digikala_flag(path: Path) -> LabelledSet:
    # Flag 1 = recommends. In the file, 3 marks the dissatisfied (mean score 45) and 2 the
    # undecided (mean score 65), whatever the data README says; see docs/evaluation.md.
    mapping = {"1": "positive", "3": "negative", "2": "neutral"}
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Suggestion"] in mapping:
                texts.append(row["Text"])
                labels.append(mapping[row["Suggestion"]])
    return LabelledSet(
        "fa/digikala (flag)", "fa", texts, labels, "1 positive, 3 negative, 2 neutral"
    )


def _ajgt(path: Path) -> LabelledSet:
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["Feed"].strip())
            labels.append(row["Sentiment"].strip().lower())
    return LabelledSet("ar/ajgt", "ar", texts, labels, "Positive / Negative")


def _astd(path: Path) -> LabelledSet:
    mapping = {"POS": "positive", "NEG": "negative", "NEUTRAL": "neutral", "OBJ": "neutral"}
    texts, labels = [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text, _, label = line.rstrip("\n").rpartition("\t")
            if label in mapping:
                texts.append(text)
                labels.append(mapping[label])
    return LabelledSet("ar/astd", "ar", texts, labels, "POS / NEG; NEUTRAL and OBJ as neutral")


READERS: dict[str, tuple[str, Callable[[Path], LabelledSet]]] = {
    "fa/deepsentipers_test": ("fa/deepsentipers_test.csv", _deepsentipers),
    "fa/digikala (score)": ("fa/digikala_comments.csv", _digikala_score),
    "fa/digikala (flag)": ("fa/digikala_comments.csv", _digikala_flag),
    "ar/ajgt": ("ar/ajgt.csv", _ajgt),
    "ar/astd": ("ar/astd_tweets.tsv", _astd),
}


def load_sets(folder: str | Path, split: str = "all") -> list[LabelledSet]:
    """Every set found under ``folder``; ``split`` is all, dev or test."""
    root = Path(folder)
    if not root.is_dir():
        raise ConfigError(f"{root} is not a folder; pass --data ../shared/data/sentiment")
    out: list[LabelledSet] = []
    for relative, reader in READERS.values():
        path = root / relative
        if not path.is_file():
            continue
        data = reader(path)
        if split != "all":
            keep = [in_dev(t) == (split == "dev") for t in data.texts]
            data = LabelledSet(
                data.name,
                data.language,
                [t for t, k in zip(data.texts, keep, strict=True) if k],
                [lab for lab, k in zip(data.labels, keep, strict=True) if k],
                data.note,
            )
        out.append(data)
    if not out:
        raise ConfigError(f"no labelled set found under {root}")
    return out
