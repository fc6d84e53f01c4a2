"""How well the topics match human intent labels: ``python -m sanjeh.topics.evaluate``.

Adjusted mutual information (sklearn ``adjusted_mutual_info_score``) between our topics
and the labels, against a keyword baseline, with k = the number of labels and k chosen
automatically (``auto_k``). Test sets: ``tests/topics/data`` (BANKING77 English,
ArBanking77 MSA; see its README). ``--dev`` reads the dev splits the recipe was chosen
on from git mirrors instead (BANKING77 train, ArBanking77 MSA+PAL validation). ``--db
PATH`` also compares a store's topics (after ``sanjeh topics discover``) with its
tickets' categories -- on a demo store (``sanjeh demo``) a *generated* ground truth.

Keyword baseline: the k terms (``terms``) found in the most messages (ties: alphabetical)
are the topics; a message goes to the most frequent of them it contains, else to
"other".
"""

from __future__ import annotations

import argparse
import io
import subprocess
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_mutual_info_score

from ..store import Store
from ._cluster import auto_k, fit, nearest
from ._tokens import terms

DATA = Path(__file__).resolve().parents[3] / "tests" / "topics" / "data"
TEST_SETS = {
    "en": ("banking77_en_test.csv.gz", "text", "category"),
    "ar": ("arbanking77_ar_msa_test.csv.gz", "text", "label"),
}
DEV_SETS = {
    "en": ("PolyAI-LDN+task-specific-datasets", "banking_data/train.csv", "text", "category"),
    "ar": ("SinaLab+ArBanking77", "data/Banking77_Arabized_MSA_PAL_val.csv", "text", "label"),
}
MIRRORS = Path("/work/.mirror")


def topic_labels(texts: Sequence[str], language: str, k: int | None, seed: int = 0) -> np.ndarray:
    """Our topic of each text, as ``discover`` finds it (-1: no topic)."""
    tl = [terms(t, language) for t in texts]
    has = np.flatnonzero([bool(t) for t in tl])
    model = fit([tl[i] for i in has], k or auto_k(len(has)), seed)
    lab, score = nearest(model, [tl[i] for i in has])
    out = np.full(len(texts), -1)
    out[has] = np.where(score > 0, lab, -1)
    return out


def keyword_labels(texts: Sequence[str], language: str, k: int) -> list[str]:
    """The keyword baseline (module docstring)."""
    sets = [set(terms(t, language)) for t in texts]
    df: Counter[str] = Counter()
    for s in sets:
        df.update(s)
    top = sorted(df, key=lambda w: (-df[w], w))[:k]
    return [next((w for w in top if w in s), "other") for s in sets]


def score_set(texts: Sequence[str], gold: Sequence[str], language: str, seed: int = 0) -> dict:
    """AMI of ours and of the baseline, k = number of labels and k automatic."""
    k_true = len(set(gold))
    n_terms = sum(1 for t in texts if terms(t, language))
    k_auto = auto_k(n_terms)
    out: dict[str, float | int] = {"messages": len(texts), "labels": k_true, "k_auto": k_auto}
    for name, k in (("k_given", k_true), ("k_auto", k_auto)):
        out[f"ours_{name}"] = adjusted_mutual_info_score(
            gold, topic_labels(texts, language, k, seed)
        )
        out[f"keywords_{name}"] = adjusted_mutual_info_score(
            gold, keyword_labels(texts, language, k)
        )
    return out


def load_test(language: str) -> tuple[list[str], list[str]]:
    name, text, label = TEST_SETS[language]
    df = pd.read_csv(DATA / name)
    return df[text].astype(str).tolist(), df[label].astype(str).tolist()


def load_dev(language: str) -> tuple[list[str], list[str]]:
    repo, path, text, label = DEV_SETS[language]
    raw = subprocess.run(
        ["git", "-C", str(MIRRORS / repo / "repo"), "show", f"HEAD:{path}"],
        capture_output=True,
        check=True,
    ).stdout
    df = pd.read_csv(io.BytesIO(raw))
    return df[text].astype(str).tolist(), df[label].astype(str).tolist()


def store_ami(store: Store) -> dict[str, dict[str, float | int]]:
    """Per language, AMI of the stored topics (``ticket_topics``; none: one more group)
    against the tickets' ``category`` -- for a demo store, a *generated* ground truth."""
    t, tt = store.table("tickets"), store.table("ticket_topics")
    rows = (
        t.filter(t.category.notnull() & t.language.notnull())
        .left_join(tt.select("ticket_id", "topic_id"), "ticket_id")
        .select("language", "category", "topic_id")
        .execute()
    )
    out = {}
    for language, g in rows.groupby("language"):
        topic = g.topic_id.fillna("none").astype(str)
        out[str(language)] = {
            "messages": len(g),
            "categories": int(g.category.nunique()),
            "topics": int(g.topic_id.nunique()),
            "ami": float(adjusted_mutual_info_score(g.category.astype(str), topic)),
        }
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="the dev splits (git mirrors)")
    parser.add_argument("--db", help="also a store's topics against its ticket categories")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    load = load_dev if args.dev else load_test
    split = "dev" if args.dev else "test"
    for language in ("en", "ar"):
        texts, gold = load(language)
        r = score_set(texts, gold, language, args.seed)
        print(
            f"{split} {language}: {r['messages']:,} messages, {r['labels']} labels | AMI ours "
            f"k={r['labels']} {r['ours_k_given']:.3f}, k=auto({r['k_auto']}) "
            f"{r['ours_k_auto']:.3f} | keywords k={r['labels']} {r['keywords_k_given']:.3f}, "
            f"k=auto {r['keywords_k_auto']:.3f}"
        )
    if args.db:
        with Store.open(args.db, read_only=True) as store:
            found = store_ami(store)
        for language, d in sorted(found.items()):
            print(
                f"store {language} (categories as ground truth): {d['messages']:,} tickets, "
                f"{d['categories']} categories, {d['topics']} topics | AMI {d['ami']:.3f}"
            )


if __name__ == "__main__":
    main()
