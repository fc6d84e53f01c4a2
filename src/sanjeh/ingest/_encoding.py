"""Which text encoding a file is in, and text that an encoding would garble.

A file is decoded without being asked only when its encoding is certain: UTF-8, or a
byte-order mark (UTF-8, UTF-16, UTF-32). Anything else — Windows-1256 from Excel on a
Persian or Arabic Windows, Windows-1252, UTF-16 without a mark — is a measurement, so
the import stops and names what was measured (``--encoding cp1256``): a wrong guess
would store every text garbled. An encoding given by the user is checked too: text it
would turn into Arabic-script mojibake (UTF-8 read as Windows-1256, Windows-1256 read
as Latin-1, …) stops the import with the encoding that reads the file right.

Measuring uses charset-normalizer, restricted to the encodings support exports come in
here (see docs/formats.md, "Encodings", for the accuracy measured on real text).
"""

from __future__ import annotations

import codecs
import re

from ..errors import EncodingError

#: what a file without a byte-order mark may be in (the user's encoding is added)
CANDIDATES = ("utf_8", "cp1256", "cp1252", "utf_16_le", "utf_16_be")
NAMES = {
    "utf-8": "UTF-8",
    "cp1256": "Windows-1256 (Persian / Arabic, as Excel saves CSV on Windows)",
    "cp1252": "Windows-1252 (English / Western European, as Excel saves CSV on Windows)",
    "utf-16-le": "UTF-16 without a byte-order mark (little-endian)",
    "utf-16-be": "UTF-16 without a byte-order mark (big-endian)",
}
#: longest first: the UTF-32 LE mark begins with the UTF-16 LE one
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
#: a word with a letter outside ASCII (shown as an example of what a reading gives)
_WORD = re.compile(r"[^\s,;|\"'()]*[^\x00-\x7f][^\s,;|\"'()]*")


def codec_name(encoding: str) -> str:
    """The canonical name of an encoding (``UTF8`` → ``utf-8``); a clear error if unknown."""
    return codecs.lookup(encoding).name


def is_utf8(encoding: str) -> bool:
    return encoding.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig")


def bom_encoding(sample: bytes) -> str | None:
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    return None


def whole_lines(sample: bytes) -> bytes:
    """The sample without a last line that reading may have cut mid-character."""
    if b"\x00" in sample:  # UTF-16 / 32: keep whole code units
        return sample[: len(sample) // 4 * 4]
    end = sample.rfind(b"\n")
    return sample[: end + 1] if end > 0 else sample


def measure(sample: bytes, also: str | None = None) -> str | None:
    """The most likely encoding of ``sample`` (canonical name), or None when unsure."""
    from charset_normalizer import from_bytes  # imported on demand: it loads tables

    candidates = list(CANDIDATES)
    if also and codec_name(also) not in {codec_name(c) for c in candidates}:
        candidates.append(also)
    best = from_bytes(whole_lines(sample), cp_isolation=candidates).best()
    return codec_name(best.encoding) if best else None


def hint(line: bytes) -> str:
    """Advice for one line that is not UTF-8: the encoding it looks like, if one does."""
    found = measure(line + b"\n")
    if not found or is_utf8(found):
        return "re-save the file as UTF-8"
    return f"it looks like {describe(found)}: {_advice(found)}"


def describe(encoding: str) -> str:
    return NAMES.get(codec_name(encoding), encoding)


def _advice(encoding: str) -> str:
    return f"pass --encoding {encoding} or re-save the file as UTF-8"


def choose(path: object, sample: bytes, encoding: str) -> str:
    """The encoding to read the file with; an ``EncodingError`` when it cannot be read right.

    ``encoding`` is what the user gave (``utf-8`` when nothing was given).
    """
    try:
        given = codec_name(encoding)
    except LookupError:
        raise EncodingError(path, f"unknown encoding {encoding!r}") from None
    bom = bom_encoding(sample)
    if bom:
        if is_utf8(given) or codec_name(bom).split("-")[:2] == given.split("-")[:2]:
            return bom  # the mark is certain
        raise EncodingError(
            path,
            f"the file starts with a {bom.upper().removesuffix('-SIG')} byte-order mark, but "
            f"--encoding {encoding} was given: leave --encoding out",
        )
    if is_utf8(given):
        _check_utf8(path, sample)
        return "utf-8"
    problem = garbled(sample, given, shown=encoding)
    if problem:
        raise EncodingError(path, problem)
    return given


def _check_utf8(path: object, sample: bytes) -> None:
    """Stop when the file is not UTF-8 text (a few bad lines are rejected one by one)."""
    lines = whole_lines(sample).split(b"\n")
    bad = 0
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
    nuls = sample.count(b"\x00")
    if (lines and bad > max(2, len(lines) // 5)) or nuls > len(sample) // 10:
        found = measure(sample)
        what = f"it looks like {describe(found)}: {_advice(found)}" if found else ""
        if not found or found == "utf-8":
            what = "re-save it as UTF-8, or pass --encoding with the encoding it was saved in"
        raise EncodingError(
            path,
            f"the file is not UTF-8 text ({bad} of the first {len(lines)} lines are not"
            + (", and it holds NUL bytes" if nuls else "")
            + f"); {what}",
        )
    text = whole_lines(sample).decode("utf-8", errors="replace")
    original = _undo_double_encoding(text)
    if original:
        bad_word, good_word = original
        raise EncodingError(
            path,
            "the text was garbled before this file was written: it is UTF-8 that was read as "
            f"Windows-1256 and saved again ({bad_word!r} stands for {good_word!r}); export it "
            "again from the source",
        )


def _undo_double_encoding(text: str) -> tuple[str, str] | None:
    """A garbled word and what it stands for, when the text is UTF-8 read as Windows-1256."""
    if len(_ARABIC.findall(text)) < 6:
        return None
    try:
        original = text.encode("cp1256").decode("utf-8")
    except UnicodeError:
        return None
    if original == text:
        return None
    return _first_difference(text, original)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _first_difference(text: str, other: str) -> tuple[str, str]:
    """The first word two readings of the same bytes disagree on (as each reads it)."""
    for line, other_line in zip(text.splitlines(), other.splitlines(), strict=False):
        if line != other_line:
            words = zip(_WORD.findall(line), _WORD.findall(other_line), strict=False)
            for word, other_word in words:
                if word != other_word:
                    return word, other_word
            return line[:40], other_line[:40]
    return text[:40], other[:40]


def garbled(sample: bytes, encoding: str, shown: str = "") -> str | None:
    """Why reading ``sample`` as ``encoding`` would give Arabic-script mojibake (None: fine).

    Two checks: bytes that are UTF-8 (they decode as UTF-8 exactly, non-ASCII included)
    read as a one-byte code page; and an encoding other than the one measured, where
    one of the two readings is Arabic script (Windows-1256 read as Latin-1 or 1252,
    Western text read as Windows-1256).
    """
    data = whole_lines(sample)
    shown = shown or encoding
    text = data.decode(encoding, errors="replace")
    one_byte = "utf" not in encoding
    if one_byte and re.search(rb"[\x80-\xff]", data):
        try:
            as_utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            as_utf8 = None
        if as_utf8 is not None:
            example, right = _first_difference(text, as_utf8)
            return (
                f"the file is UTF-8 text: read as {shown} it would be garbled "
                f"({example!r} instead of {right!r}); leave --encoding out"
            )
    # a few lines the given encoding cannot decode are rejected one by one and the rest
    # decide; many such lines are evidence against the encoding itself
    lines = data.split(b"\n")
    readable = [line for line in lines if _decodes(line, encoding)]
    few = len(lines) - len(readable) <= max(2, len(lines) // 5)
    found = measure(b"\n".join(readable) + b"\n" if few else data, also=encoding)
    other = data.decode(found, errors="replace") if found and found != encoding else text
    if found and other != text and (_ARABIC.search(text) or _ARABIC.search(other)):
        example, right = _first_difference(text, other)
        return (
            f"read as {shown} the text would be garbled ({example!r}); it looks like "
            f"{describe(found)}, which reads it as {right!r}: pass --encoding {found}"
        )
    controls = re.search(r"[^\s,;|\"']*[\x80-\x9f][^\s,;|\"']*", text)
    if one_byte and controls:  # C1 controls: what Windows-1252 reads as ’ “ ” € …
        right = data.decode("cp1252", errors="replace")
        return (
            f"read as {shown} the text holds control characters ({controls.group()!r}); "
            f"Windows-1252 reads them as punctuation ({_first_difference(text, right)[1]!r}): "
            "pass --encoding cp1252"
        )
    return None
