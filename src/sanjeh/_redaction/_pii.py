"""PII redaction for Persian, Arabic and English text.

Found: e-mail addresses, phone numbers (Iranian 09xx / +98 / 0098 and landlines, Gulf
+966 / +971 / +974 / +965 / +973 / +968 and their local mobile forms, other international
numbers written with +), payment card numbers (Luhn-valid only), Iranian national ids
(10 digits with the official check digit) and IBANs (ISO 13616 mod-97 check) -- in any
digit set: 0-9, Persian ۰-۹ and Arabic-Indic ٠-٩. A number that fails its checksum is
not a card / national id / IBAN and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .._digits import DIGITS_TO_ASCII
from ..errors import ValidationError

PII_KINDS = ("EMAIL", "IBAN", "CARD", "PHONE", "NATIONAL_ID")


class PiiMatch(NamedTuple):
    kind: str  # one of PII_KINDS
    start: int
    end: int
    text: str


_SEP = r"[ \-\u00a0.]?"
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# IBANs are written in capitals, in one block or in groups of four
_IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
_CARD_RE = re.compile(r"(?<![\d+])\d(?:[ \-]?\d){12,18}(?!\d)")
_PHONE_RES = (
    # Iran: mobile 09xx xxx xxxx / +98 9xx / 0098 9xx; landline 0xx xxxxxxxx
    re.compile(rf"(?<![\d+])(?:(?:\+|00)98{_SEP}?|0)9\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{2}}{_SEP}?\d{{2}}(?!\d)"),
    re.compile(rf"(?<![\d+])(?:(?:\+|00)98{_SEP}?|0)[1-8]\d{{1,2}}{_SEP}\d{{3,4}}{_SEP}?\d{{4}}(?!\d)"),
    # Saudi / UAE mobiles: +966 5x / +971 5x, and local 05x
    re.compile(rf"(?<![\d+])(?:(?:\+|00)(?:966|971){_SEP}?|0)5\d{_SEP}?\d{{3}}{_SEP}?\d{{4}}(?!\d)"),
    # Qatar, Kuwait, Bahrain, Oman: 8-digit numbers after the country code
    re.compile(rf"(?<![\d+])(?:\+|00)(?:974|965|973|968){_SEP}?\d{{4}}{_SEP}?\d{{4}}(?!\d)"),
    # any other international number written with + (7-15 digits, ITU E.164)
    re.compile(r"(?<![\d+])\+\d{1,3}(?:[ \-.]?\(?\d{1,4}\)?){2,5}(?!\d)"),
)  # fmt: skip
_NATIONAL_ID_RE = re.compile(r"(?<![\d+])\d{3}[ \-]?\d{6}[ \-]?\d(?!\d)")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iranian_national_id_valid(digits: str) -> bool:
    """The check digit of the Iranian national code (کد ملی)."""
    if len(digits) != 10 or len(set(digits)) == 1:  # 0000000000, 1111111111 … are not issued
        return False
    remainder = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    check = int(digits[9])
    return check == remainder if remainder < 2 else check == 11 - remainder


def iban_valid(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    code = iban.replace(" ", "").upper()
    if not (15 <= len(code) <= 34) or not code[:2].isalpha() or not code[2:4].isdigit():
        return False
    rearranged = code[4:] + code[:4]
    try:
        number = "".join(str(int(c, 36)) for c in rearranged)
    except ValueError:
        return False
    return int(number) % 97 == 1


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def _find(text: str) -> list[PiiMatch]:
    # Digit sets are 1:1, so offsets in the ASCII copy are offsets in the text.
    found: list[PiiMatch] = []
    for kind, start, end in _spans(text.translate(DIGITS_TO_ASCII)):
        # separators caught at the edges are not part of the number
        while end > start and not text[end - 1].isalnum():
            end -= 1
        if all(end <= p.start or start >= p.end for p in found):  # the first span found wins
            found.append(PiiMatch(kind, start, end, text[start:end]))
    found.sort(key=lambda p: p.start)
    return found


def _spans(s: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of the PII in ``s`` (ASCII digits), kind by kind, checksums passed."""
    for m in _EMAIL_RE.finditer(s):
        yield "EMAIL", *m.span()
    yield from _ibans(s)
    for m in _CARD_RE.finditer(s):
        digits = _digits(m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            yield "CARD", *m.span()
    for pattern in _PHONE_RES:
        for m in pattern.finditer(s):
            if 7 <= len(_digits(m.group())) <= 15:
                yield "PHONE", *m.span()
    for m in _NATIONAL_ID_RE.finditer(s):
        if iranian_national_id_valid(_digits(m.group())):
            yield "NATIONAL_ID", *m.span()


def _ibans(s: str) -> Iterator[tuple[str, int, int]]:
    for m in _IBAN_RE.finditer(s):
        # a following capitalised word or number may have been swallowed: drop trailing
        # groups until the check passes
        candidate = m.group()
        while len(candidate.replace(" ", "")) >= 15:
            if iban_valid(candidate):
                yield "IBAN", m.start(), m.start() + len(candidate)
                break
            if " " not in candidate:
                break
            candidate = candidate.rsplit(" ", 1)[0]


def _batch(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise ValidationError("texts", "expected a list of texts, got one string; wrap it: [text]")
    return ["" if t is None else t for t in texts]


def find_pii(texts: Iterable[str], kinds: Iterable[str] | None = None) -> list[list[PiiMatch]]:
    """The personal data found in each text, as (kind, start, end, text) spans."""
    wanted = set(PII_KINDS if kinds is None else kinds)
    unknown = wanted - set(PII_KINDS)
    if unknown:
        raise ValidationError("kinds", f"unknown {sorted(unknown)}; use {', '.join(PII_KINDS)}")
    return [[p for p in _find(t) if p.kind in wanted] for t in _batch(texts)]


def redact(texts: Iterable[str], kinds: Iterable[str] | None = None) -> list[str]:
    """Each text with its personal data replaced by [EMAIL], [PHONE], [CARD],
    [NATIONAL_ID] or [IBAN]."""
    items = _batch(texts)
    out: list[str] = []
    for text, matches in zip(items, find_pii(items, kinds), strict=True):
        for p in reversed(matches):
            text = f"{text[: p.start]}[{p.kind}]{text[p.end :]}"
        out.append(text)
    return out
