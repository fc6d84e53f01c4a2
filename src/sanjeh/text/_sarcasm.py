"""Sarcasm cues in customer messages: praise or thanks said about an unresolved complaint.

"Thanks a lot for making me wait 3 days, great service" is praise to a polarity lexicon.
The phrases live in ``lexicons/<language>/sarcasm.tsv`` (one category, told apart by tag);
the rules, for one message:

1. a phrase sarcastic on its own ("thanks for nothing", «شكراً على لا شيء») is a cue;
2. praise ("great", «عالیه», «ممتاز») with a complaint context near it (``NEAR`` tokens, in a
   message of at most ``SHORT`` words) -- a negative event ("not
   delivered", «خراب», «ما وصل»), a waiting time ("3 days", «سه روزه», «من يومين») or an
   ironic marker (🙄, "just great", scare quotes) -- and no "but" between them;
3. courtesy thanks («ممنون», «شكراً») the same, but only when it thanks for the complaint
   itself (later in the same clause), comes with an ironic marker, or the message asks for
   nothing: "Thanks for replying, but it still hasn't arrived, can you check?" is polite.

A resolution ("it arrived today", «حل شد», «وصل الطلب») ends the complaint: waiting times
are then how long the fix took, and only complaints after it count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ._corpus import LANGUAGES, SPLITS, split_of
from ._lexicon import Hit
from ._rules import negated
from ._types import Doc, Evidence

CATEGORY = "sarcasm"
#: a token span (first, last) and the evidence tag of a complaint context
Span = tuple[int, int, str]

_CLAUSE_BREAK_RE = re.compile("[.!?;,\n\r\u2026\u060c\u061b\u061f]")
# short quoted words: the "express" shipping, «ارسال فوری», "التوصيل السريع"
_SCARE_QUOTE_RE = re.compile('"[^"\\n]{2,40}"|\u201c[^\u201d\\n]{2,40}\u201d|«[^»\\n]{2,40}»')
_HYPHEN_RE = re.compile(r"^\s*-\s*$")
# Irony is a quip: praise right beside the complaint in a short message. A long review that
# praises one part and complains about another is mixed, not sarcastic.
NEAR = 10  # tokens between the praise and its complaint context, at most
SHORT = 40  # word tokens in a message, at most, for praise-with-complaint to count


def _by_tag(doc: Doc) -> dict[str, list[Hit]]:
    tags: dict[str, list[Hit]] = {}
    for hit in doc.hits_of(CATEGORY):
        tags.setdefault(hit.entry.tag, []).append(hit)
    return tags


def _between(doc: Doc, left: int, right: int) -> str:
    """The matching key between token ``left`` and the later token ``right``."""
    return doc.key[doc.spans[left][1] : doc.spans[right][0]]


def _waits(doc: Doc, tags: dict[str, list[Hit]]) -> list[Span]:
    """Waiting times: a number («سه», "3") or "since" word before a unit, or a duration."""
    counts = {h.last for h in tags.get("number", [])}
    counts.update(i for i, t in enumerate(doc.tokens) if t.isdigit())
    since = {h.last for h in tags.get("since", [])}
    after_since = {h.first for h in tags.get("since", [])}
    quick_before = {h.last for h in tags.get("quick", [])}
    quick_after = {h.first for h in tags.get("quick", [])}
    spans: list[Span] = []
    for unit in tags.get("unit", []):
        before = unit.first - 1
        if before in counts or before in since:
            first = before
            if before in counts and _HYPHEN_RE.match(_between(doc, before, unit.first)):
                continue  # "24-hour delivery" describes a service, not a wait
        elif unit.last + 1 in after_since:  # «أسبوع كامل»
            first = unit.first
        else:
            continue
        # "fixed in 20 minutes", "a day early", «ظرف دو روز», «خلال يومين»: speed, not delay
        if first - 1 in quick_before or unit.last + 1 in quick_after:
            continue
        spans.append((first, unit.last, "wait"))
    for hit in tags.get("duration", []):
        if hit.first - 1 not in quick_before and hit.last + 1 not in quick_after:
            spans.append((hit.first, hit.last, "wait"))
    return spans


def _token_range(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """First and last token inside the key span ``start:end``."""
    inside = [i for i, (s, e) in enumerate(doc.spans) if s >= start and e <= end]
    return (inside[0], inside[-1]) if inside else None


def _scare_quotes(doc: Doc) -> list[Span]:
    spans: list[Span] = []
    for m in _SCARE_QUOTE_RE.finditer(doc.key):
        found = _token_range(doc, m.start(), m.end())
        if found is not None and found[1] - found[0] < 4:
            spans.append((found[0], found[1], "irony"))
    return spans


def _complaint_context(doc: Doc, tags: dict[str, list[Hit]]) -> tuple[list[Span], bool]:
    """The unresolved complaint contexts, and whether any sharpening marker is present."""
    # "it never switches off", «خراب نمیکنه»: a negated complaint is praise
    events: list[Span] = [
        (h.first, h.last, "complaint") for h in tags.get("complaint", []) if not negated(doc, h)
    ]
    resolved_at = -1
    for hit in tags.get("resolved", []):
        if negated(doc, hit):  # "not fixed", «حل نشد» is a complaint
            events.append((hit.first, hit.last, "complaint"))
        else:
            resolved_at = max(resolved_at, hit.last)
    irony = [(h.first, h.last, "irony") for h in tags.get("irony", [])] + _scare_quotes(doc)
    context = events + irony
    if resolved_at >= 0:
        context = [c for c in context if c[0] > resolved_at]
    marked = bool(irony or tags.get("marker"))
    if resolved_at < 0 and (events or marked):
        # a duration alone is how long they have owned it («سه ماهه که خریدمش»); it is a
        # wait only beside a complaint ("still waiting", «هنوز») or an ironic marker
        context += _waits(doc, tags)
    return context, marked


def _contrast_between(doc: Doc, a: Span, b: Span) -> bool:
    left, right = (a, b) if a[0] < b[0] else (b, a)
    return any(left[1] < c.first < right[0] for c in doc.hits_of("contrast"))


def _near(a: Span, b: Span) -> bool:
    return b[0] - a[1] <= NEAR if a[0] < b[0] else a[0] - b[1] <= NEAR


def _thanks_for(doc: Doc, thanks: Hit, context: Span) -> bool:
    """The complaint follows the thanks in the same clause: "thanks for the 2 hour hold"."""
    if context[0] <= thanks.last:
        return False
    return _CLAUSE_BREAK_RE.search(_between(doc, thanks.last, context[0])) is None


def _evidence(doc: Doc, first: int, last: int, tag: str) -> Evidence:
    start, end = doc.original_span(first, last)
    return Evidence(start, end, doc.text[start:end], tag)


def sarcasm_cues(doc: Doc) -> list[Evidence]:
    """Evidence that a customer message (fa / ar / en) is sarcastic, or [] if none.

    Tags: ``sarcasm`` (a phrase sarcastic on its own), ``praise`` / ``thanks`` (the words
    meant ironically) and ``complaint`` / ``wait`` / ``irony`` (the context that makes
    them ironic). Offsets point into ``doc.text``.
    """
    tags = _by_tag(doc)
    found: dict[tuple[int, int], Evidence] = {}
    for hit in tags.get("self", []):
        found[(hit.first, hit.last)] = _evidence(doc, hit.first, hit.last, "sarcasm")
    praise = [h for h in tags.get("praise", []) + tags.get("thanks", []) if not negated(doc, h)]
    if praise and sum(1 for t in doc.tokens if t.isalnum()) <= SHORT:
        context, marked = _complaint_context(doc, tags)
        asks = doc.is_question or bool(tags.get("request"))
        for hit in praise:
            mine = (hit.first, hit.last, hit.entry.tag)
            linked = [c for c in context if not _contrast_between(doc, mine, c) and _near(mine, c)]
            # plain thanks in a message that asks for something is courtesy, unless it
            # thanks for the complaint itself
            if hit.entry.tag == "thanks" and asks and not marked:
                linked = [c for c in linked if _thanks_for(doc, hit, c)]
            if linked:
                found[(hit.first, hit.last)] = _evidence(doc, hit.first, hit.last, hit.entry.tag)
                for first, last, tag in linked:
                    found.setdefault((first, last), _evidence(doc, first, last, tag))
    return [found[k] for k in sorted(found)]


# -- the labelled set ------------------------------------------------------------------


@dataclass(frozen=True)
class SarcasmExample:
    id: str
    language: str
    text: str
    sarcastic: bool
    note: str = ""

    @property
    def split(self) -> str:
        return split_of(self.id)


def load_sarcasm_set(path: str | Path) -> list[SarcasmExample]:
    """Every line of ``sarcasm.jsonl``, validated (unique ids, known languages)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"sarcasm set {path} not found")
    examples: list[SarcasmExample] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
                example = SarcasmExample(
                    obj["id"], obj["language"], obj["text"], obj["sarcastic"], obj.get("note", "")
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ConfigError(f"{path}, line {number}: not a sarcasm example ({exc})") from None
            if example.language not in LANGUAGES or not isinstance(example.sarcastic, bool):
                raise ConfigError(f"{path}, line {number}: bad language or sarcastic field")
            if example.id in seen:
                raise ConfigError(f"{path}, line {number}: id {example.id!r} used twice")
            seen.add(example.id)
            examples.append(example)
    return examples


def predict_sarcasm(examples: Iterable[SarcasmExample]) -> list[tuple[SarcasmExample, bool]]:
    """Each example with whether ``sarcasm_cues`` fires on it (as a customer message)."""
    from ._api import prepare  # here: _api imports the analyzers, which may import us

    items = list(examples)
    docs = prepare([e.text for e in items], language=[e.language for e in items], role="customer")
    return [(e, bool(sarcasm_cues(d))) for e, d in zip(items, docs, strict=True)]


def evaluate_sarcasm(path: str | Path, split: str = "test") -> dict[str, dict[str, float]]:
    """Per language (and ``all``): n, sarcastic, caught, false_positives, recall, precision
    of ``sarcasm_cues`` on one split (``dev`` / ``test`` / ``all``) of the labelled set."""
    if split not in (*SPLITS, "all"):
        raise ConfigError(f"split {split!r} is not one of dev, test, all")
    examples = [e for e in load_sarcasm_set(path) if split in ("all", e.split)]
    results = predict_sarcasm(examples)
    out: dict[str, dict[str, float]] = {}
    for language in (*LANGUAGES, "all"):
        rows = [(e, p) for e, p in results if language in ("all", e.language)]
        positives = sum(e.sarcastic for e, _ in rows)
        caught = sum(e.sarcastic and p for e, p in rows)
        fired = sum(p for _, p in rows)
        out[language] = {
            "n": len(rows),
            "sarcastic": positives,
            "caught": caught,
            "false_positives": fired - caught,
            "recall": round(caught / positives, 4) if positives else 0.0,
            "precision": round(caught / fired, 4) if fired else 0.0,
        }
    return out
