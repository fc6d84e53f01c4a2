"""Rudeness: insults, blame, condescension and dismissal addressed to the customer.

The phrases are in ``lexicons/<language>/rude.tsv``; a few of them depend on context,
which the lexicon marks with a tag:

* ``addressed`` -- an insulting word ("unreasonable", «غبي», «بی‌دقت») counts only when it
  is said of the customer: right after "you're" / "are you" / "stop being", «انت» / «يا»,
  «شما» / «تو» (a few adverbs may sit between), or, in Persian, conjugated in the second
  person («بی‌دقتید»). "A stupid bug on our side" is not rude.
* ``blame`` -- dropped when negated: "it's not your fault", «تقصیر شما نیست», «مش غلطك».
* ``imperative`` -- counts only as an order, at the start of a clause: "Calm down." and
  "Just deal with it" are rude, "we'll deal with it today" is not.
* ``alone`` -- counts only as a clause of its own: "Enough." / "Whatever." (not "whatever
  you need").

A phrase written with ``...`` also matches with up to three words in place of each ``...``
in the same clause: "told you ... times" finds "I've told you three times", «مشکل ...
خودتونه» finds «مشکل شخصی خودتونه». No phrase counts across a sentence end.

A phrase of weight 0 is a guard: being longer, it keeps the rude phrase inside it from
matching ("I told you I'd call back" hides "I told you") and is not rude itself. A phrase
other than an insult (weight >= 1.5) is also dropped after a conditional: "if you don't
understand a charge, call us" / «اگه متوجه نمیشید زنگ بزنید» offer help (English: only
phrases that start with "you"; Arabic «لو», "had you", is blame). Negation does not
apply otherwise: "not my problem" is rude with its "not".

One rule has no phrase: Persian «اینقدر» ("so much") before a second-person verb scolds
(«اینقدر اصرار نکنید», «چرا اینقدر سخت می‌گیرید») unless it comforts («اینقدر نگران
نباشید»); see ``fa_exasperation``.

Where no rule fires, a small trained model per language decides (``models/rude-<lang>.json``,
TF-IDF over character n-grams and words + logistic regression, see ``_linear``): rudeness
is open-ended ("have you tried using your eyes?", «عقل هم چیز خوبیه») and hand-written
rules caught few of the rude sentences they were not written against. The model counts only
at a high p(rude) (``MODEL_THRESHOLDS``, chosen on the dev split of the reply corpus for
precision: a rude hit costs the agent 25 quality points), and its evidence is the words
that pushed it most, tagged ``model``. It is trained on ``tests/text/corpus/rude-train``
(rude replies and hard negatives written by the project) by ``build_rude_models``.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain
from pathlib import Path

from ..errors import ConfigError
from ._lexicon import Entry, Hit, load_language, matcher_for, phrase_tokens
from ._linear import MAX_N, MIN_N, LinearTextModel, fit_linear, load_linear
from ._normalize import fold
from ._rules import PhraseAnalyzer, intensity, rules_version, saturate
from ._types import Doc, Evidence, Signal

RUDE_RULES_VERSION = "2"  # 2: the trained model where no rule fires

# what ends a clause in the folded key (fold turns ، ؛ ؟ into , ; ?)
_CLAUSE_BREAK_RE = re.compile("[.!?;,:\n\r\u2026]")
_SENTENCE_END_RE = re.compile("[.!?;\n\r\u2026]")
GAP_MARK = "..."  # in a lexicon phrase: up to MAX_GAP words of any kind
MAX_GAP = 3
INSULT_WEIGHT = 1.5  # insults are rude even in a conditional ("if you weren't so stupid")
NEGATION_BEFORE = 3  # tokens a negator may sit before an addressee ("don't think you're")
# … and before a blame phrase: "wasn't really your fault", «ليس خطأك»; further away it
# negates something else («لا تحملنا أخطاءك», "don't blame us for your mistakes")
BLAME_NEGATION_BEFORE = {"en": 2, "fa": 1, "ar": 1}
MAX_FILLERS = 3  # adverbs between an addressee and an insulting word ("you're being so")


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w)[0] for w in text.split())


def _sequences(text: str) -> tuple[tuple[str, ...], ...]:
    """'you re|are you' -> (('you', 're'), ('are', 'you')), folded like messages."""
    return tuple(tuple(fold(w)[0] for w in part.split()) for part in text.split("|"))


# Who an insulting word is said of: token sequences that end right before it (or before
# the adverbs of FILLERS). English "you" alone is not enough ("can I book you a child
# ticket"): it must be a copula or a verb of seeming.
ADDRESSEES: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": _sequences(
        "you re|you are|are you|you were|were you|you ve been|you have been|you sound|"
        "you seem|you look|you act|you re acting|you are acting|you get|you re getting|"
        "you being|stop being|don t be|dont be|youre|ur|your complaint is|your question is|"
        "your request is|your claim is|your demand is|your message is|your attitude is|"
        "this question is|that question is"
    ),
    "ar": _sequences("انت|أنت|إنت|انتي|انتو|انتم|يا|انك|إنك|أنك|لأنك|شكلك|حضرتك"),
    "fa": _sequences("شما|تو|خودتون|خودت|خودتان|جنابعالی"),
}
FILLERS: dict[str, frozenset[str]] = {
    "en": _words(
        "being so really very just too a an bit little quite clearly obviously seriously "
        "totally extremely such completely simply kind of pretty incredibly absolutely "
        "honestly real utterly plain always acting behaving getting rather now this that"
    ),
    "ar": _words(
        "فعلا فعلاً بجد جد جدا جداً حقا حقاً واحد كتير كثير مرة مره شوي شوية اكيد أكيد "
        "بصراحة بس اصلا أصلاً ابدا أبداً دايما دائما كالعادة"
    ),
    "fa": _words("خیلی واقعا واقعاً دیگه هم چقدر یه یک آدم کمی یکم یکمی"),
}
# «… نیست»: "is not" (third person) after a Persian blame phrase negates it
_FA_IS_NOT = _words("نیست نیستش نبود نبوده نمی‌باشد")
# Persian second-person endings that make a word addressed by themselves: «بی‌دقتید»
_FA_SECOND_PERSON = ("ید", "اید", "ین", "این")
# Words that make what follows a supposition: "if you don't get it by Friday…",
# «إذا انت غلطت بالعنوان عدّله». Not Arabic «لو»: «لو قريت» (had you read) is blame.
CONDITIONALS: dict[str, frozenset[str]] = {
    "en": _words("if unless whether case"),
    "fa": _words("اگه اگر چنانچه درصورتیکه"),
    "ar": _words("إذا اذا"),
}
# Words that may precede an order and keep it an order: "Just calm down", "So deal with it"
_IMPERATIVE_LEADS = _words("just so please now ok okay oh well look listen yeah sir madam")


def _same_clause(doc: Doc, left: int, right: int) -> bool:
    """No clause break in the text between token ``left`` and the later token ``right``."""
    return _CLAUSE_BREAK_RE.search(doc.key, doc.spans[left][1], doc.spans[right][0]) is None


def _negators(doc: Doc, language: str) -> list[Hit]:
    return [h for h in doc.hits_of("negator") if h.entry.language == language]


def _negated_before(doc: Doc, first: int, language: str, window: int) -> bool:
    """A negator ending within ``window`` tokens before token ``first``, same clause."""
    for neg in _negators(doc, language):
        if 0 < first - neg.last <= window and _same_clause(doc, neg.last, first):
            return True
    return False


def _denied(doc: Doc, hit: Hit) -> bool:
    """Blame that is negated: "not your fault" / «مش غلطك» / «تقصیر شما نیست». A negator
    further away negates something else («الشركة مش مسؤولة عن إهمالك»), and so does a
    Persian negative verb of another person («ما مسئول بی‌دقتی شما نیستیم»)."""
    language = hit.entry.language
    if _negated_before(doc, hit.first, language, BLAME_NEGATION_BEFORE.get(language, 1)):
        return True
    after = hit.last + 1
    return language == "fa" and after < len(doc.tokens) and doc.tokens[after] in _FA_IS_NOT


def _addressee_start(doc: Doc, hit: Hit) -> int | None:
    """Index of the first token of the addressee the hit is said of, or None."""
    language = hit.entry.language
    tokens = doc.tokens
    fillers = FILLERS.get(language, frozenset())
    end = hit.first  # the addressee ends right before ``end``
    for _ in range(MAX_FILLERS + 1):
        for sequence in ADDRESSEES.get(language, ()):
            start = end - len(sequence)
            matched = start >= 0 and tuple(tokens[start:end]) == sequence
            if matched and _same_clause(doc, start, hit.first):
                return start
        if end == 0 or tokens[end - 1] not in fillers:
            break
        end -= 1
    if language == "fa":  # «بی‌دقتید»: the word itself is in the second person
        word, entry_word = tokens[hit.last], hit.entry.tokens[-1]
        if word != entry_word and word[len(entry_word) :] in _FA_SECOND_PERSON:
            return hit.first
    return None


def _is_order(doc: Doc, hit: Hit) -> bool:
    """The phrase starts a clause (or follows "just" / "so" …): "Calm down.", not "we'll
    calm down"."""
    before = hit.first - 1
    if before < 0 or not _same_clause(doc, before, hit.first):
        return True
    return doc.tokens[before] in _IMPERATIVE_LEADS and (
        before == 0 or not _same_clause(doc, before - 1, before)
    )


def _supposed(doc: Doc, hit: Hit) -> bool:
    """A conditional word within two tokens before the phrase, same clause. English only
    guards phrases that start with "you" ("if you don't get it by Friday"): "if you can't
    manage a simple form, …" stays condescending."""
    language = hit.entry.language
    if hit.entry.weight >= INSULT_WEIGHT or (language == "en" and hit.entry.tokens[0] != "you"):
        return False
    conditionals = CONDITIONALS.get(language, frozenset())
    for k in range(max(0, hit.first - 2), hit.first):
        if doc.tokens[k] in conditionals and _same_clause(doc, k, hit.first):
            return True
    return False


# -- Persian exasperation: «اینقدر» ("so much") before a second-person verb ----------------
# «اینقدر اصرار نکنید» / «انقدر پیام ندید» (stop doing it so much) and «چرا اینقدر سخت
# می‌گیرید» (why are you so …) scold the customer; «اینقدر نگران نباشید» / «ناراحت نشید»
# comfort them, and «چرا اینقدر طول کشید» is about us (a third-person past verb).
_FA_SO_MUCH = _words("اینقدر انقدر این‌قدر اینهمه")
_FA_WHY = _words("چرا")
_FA_BE = _words("نباشید نباشین نشید نشین نشوید")
# «اینقدر نگران نباشید» comforts; «اینقدر پررو نباشید» scolds
_FA_COMFORT_WORDS = _words("نگران نگرون ناراحت دلخور دلگیر ناامید مضطرب شرمنده معذب")
_FA_COMFORT_OBJECTS = _words("خودتون خودتونو خودتان سخت")
_FA_GAP = 3  # words between «اینقدر» and its verb


def _fa_second_person_verb(word: str, before: str, *, negative: bool) -> bool:
    if not word.endswith(("ید", "ین")) or len(word) < 4:
        return False
    if negative:  # a negative imperative: «نکنید», «ندید»; not «نمی‌…» (a statement)
        comfort = word in _FA_BE and before in _FA_COMFORT_WORDS
        return word.startswith("ن") and not word.startswith("نمی") and not comfort
    return word.startswith(("می", "نمی")) or word in ("دارید", "دارین", "هستید", "هستین")


def fa_exasperation(doc: Doc) -> list[tuple[int, int]]:
    """Spans (first, last token) of «اینقدر … نکنید» and «چرا اینقدر … می‌کنید»."""
    spans: list[tuple[int, int]] = []
    tokens = doc.tokens
    for i, word in enumerate(tokens):
        if word not in _FA_SO_MUCH:
            continue
        why = i > 0 and tokens[i - 1] in _FA_WHY
        for k in range(i + 1, min(len(tokens), i + 2 + _FA_GAP)):
            if not _same_clause(doc, i, k) or tokens[k - 1] in _FA_COMFORT_OBJECTS:
                break
            if _fa_second_person_verb(tokens[k], tokens[k - 1], negative=not why):
                if not any(tokens[j] in _FA_COMFORT_OBJECTS for j in range(i + 1, k)):
                    spans.append((i - 1 if why else i, k))
                break
    return spans


# -- phrases with gaps -------------------------------------------------------------------
Group = tuple[tuple[str, ...], tuple[bool, ...]]  # the tokens of one part, and prefix flags


@lru_cache(maxsize=8)
def gap_entries(language: str) -> tuple[tuple[Entry, tuple[Group, ...]], ...]:
    """The rude phrases of ``language`` written with ``...``, split into their parts."""
    out = []
    for entry in load_language(language):
        if entry.category == "rude" and GAP_MARK in entry.phrase:
            parts = tuple(phrase_tokens(part) for part in entry.phrase.split(GAP_MARK))
            out.append((entry, tuple(part for part in parts if part[0])))
    return tuple(out)


def _group_at(group: Group, forms: Sequence[tuple[str, ...]], i: int) -> bool:
    tokens, prefix = group
    if i + len(tokens) > len(forms):
        return False
    for k, want in enumerate(tokens):
        have = forms[i + k]
        if not (have[0].startswith(want) if prefix[k] else want in have):
            return False
    return True


def gap_hits(doc: Doc) -> list[Hit]:
    """Occurrences of the ``...`` phrases of the doc's language, parts in one clause."""
    entries = gap_entries(doc.language) if doc.language in ("fa", "ar", "en") else ()
    if not entries or not doc.tokens:
        return []
    matcher = matcher_for(doc.language)
    forms = [matcher.forms(t) for t in doc.tokens]
    hits: list[Hit] = []
    for entry, groups in entries:
        for i in range(len(forms)):
            if not _group_at(groups[0], forms, i):
                continue
            end = i + len(groups[0][0])  # one past the last token matched so far
            for group in groups[1:]:
                for j in range(end, end + MAX_GAP + 1):
                    if j >= len(forms) or not _same_clause(doc, end - 1, j):
                        end = -1
                        break
                    if _group_at(group, forms, j):
                        end = j + len(group[0])
                        break
                else:
                    end = -1
                if end < 0:
                    break
            if end > 0:
                hits.append(Hit(entry, i, end - 1))
    return hits


def rude_hits(doc: Doc) -> list[Hit]:
    """The lexicon's rude phrases in the doc, the ``...`` ones with their gaps; of two
    overlapping phrases the longer (then the earlier) is kept, so «مشکل از خودتونه» is one
    hit, not two."""
    plain = [h for h in doc.hits_of("rude") if GAP_MARK not in h.entry.phrase]
    candidates = sorted(plain + gap_hits(doc), key=lambda h: (h.first - h.last, h.first))
    kept: list[Hit] = []
    taken: set[int] = set()
    for hit in candidates:
        span = range(hit.first, hit.last + 1)
        if taken.isdisjoint(span):
            taken.update(span)
            kept.append(hit)
    return sorted(kept, key=lambda h: h.first)


def _alone(doc: Doc, hit: Hit) -> bool:
    """The phrase is a clause by itself: "Whatever." but not "whatever you need"."""
    before, after = hit.first - 1, hit.last + 1
    return (before < 0 or not _same_clause(doc, before, hit.first)) and (
        after >= len(doc.tokens) or not _same_clause(doc, hit.last, after)
    )


def _across_sentences(doc: Doc, hit: Hit) -> bool:
    start, end = doc.spans[hit.first][0], doc.spans[hit.last][1]
    return _SENTENCE_END_RE.search(doc.key, start, end) is not None


def _not_denied(doc: Doc, hit: Hit) -> bool:
    return not _denied(doc, hit)


# tag -> what the context must satisfy for the phrase to count
_CONTEXT_CHECKS = {"blame": _not_denied, "imperative": _is_order, "alone": _alone}


def rude_evidence(doc: Doc, hit: Hit) -> Evidence | None:
    """The evidence of a rude hit, or None when its context makes it not rude."""
    tag = hit.entry.tag
    first = hit.first
    if hit.entry.weight == 0 or _across_sentences(doc, hit):  # a guard hides a phrase
        return None
    if tag == "addressed":
        start = _addressee_start(doc, hit)
        if start is None or _negated_before(doc, start, hit.entry.language, NEGATION_BEFORE):
            return None
        first = start
    elif tag in _CONTEXT_CHECKS and not _CONTEXT_CHECKS[tag](doc, hit):
        return None
    if _supposed(doc, hit):
        return None
    begin, end = doc.original_span(first, hit.last)
    return Evidence(begin, end, doc.text[begin:end], tag)


# -- the trained model -------------------------------------------------------------------
RUDE, NOT_RUDE = "rude", "ok"  # the model's two labels
# p(rude) from which the model alone makes a reply rude, per language: the lowest multiple
# of 0.05 at which no reply of the dev split of tests/text/corpus/replies.jsonl is a false
# positive, and never below 0.6 (a text the model knows little of scores about 0.5). The
# highest p of a polite dev reply was fa 0.50, ar 0.65, en 0.66. A language without a
# threshold or a model is judged by the rules alone.
MODEL_THRESHOLDS = {"fa": 0.6, "ar": 0.7, "en": 0.7}
MODEL_C = 4.0  # inverse regularisation of the logistic regression
MODEL_EVIDENCE_WORDS = 3  # the words shown as the model's evidence
MODEL_LANGUAGES = ("fa", "ar", "en")


def _models_root() -> Path:
    return Path(str(resources.files("sanjeh.text") / "models"))


@lru_cache(maxsize=4)
def shipped_rude_model(language: str) -> LinearTextModel | None:
    """The rudeness model shipped for ``language`` (``models/rude-<lang>.json``), if any."""
    path = _models_root() / f"rude-{language}.json"
    return load_linear(path) if path.is_file() else None


@lru_cache(maxsize=1 << 16)
def _word_features(language: str, word: str) -> tuple[str, ...]:
    """The features of ``word`` the model knows: the word and its character n-grams, as
    ``_linear.features`` makes them. Words repeat across messages, so caching this is what
    makes scoring cheap."""
    model = shipped_rude_model(language)
    if model is None:
        return ()
    padded = f" {word} "
    grams = ["w:" + word]
    for n in range(MIN_N, MAX_N + 1):
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return tuple(g for g in grams if g in model.weights)


def model_probability(doc: Doc) -> float | None:
    """p(rude) of the doc by its language's shipped model (None: no model), computed from
    the doc's folded tokens -- the same features and arithmetic as
    ``LinearTextModel.probabilities(doc.text)``, with each word's features cached."""
    model = shipped_rude_model(doc.language) if doc.language in MODEL_LANGUAGES else None
    if model is None:
        return None
    language = doc.language
    counts = Counter(chain.from_iterable(_word_features(language, w) for w in doc.tokens))
    weights = model.weights
    score, norm = 0.0, 0.0
    for feature, count in counts.items():
        idf, coef = weights[feature]
        value = idf if count == 1 else (1.0 + math.log(count)) * idf
        norm += value * value
        score += value * coef[0]
    score = model.intercept[0] + (score / math.sqrt(norm) if norm else 0.0)
    return 1.0 / (1.0 + math.exp(-score))


def model_evidence(doc: Doc, words: int = MODEL_EVIDENCE_WORDS) -> tuple[Evidence, ...]:
    """The ``words`` words that raise p(rude) most, as spans of the original text (first
    occurrence of each; neighbours in one clause joined), tagged ``model``."""
    model = shipped_rude_model(doc.language)
    if model is None:
        return ()
    _, per_word = model.contributions(doc.text, RUDE)
    strongest = sorted((v, w) for w, v in per_word.items() if v > 0)[::-1][:words]
    chosen = {w for _, w in strongest}
    first_of: dict[str, int] = {}
    for i, token in enumerate(doc.tokens):
        if token in chosen and token not in first_of:
            first_of[token] = i
    spans: list[list[int]] = []
    for i in sorted(first_of.values()):
        if spans and spans[-1][1] == i - 1 and _same_clause(doc, i - 1, i):
            spans[-1][1] = i
        else:
            spans.append([i, i])
    out = []
    for first, last in spans:
        start, end = doc.original_span(first, last)
        out.append(Evidence(start, end, doc.text[start:end], "model"))
    return tuple(out)


def _training_rows(path: Path) -> tuple[list[str], list[str]]:
    """Texts and labels of one ``rude-train`` file; a bad line names the file and line."""
    texts: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}, line {number}: not valid JSON ({exc.msg})") from None
            text = row.get("text") if isinstance(row, dict) else None
            rude = row.get("rude") if isinstance(row, dict) else None
            if not isinstance(text, str) or not text.strip() or not isinstance(rude, bool):
                raise ConfigError(f"{path}, line {number}: expected text and rude (true/false)")
            texts.append(text)
            labels.append(RUDE if rude else NOT_RUDE)
    return texts, labels


def build_rude_models(folder: str | Path, target: str | Path | None = None) -> list[Path]:
    """Train ``rude-<lang>.json`` from ``folder/<lang>.jsonl`` (``tests/text/corpus/
    rude-train``) for each language that has a file, into the package's models folder (or
    ``target``); returns the files written."""
    source = Path(folder)
    written: list[Path] = []
    out = Path(target) if target is not None else _models_root()
    for language in MODEL_LANGUAGES:
        path = source / f"{language}.jsonl"
        if not path.is_file():
            continue
        texts, labels = _training_rows(path)
        meta = {
            "signal": "rude",
            "language": language,
            "data": f"rude-train/{language}.jsonl",
            "n_rude": labels.count(RUDE),
        }
        model = fit_linear(texts, labels, c=MODEL_C, meta=meta)
        written.append(model.save(out / f"rude-{language}.json"))
    if not written:
        raise ConfigError(f"no fa.jsonl / ar.jsonl / en.jsonl in {source}")
    shipped_rude_model.cache_clear()
    _word_features.cache_clear()
    return written


@dataclass(frozen=True)
class RudeAnalyzer(PhraseAnalyzer):
    """A phrase analyzer (same name, lexicon and Signal shape) whose phrases are checked
    against their context (see the module doc); evidence is tagged with the phrase's kind
    (``blame`` / ``dismissive`` / ``condescending`` / ``insult`` / ``addressed`` …).
    Where the lexicon finds no rude phrase at all, the language's model decides
    (``use_model``): present at p(rude) >= ``MODEL_THRESHOLDS``, scored p, its strongest
    words as ``model`` evidence."""

    use_model: bool = True

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        version = self.version or f"{rules_version()}+rude.{RUDE_RULES_VERSION}"
        out: list[Signal] = []
        for doc in docs:
            total = 0.0
            evidence: list[Evidence] = []
            hits = rude_hits(doc)
            for hit in hits:
                found = rude_evidence(doc, hit)
                if found is not None:
                    total += hit.entry.weight * intensity(doc, hit)
                    evidence.append(found)
            if doc.language == "fa" and not evidence:
                for first, last in fa_exasperation(doc):
                    start, end = doc.original_span(first, last)
                    total += 1.0
                    evidence.append(Evidence(start, end, doc.text[start:end], "dismissive"))
            score = saturate(total)
            # a rude phrase the context rules dropped ("not your fault", a guard, a
            # conditional offer) was judged not rude: the model, blind to that, stays out
            if self.use_model and not hits and not evidence and doc.tokens:
                p = model_probability(doc)
                threshold = MODEL_THRESHOLDS.get(doc.language)
                if p is not None and threshold is not None and p >= threshold:
                    evidence.extend(model_evidence(doc))
                    score = round(p, 4) if evidence else score
            label = "present" if evidence else "absent"
            out.append(Signal(self.name, label, score, tuple(evidence), version))
        return out
