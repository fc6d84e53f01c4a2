"""TF-IDF of character n-grams within words, written from the definition (for tests):
sklearn's ``char_wb`` n-grams (each word padded with a space on both sides; a padded word
shorter than n is one n-gram), term frequency 1 + log(count), times the IDF, L2-normed."""

from __future__ import annotations

import math
from collections import Counter


def char_wb(doc: str, lo: int = 2, hi: int = 4) -> list[str]:
    out = []
    for word in doc.split():
        w = f" {word} "
        for n in range(lo, hi + 1):
            if len(w) <= n:
                out.append(w)
                continue
            out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


def cosine_to_centre(doc: str, vocabulary: list[str], idf: list[float], centre: dict) -> float:
    index = {t: i for i, t in enumerate(vocabulary)}
    counts = Counter(g for g in char_wb(doc) if g in index)
    vec = {index[g]: (1 + math.log(c)) * idf[index[g]] for g, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    cnorm = math.sqrt(sum(w * w for w in centre.values()))
    if not norm or not cnorm:
        return 0.0
    return sum(v * centre.get(i, 0.0) for i, v in vec.items()) / norm / cnorm
