"""Measure the sentiment analyzer on public labelled sets, beside baselines.

    python -m sanjeh.text.evaluate --data ../shared/data/sentiment
    python -m sanjeh.text.evaluate --data ../shared/data/sentiment --split test --json out.json
    python -m sanjeh.text.evaluate build-model ar ../shared/data/sentiment/ar/ajgt.csv
    python -m sanjeh.text.evaluate build-model fa tests/text/corpus/sentiment-fa
    python -m sanjeh.text.evaluate build-model rude tests/text/corpus/rude-train
    python -m sanjeh.text.evaluate build-lexipers ../shared/data/lexicons/LexiPersV1.0.zip
    python -m sanjeh.text.evaluate signals --corpus tests/text/corpus/replies.jsonl --split test
    python -m sanjeh.text.evaluate signals --split test --twcs ../shared/data/twcs/twcs_sample.csv
    python -m sanjeh.text.evaluate sarcasm --split test

Binary accuracy and macro-F1 are over the positive and negative items; a text the
analyzer calls neutral (polarity 0) counts as an error. Neutral items are reported
separately (share called neutral, mean polarity). See docs/evaluation.md for the method.

``signals`` scores the behaviour analyzers (greeting, apology, empathy …) on the labelled
corpus of agent replies (see ``_corpus``): precision, recall and F1 per language and
signal, beside the majority-class baseline. ``--twcs`` adds the labelled agent tweets of
the user's own copy of the Twitter support sample (their text is not shipped).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, SanjehError
from ._api import MessageAnalysis, analyze, prepare
from ._corpus import LANGUAGES, SIGNALS, Reply, load_corpus, split
from ._evaldata import LabelledSet, load_sets
from ._lexicon import PhraseMatcher, parse_lexicon
from ._linear import LinearTextModel, fit_linear
from ._sentiment import SentimentAnalyzer, _models_root

Predictor = Callable[[list[str]], list[float]]


@dataclass
class Scores:
    method: str
    dataset: str
    n: int
    accuracy: float
    macro_f1: float
    coverage: float  # share of binary items with a decision
    neutral_n: int = 0
    neutral_called_neutral: float = math.nan
    neutral_mean: float = math.nan
    seconds: float = 0.0
    note: str = ""


def binary_scores(gold: Sequence[str], polarity: Sequence[float]) -> tuple[float, float, float]:
    """(accuracy, macro-F1, coverage) on positive / negative gold labels."""
    pred = ["positive" if p > 0 else "negative" if p < 0 else "undecided" for p in polarity]
    n = len(gold)
    correct = sum(1 for g, p in zip(gold, pred, strict=True) if g == p)
    f1s = []
    for cls in ("positive", "negative"):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p == cls)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != cls and p == cls)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p != cls)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    decided = sum(1 for p in pred if p != "undecided")
    return correct / n, sum(f1s) / 2, decided / n


def evaluate_set(method: str, data: LabelledSet, predict: Predictor, note: str = "") -> Scores:
    index = [i for i, lab in enumerate(data.labels) if lab != "neutral"]
    neutral = [i for i, lab in enumerate(data.labels) if lab == "neutral"]
    started = time.perf_counter()
    polarity = predict([data.texts[i] for i in index])
    seconds = time.perf_counter() - started
    acc, f1, cov = binary_scores([data.labels[i] for i in index], polarity)
    scores = Scores(method, data.name, len(index), acc, f1, cov, seconds=seconds, note=note)
    if neutral:
        neutral_pol = predict([data.texts[i] for i in neutral])
        scores.neutral_n = len(neutral)
        scores.neutral_called_neutral = sum(1 for p in neutral_pol if abs(p) < 0.05) / len(neutral)
        scores.neutral_mean = sum(neutral_pol) / len(neutral)
    return scores


# -- predictors ---------------------------------------------------------------------


def sanjeh_predictor(
    language: str,
    *,
    use_models: bool = True,
    models: dict[str, LinearTextModel | None] | None = None,
) -> Predictor:
    analyzer = SentimentAnalyzer(use_models=use_models, models=models or {})

    def predict(texts: list[str]) -> list[float]:
        return [s.score for s in analyzer.analyze(prepare(texts, language=language))]

    return predict


def majority_predictor(labels: Sequence[str]) -> Predictor:
    binary = [lab for lab in labels if lab != "neutral"]
    top = Counter(binary).most_common(1)[0][0]
    value = 1.0 if top == "positive" else -1.0
    return lambda texts: [value] * len(texts)


def lexipers_predictor() -> Predictor:
    """Plain LexiPers: sum of the adjective polarities found, no rules."""
    path = Path(str(_models_root().parent / "lexicons" / "fa" / "sentiment.lexipers.tsv"))
    with path.open(encoding="utf-8") as handle:
        matcher = PhraseMatcher(parse_lexicon(handle, "sentiment", "fa", str(path)), "fa")

    def predict(texts: list[str]) -> list[float]:
        out = []
        for doc in prepare(texts, language="fa"):
            out.append(sum(h.entry.weight for h in matcher.match(doc.tokens)))
        return out

    return predict


def persian_sa_predictor() -> Predictor | None:
    """persian-sa (PyPI, MIT; SVM over TF-IDF trained on machine-translated reviews).

    Its 2021 scikit-learn pickles no longer load as-is; the fitted vocabulary, idf and
    SVM weights are read from them and applied exactly as its pipeline did.
    """
    try:
        import importlib.util
        import pickle

        spec = importlib.util.find_spec("persian_sa")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations))) / "data"
        import numpy as np
        import sklearn.linear_model._sgd_fast as sgd_fast
        import sklearn.linear_model._stochastic_gradient as stochastic
        from sklearn.feature_extraction.text import CountVectorizer

        sys.modules.setdefault("sklearn.linear_model.stochastic_gradient", stochastic)
        sys.modules.setdefault("sklearn.linear_model.sgd_fast", sgd_fast)
        with (folder / "preprocessingpipline.pkl").open("rb") as handle:
            pipeline = pickle.load(handle)
        with (folder / "svmmodel.pkl").open("rb") as handle:
            svm = pickle.load(handle)
        counts, tfidf = pipeline.steps[0][1], pipeline.steps[1][1]
        vectorizer = CountVectorizer(vocabulary=counts.vocabulary_)
        idf = tfidf._idf_diag.diagonal()
        coef, intercept = np.asarray(svm.coef_).ravel(), float(np.ravel(svm.intercept_)[0])
    except Exception:
        return None

    def predict(texts: list[str]) -> list[float]:
        x = vectorizer.transform(texts).multiply(idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        decision = (x @ coef) / norms + intercept
        return [float(np.sign(d)) for d in decision]

    return predict


def arasents_predictor() -> Predictor | None:
    """arasents (PyPI, MIT): an Arabic translation of the MPQA subjectivity lexicon,
    run through its own code; positive if its positive share beats its negative share."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("arasents")
        if spec is None or spec.origin is None:
            return None
        folder = Path(spec.origin).parent
        import arasents
    except Exception:
        return None

    def predict(texts: list[str]) -> list[float]:
        out = []
        with contextlib.chdir(folder):  # it opens its files by relative path
            for t in texts:
                try:
                    result = arasents.text(t).sentiments()
                except Exception:
                    result = None
                if not isinstance(result, dict):
                    out.append(0.0)
                    continue
                pos, neg = float(result.get("positive", 0)), float(result.get("negative", 0))
                out.append(1.0 if pos > neg else -1.0 if neg > pos else 0.0)
        return out

    return predict


# -- the Arabic model ---------------------------------------------------------------


def ajgt_model(texts: Sequence[str], labels: Sequence[str]) -> LinearTextModel:
    """The shipped Arabic sentiment model's recipe (also used per fold)."""
    return fit_linear(
        texts,
        labels,
        c=2.0,
        min_df=2,
        max_features=40_000,
        meta={"name": "sentiment", "trained_on": "AJGT (AFL-3.0)"},
    )


def cross_validated(data: LabelledSet, folds: int = 5) -> Predictor:
    """Default analyzer on each fold with an AJGT model trained on the other folds."""
    order = {t: i % folds for i, t in enumerate(sorted(data.texts))}

    def predict(texts: list[str]) -> list[float]:
        out = [0.0] * len(texts)
        for k in range(folds):
            train_idx = [i for i, t in enumerate(data.texts) if order[t] != k]
            model = ajgt_model(
                [data.texts[i] for i in train_idx], [data.labels[i] for i in train_idx]
            )
            held = [i for i, t in enumerate(texts) if order.get(t, -1) == k]
            scores = sanjeh_predictor("ar", models={"ar": model})([texts[i] for i in held])
            for i, s in zip(held, scores, strict=True):
                out[i] = s
        return out

    return predict


#: Arabic sentences the project wrote (dialects, support and tweet-like opinions): not
#: used to build anything, so a further check beside the public sets
ARABIC_SENTENCES = Path("tests") / "text" / "corpus" / "sentiment-ar"


def project_sets(split: str) -> list[LabelledSet]:
    """The project's Arabic check set when run from a checkout (absent from a wheel)."""
    from ._evaldata import in_dev
    from ._sentiment_corpus import load_sentences

    if not ARABIC_SENTENCES.is_dir():
        return []
    rows = [
        (s.text, s.label)
        for s in load_sentences(ARABIC_SENTENCES)
        if split == "all" or in_dev(s.text) == (split == "dev")
    ]
    name = "ar/project sentences"
    note = "written by the project, never trained on"
    return [LabelledSet(name, "ar", [t for t, _ in rows], [lab for _, lab in rows], note)]


# -- report ---------------------------------------------------------------------------


def run_all(folder: str, split: str, with_baselines: bool) -> list[Scores]:
    sets = load_sets(folder, split)
    results: list[Scores] = []
    shipped_ar = (_models_root() / "sentiment-ar.json").is_file()
    shipped_fa = (_models_root() / "sentiment-fa.json").is_file()
    persian_sa = persian_sa_predictor() if with_baselines else None
    arasents = arasents_predictor() if with_baselines else None
    for data in [*sets, *project_sets(split)]:
        lang = data.language
        results.append(evaluate_set("majority class", data, majority_predictor(data.labels)))
        results.append(
            evaluate_set("sanjeh lexicon only", data, sanjeh_predictor(lang, use_models=False))
        )
        if lang == "ar" and data.name == "ar/ajgt" and shipped_ar:
            results.append(
                evaluate_set(
                    "sanjeh default",
                    data,
                    cross_validated(data),
                    "5-fold CV: the shipped model is trained on AJGT",
                )
            )
        else:
            note = ""
            if lang == "ar" and shipped_ar:
                note = "model trained on AJGT only"
            elif lang == "fa" and shipped_fa:
                note = "model trained on the project's own sentences only"
            results.append(evaluate_set("sanjeh default", data, sanjeh_predictor(lang), note))
        if lang == "fa" and with_baselines:
            results.append(evaluate_set("LexiPers words only", data, lexipers_predictor()))
            if persian_sa is not None:
                results.append(evaluate_set("persian-sa 0.2.5", data, persian_sa))
        if lang == "ar" and arasents is not None:
            results.append(evaluate_set("arasents 0.0b0", data, arasents))
    return results


def _fmt(x: float) -> str:
    return "–" if isinstance(x, float) and math.isnan(x) else f"{x:.3f}"


def markdown(results: Sequence[Scores]) -> str:
    lines = [
        "| set | method | n (pos+neg) | accuracy | macro-F1 | decided | neutral n | "
        "neutral called neutral | neutral mean polarity | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.dataset} | {r.method} | {r.n} | {_fmt(r.accuracy)} | {_fmt(r.macro_f1)} | "
            f"{_fmt(r.coverage)} | {r.neutral_n or '–'} | {_fmt(r.neutral_called_neutral)} | "
            f"{_fmt(r.neutral_mean)} | {r.note} |"
        )
    return "\n".join(lines)


def sarcasm_main(args: list[str]) -> int:
    """Sarcasm cues on the project's labelled set, and what they do to sentiment."""
    from ._sarcasm import evaluate_sarcasm, load_sarcasm_set, sarcasm_cues

    parser = argparse.ArgumentParser(prog="python -m sanjeh.text.evaluate sarcasm")
    parser.add_argument(
        "--corpus", default=os.path.join("tests", "text", "corpus", "sarcasm.jsonl")
    )
    parser.add_argument("--split", choices=("all", "dev", "test"), default="test")
    parser.add_argument("--data", help="also count cues on the public sets in this folder")
    ns = parser.parse_args(args)
    try:
        figures = evaluate_sarcasm(ns.corpus, ns.split)
        public = load_sets(ns.data, ns.split) if ns.data else []
        examples = [e for e in load_sarcasm_set(ns.corpus) if ns.split in ("all", e.split)]
    except SanjehError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{ns.corpus}, split {ns.split}\n")
    print(
        "| lang | n | sarcastic | caught | false alarms | recall | precision | "
        "sarcastic read negative: without cues / with |"
    )
    print("|---|---|---|---|---|---|---|---|")
    plain, default = SentimentAnalyzer(detect_sarcasm=False), SentimentAnalyzer()
    for lang, f in figures.items():
        ironic = [e.text for e in examples if e.sarcastic and lang in ("all", e.language)]
        docs = prepare(ironic, role="customer")
        before = sum(s.label == "negative" for s in plain.analyze(docs))
        after = sum(s.label == "negative" for s in default.analyze(docs))
        print(
            f"| {lang} | {f['n']} | {f['sarcastic']} | {f['caught']} | {f['false_positives']} | "
            f"{f['recall']:.3f} | {f['precision']:.3f} | {before} / {after} of {len(ironic)} |"
        )
    if public:
        # no sarcasm labels there: cues on a message labelled positive are false alarms
        print("\n| set | n | cues found | of them on positive-labelled messages |")
        print("|---|---|---|---|")
        for data in public:
            docs = prepare(data.texts, language=data.language, role="customer")
            fired = [bool(sarcasm_cues(d)) for d in docs]
            labels = data.labels
            on_positive = sum(f and g == "positive" for f, g in zip(fired, labels, strict=True))
            print(f"| {data.name} | {len(docs)} | {sum(fired)} | {on_positive} |")
    return 0


def _build_model(args: list[str]) -> int:
    """``build-model rude [FOLDER]`` / ``fa FOLDER`` (the project's sentences) or
    ``build-model [ar] AJGT_CSV``."""
    if args and args[0] == "rude":
        from ._rude import build_rude_models

        folder = args[1] if len(args) > 1 else os.path.join("tests", "text", "corpus", "rude-train")
        print("\n".join(f"wrote {path}" for path in build_rude_models(folder)))
        return 0
    if args and args[0] == "fa":
        from ._sentiment_corpus import load_sentences, persian_model

        if len(args) < 2:
            raise ConfigError("build-model fa needs the folder: tests/text/corpus/sentiment-fa")
        sentences = load_sentences(args[1])
        model = persian_model([s.text for s in sentences], [s.label for s in sentences])
        target = model.save(_models_root() / "sentiment-fa.json")
    else:
        from ._evaldata import _ajgt

        csv_args = args[1:] if args and args[0] == "ar" else args
        if not csv_args:
            raise ConfigError("build-model ar needs the AJGT file: .../sentiment/ar/ajgt.csv")
        data = _ajgt(Path(csv_args[0]))
        model = ajgt_model(data.texts, data.labels)
        target = model.save(_models_root() / "sentiment-ar.json")
    print(f"wrote {target} ({len(model.weights)} features)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "signals":
        return signals_main(args[1:])
    if args and args[0] == "sarcasm":
        return sarcasm_main(args[1:])
    try:
        if args and args[0] == "build-lexipers":
            from ._lexipers import build_lexipers_tsv

            target = Path(str(_models_root().parent / "lexicons" / "fa" / "sentiment.lexipers.tsv"))
            n = build_lexipers_tsv(args[1], target)
            print(f"wrote {n} entries to {target}")
            return 0
        if args and args[0] == "build-model":
            return _build_model(args[1:])
        parser = argparse.ArgumentParser(prog="python -m sanjeh.text.evaluate")
        parser.add_argument("--data", default=os.path.join("..", "shared", "data", "sentiment"))
        parser.add_argument("--split", choices=("all", "dev", "test"), default="all")
        parser.add_argument("--no-baselines", action="store_true")
        parser.add_argument("--json", help="also write the results to this file")
        ns = parser.parse_args(args)
        results = run_all(ns.data, ns.split, not ns.no_baselines)
    except SanjehError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(markdown(results))
    if ns.json:
        payload: list[dict[str, Any]] = [r.__dict__ for r in results]
        Path(ns.json).write_text(json.dumps(payload, indent=1, ensure_ascii=False), "utf-8")
    return 0


# -- behaviour signals on the reply corpus -------------------------------------------

#: what each corpus label is read from: (analyzer, labels that count as "fires");
#: None where no analyzer exists yet (reported as "no analyzer", recall 0)
SIGNAL_SOURCES: dict[str, tuple[str, frozenset[str]] | None] = {
    "greeting": ("greeting", frozenset({"present"})),
    "apology": ("apology", frozenset({"present"})),
    "empathy": ("empathy", frozenset({"present"})),
    "ownership": ("ownership", frozenset({"present"})),
    "negative_framing": ("language_framing", frozenset({"negative", "mixed"})),
    "positive_framing": ("language_framing", frozenset({"positive", "mixed"})),
    "personalisation": ("personalisation", frozenset({"present"})),
    "closing": ("closing", frozenset({"present"})),
    "next_steps": ("follow_up", frozenset({"present"})),
    "rudeness": ("rude", frozenset({"present"})),
}
#: the signals the issue's bar is about (mean F1 >= 0.85, none < 0.70)
HEADLINE_SIGNALS = ("greeting", "apology", "empathy", "ownership", "negative_framing", "closing")
BAR_MEAN, BAR_MIN = 0.85, 0.70


@dataclass
class SignalScores:
    language: str
    signal: str
    analyzer: str  # what it was read from, or "no analyzer"
    n: int
    support: int  # gold positives
    tp: int
    fp: int
    fn: int
    precision: float  # nan when the analyzer never fired
    recall: float
    f1: float
    accuracy: float
    baseline: str  # "never fires" / "always fires"
    baseline_accuracy: float
    baseline_f1: float
    false_positives: list[dict[str, Any]]
    false_negatives: list[dict[str, Any]]


def fires(analysis: MessageAnalysis, signal: str) -> tuple[bool, list[str]]:
    """Whether the analyzers emit ``signal`` for one reply, and the evidence texts."""
    source = SIGNAL_SOURCES[signal]
    if source is None:
        return False, []
    found = analysis.get(source[0])
    if found is None or found.label not in source[1]:
        return False, []
    return True, [e.text for e in found.evidence]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """(precision, recall, F1); precision is nan when nothing was predicted."""
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


def score_signal(
    replies: Sequence[Reply], analyses: Sequence[MessageAnalysis], language: str, signal: str
) -> SignalScores:
    tp = fp = fn = correct = 0
    false_pos: list[dict[str, Any]] = []
    false_neg: list[dict[str, Any]] = []
    for reply, analysis in zip(replies, analyses, strict=True):
        gold = reply.labels[signal]
        predicted, evidence = fires(analysis, signal)
        correct += gold == predicted
        tp += gold and predicted
        if predicted and not gold:
            fp += 1
            if len(false_pos) < 3:
                false_pos.append({"id": reply.id, "text": reply.text, "evidence": evidence})
        if gold and not predicted:
            fn += 1
            if len(false_neg) < 3:
                false_neg.append(
                    {"id": reply.id, "text": reply.text, "detected_language": analysis.language}
                )
    n, support = len(replies), tp + fn
    precision, recall, f1 = prf(tp, fp, fn)
    always = support * 2 > n  # the majority class is "fires"
    source = SIGNAL_SOURCES[signal]
    return SignalScores(
        language,
        signal,
        "no analyzer" if source is None else source[0],
        n,
        support,
        tp,
        fp,
        fn,
        precision,
        0.0 if source is None else recall,
        f1,
        correct / n if n else math.nan,
        "always fires" if always else "never fires",
        max(support, n - support) / n if n else math.nan,
        prf(support, n - support, 0)[2] if always else 0.0,
        false_pos,
        false_neg,
    )


def run_signals(replies: Sequence[Reply]) -> list[SignalScores]:
    """Every (language, signal) score over ``replies``, analyzers run with role agent."""
    results: list[SignalScores] = []
    for language in LANGUAGES:
        chosen = [r for r in replies if r.language == language]
        if not chosen:
            continue
        analyses = analyze(
            [r.text for r in chosen], role="agent", names=[r.customer_name for r in chosen]
        )
        results.extend(score_signal(chosen, analyses, language, s) for s in SIGNALS)
    return results


def headline(results: Sequence[SignalScores]) -> dict[str, dict[str, Any]]:
    """Per language: mean and minimum F1 over the headline signals, and the bar's verdict."""
    out: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        f1s = {r.signal: r.f1 for r in results if r.language == language}
        if not f1s:
            continue
        chosen = [f1s[s] for s in HEADLINE_SIGNALS]
        mean, low = sum(chosen) / len(chosen), min(chosen)
        out[language] = {
            "mean_f1": mean,
            "min_f1": low,
            "meets_bar": mean >= BAR_MEAN and low >= BAR_MIN,
        }
    return out


def signals_markdown(results: Sequence[SignalScores]) -> str:
    lines = [
        "| lang | signal | read from | support / n | precision | recall | F1 | accuracy | "
        "baseline | baseline acc. | baseline F1 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.language} | {r.signal} | {r.analyzer} | {r.support} / {r.n} | "
            f"{_fmt(r.precision)} | {_fmt(r.recall)} | {_fmt(r.f1)} | {_fmt(r.accuracy)} | "
            f"{r.baseline} | {_fmt(r.baseline_accuracy)} | {_fmt(r.baseline_f1)} |"
        )
    lines.append("")
    names = ", ".join(HEADLINE_SIGNALS)
    for language, h in headline(results).items():
        verdict = "meets" if h["meets_bar"] else "below"
        lines.append(
            f"- {language}: mean F1 over {names} = {_fmt(h['mean_f1'])}, lowest "
            f"{_fmt(h['min_f1'])} ({verdict} the bar: mean >= {BAR_MEAN}, none < {BAR_MIN})"
        )
    return "\n".join(lines)


def signals_main(args: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m sanjeh.text.evaluate signals")
    parser.add_argument(
        "--corpus", default=os.path.join("tests", "text", "corpus", "replies.jsonl")
    )
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument(
        "--twcs",
        help="twcs_sample.csv of the Twitter support sample: adds the tweets labelled in "
        "twcs_labels.jsonl beside the corpus, their text read from this file (default: none)",
    )
    parser.add_argument("--json", help="also write the scores and confusion examples here")
    ns = parser.parse_args(list(args))
    try:
        replies = split(load_corpus(ns.corpus, twcs=ns.twcs), ns.split)
    except SanjehError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = run_signals(replies)
    tweets = f" (with {ns.twcs})" if ns.twcs else ""
    print(f"{ns.corpus}{tweets}, split {ns.split}: {len(replies)} replies\n")
    print(signals_markdown(results))
    if ns.json:
        payload = {
            "corpus": ns.corpus,
            "twcs": ns.twcs,
            "split": ns.split,
            "scores": [r.__dict__ for r in results],
            "headline": headline(results),
        }
        Path(ns.json).write_text(json.dumps(payload, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
