"""Rebuild ``lexicons/fa/sentiment.lexipers.tsv`` from the LexiPers release.

LexiPers 1.0 (Sabeti, Hosseini, Ghassem-Sani, Mirroshandel, GCAI 2016): Persian adjective
synsets labelled -1 / 0 / +1. Its readme allows research and commercial use with
citation; the citation is kept in the generated file and in docs/text.md.

    python -m sanjeh.text.evaluate build-lexipers ../shared/data/lexicons/LexiPersV1.0.zip
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from pathlib import Path

from ..errors import ConfigError
from ._normalize import normalize

#: LexiPers entries are weaker than the project's own (general adjectives, not support text)
WEIGHT = 0.6
# Adjectives whose LexiPers polarity is wrong for products and support ("light",
# "formal", "fixed", "cold"): left out rather than mislead.
_EXCLUDE_TEXT = (
    "سبک رسمی ساکن متحرک جنبنده خشک مات دارا مایل فیکس ثابت صاف نرم سرد گرم "
    "آزاد سنگین کوتاه بلند باریک چاق لاغر کهنه قدیمی "
    # frequent words whose everyday sense is not an opinion: verbs («کند» does),
    # adverbs («تنها» only, «تازه» just), nouns («دوست» friend, «نمونه» sample) …
    "کند کنه تنها تازه اصل قابل دوست خوش نمونه میمون معمول نشسته افتاده جدا زیاد "
    "کلی بالا پایین کم"
)
EXCLUDE = frozenset(_EXCLUDE_TEXT.split())

HEADER = """\
# Derived from LexiPers 1.0 -- do not edit by hand; rebuild with
#   python -m sanjeh.text.evaluate build-lexipers LexiPersV1.0.zip
# Source: Behnam Sabeti, Pedram Hosseini, Gholamreza Ghassem-Sani and Seyed Abolghasem
# Mirroshandel. 2016. LexiPers: An ontology based sentiment lexicon for Persian. In 2nd
# Global Conference on Artificial Intelligence (GCAI), volume 41, pages 329-339. EasyChair.
# Licence (LexiPers readme): use for any research or commercial activity is permitted with
# citation of the source. Intellectual property: Sharif University of Technology NLP lab
# and University of Guilan NLP group.
# Adjectives of synsets labelled +1 / -1 with one polarity only, weight ±{weight}.
# phrase	weight	tag
"""


def build_lexipers_tsv(zip_path: str | Path, out_path: str | Path) -> int:
    """Write the TSV; returns the number of entries."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            name = next(n for n in archive.namelist() if n.endswith("adj-final.xml"))
            root = ET.fromstring(archive.read(name))
    except (OSError, zipfile.BadZipFile, StopIteration, ET.ParseError) as exc:
        raise ConfigError(f"{zip_path}: not the LexiPers 1.0 zip ({exc})") from exc
    polarity: dict[str, set[int]] = defaultdict(set)
    for synset in root:
        label = synset.get("Label")
        if label not in ("+1", "-1"):
            continue
        for word in (synset.get("Sense") or "").split(","):
            word = normalize(word.strip(), "fa")
            # two-letter words («یک», «نو») match too many other words once clitics go
            if len(word) >= 3 and word not in EXCLUDE:
                polarity[word].add(int(label))
    rows = sorted((w, p.pop()) for w, p in polarity.items() if len(p) == 1)
    lines = [HEADER.format(weight=WEIGHT)]
    lines.extend(f"{w}\t{WEIGHT * p:g}\tlexipers\n" for w, p in rows)
    Path(out_path).write_text("".join(lines), encoding="utf-8")
    return len(rows)
