"""The labelled corpus of agent replies used to measure the behaviour signals.

One JSON object a line (``tests/text/corpus/replies.jsonl``); the labelling guide is in
docs/text.md. ``load_corpus`` validates every line and names the file, line and field of
the first bad one; ``split`` is a fixed hash of the id, so a reply never moves between
dev (for looking at errors and tuning rules) and test (for the reported figures).

The real agent tweets of the Twitter support sample (CC BY-NC-SA 4.0, not the project's
licence) are not shipped: ``twcs_labels.jsonl`` beside the corpus holds only our labels and
the tweet id, and ``load_corpus(path, twcs=csv)`` joins them with the text of the user's
own copy of ``twcs_sample.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

#: the ten behaviour labels every reply carries, in report order
SIGNALS = (
    "greeting",
    "apology",
    "empathy",
    "ownership",
    "negative_framing",
    "positive_framing",
    "personalisation",
    "closing",
    "next_steps",
    "rudeness",
)
LANGUAGES = ("fa", "ar", "en")
REGISTERS = ("formal", "colloquial")
SPLITS = ("dev", "test")
#: share of ids (in percent) that fall in dev
DEV_PERCENT = 30
#: the labels-only file of the Twitter sample's agent replies, beside the corpus
TWCS_LABELS = "twcs_labels.jsonl"


class CorpusError(ConfigError):
    """A corpus line that cannot be used; ``path``, ``line`` and ``field`` say where."""

    code = "corpus_error"

    def __init__(self, path: object, line: int, field: str, message: str) -> None:
        super().__init__(f"{path}, line {line}, field {field!r}: {message}")
        self.path, self.line, self.field = str(path), line, field


@dataclass(frozen=True)
class Reply:
    id: str
    language: str
    text: str
    customer_name: str | None
    source: str
    register: str
    labels: dict[str, bool]

    @property
    def split(self) -> str:
        return split_of(self.id)


def split_of(reply_id: str) -> str:
    """``dev`` for about 30 % of ids, ``test`` for the rest, fixed by sha256 of the id."""
    digest = int(hashlib.sha256(reply_id.encode("utf-8")).hexdigest(), 16)
    return "dev" if digest % 100 < DEV_PERCENT else "test"


def split(replies: Iterable[Reply], which: str) -> list[Reply]:
    """The replies of one split (``dev`` / ``test``), or all of them for ``all``."""
    if which not in (*SPLITS, "all"):
        raise ConfigError(f"split {which!r} is not one of dev, test, all")
    return [r for r in replies if which in ("all", r.split)]


def _text_field(obj: dict[str, Any], name: str, bad: Any, *, optional: bool = False) -> Any:
    value = obj.get(name)
    if value is None and optional and name in obj:
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad(name, "expected a non-empty string" + (" or null" if optional else ""))
    return value


def _common(obj: Any, bad: Any) -> tuple[str, str, str, str | None, dict[str, bool]]:
    """id, language, register, customer_name and labels: the fields both files share."""
    if not isinstance(obj, dict):
        raise bad("(line)", "expected a JSON object")
    reply_id = _text_field(obj, "id", bad)
    language = _text_field(obj, "language", bad)
    if language not in LANGUAGES:
        raise bad("language", f"{language!r} is not one of {', '.join(LANGUAGES)}")
    register = _text_field(obj, "register", bad)
    if register not in REGISTERS:
        raise bad("register", f"{register!r} is not one of {', '.join(REGISTERS)}")
    labels = obj.get("labels")
    if not isinstance(labels, dict):
        raise bad("labels", "expected an object of the ten signals")
    for name in SIGNALS:
        if not isinstance(labels.get(name), bool):
            raise bad(f"labels.{name}", "expected true or false")
    extra = sorted(set(labels) - set(SIGNALS))
    if extra:
        raise bad(f"labels.{extra[0]}", f"unknown signal; the signals are {', '.join(SIGNALS)}")
    name = _text_field(obj, "customer_name", bad, optional=True)
    return reply_id, language, register, name, {s: labels[s] for s in SIGNALS}


def _parse(obj: Any, bad: Any) -> Reply:
    reply_id, language, register, name, labels = _common(obj, bad)
    return Reply(
        id=reply_id,
        language=language,
        text=_text_field(obj, "text", bad),
        customer_name=name,
        source=_text_field(obj, "source", bad),
        register=register,
        labels=labels,
    )


def _parse_twcs(obj: Any, bad: Any, tweets: dict[str, str], csv_path: Path) -> Reply:
    reply_id, language, register, name, labels = _common(obj, bad)
    if "text" in obj:
        raise bad("text", "a twcs label line carries no text (it is read from the CSV)")
    tweet_id = obj.get("tweet_id")
    if not isinstance(tweet_id, int) or isinstance(tweet_id, bool):
        raise bad("tweet_id", "expected the tweet's integer id")
    if str(tweet_id) not in tweets:
        raise bad("tweet_id", f"tweet {tweet_id} is not an agent reply in {csv_path}")
    return Reply(reply_id, language, tweets[str(tweet_id)], name, "twcs", register, labels)


def _agent_tweets(csv_path: Path) -> dict[str, str]:
    """tweet_id -> text of every agent reply (``inbound`` False), HTML entities unescaped."""
    if not csv_path.is_file():
        raise ConfigError(f"twcs file {csv_path} not found; give --twcs PATH or leave it out")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"tweet_id", "inbound", "text"} - set(reader.fieldnames or ())
        if missing:
            raise ConfigError(f"twcs file {csv_path} has no column {sorted(missing)[0]!r}")
        return {
            row["tweet_id"]: html.unescape(row["text"])
            for row in reader
            if row["inbound"] == "False"
        }


def _read_lines(path: Path, parse: Any, seen: dict[str, tuple[Path, int]]) -> list[Reply]:
    """Parse every non-blank line with ``parse(obj, bad)``; ids unique across files."""
    replies: list[Reply] = []
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue

            def bad(field: str, message: str, number: int = number) -> CorpusError:
                return CorpusError(path, number, field, message)

            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise bad("(line)", f"not valid JSON ({exc.msg})") from None
            reply = parse(obj, bad)
            if reply.id in seen:
                where, line = seen[reply.id]
                on = f"line {line}" if where == path else f"{where}, line {line}"
                raise bad("id", f"{reply.id!r} already used on {on}")
            seen[reply.id] = (path, number)
            replies.append(reply)
    return replies


def load_corpus(
    path: str | Path, twcs: str | Path | None = None, twcs_labels: str | Path | None = None
) -> list[Reply]:
    """Every reply of a corpus file, validated; ids must be unique.

    With ``twcs`` (the path of ``twcs_sample.csv``), the labelled agent tweets of
    ``twcs_labels`` (default: ``twcs_labels.jsonl`` beside the corpus) are added, their
    text read from that CSV; a tweet id the CSV lacks names the labels file, line and field.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"corpus file {path} not found; give --corpus PATH")
    seen: dict[str, tuple[Path, int]] = {}
    replies = _read_lines(path, _parse, seen)
    if not replies:
        raise ConfigError(f"corpus file {path} has no replies")
    if twcs is not None:
        csv_path = Path(twcs)
        labels_path = Path(twcs_labels) if twcs_labels else path.with_name(TWCS_LABELS)
        if not labels_path.is_file():
            raise ConfigError(f"twcs labels file {labels_path} not found")
        tweets = _agent_tweets(csv_path)

        def parse(obj: Any, bad: Any) -> Reply:
            return _parse_twcs(obj, bad, tweets, csv_path)

        replies += _read_lines(labels_path, parse, seen)
    return replies
