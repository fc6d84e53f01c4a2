"""Encodings (issue 12, item 10): real Persian and Arabic text in Windows-1256, UTF-16 and
UTF-8 read right or refused with the right advice — never imported as mojibake.

The texts are real: Persian shop comments and Arabic tweets from ../shared/data, and
the French, Spanish and German holiday names the ``holidays`` package ships.
"""

from __future__ import annotations

import csv
import gettext
import io
import random
from pathlib import Path

import holidays
import pytest

from sanjeh.errors import EncodingError
from sanjeh.ingest import import_file
from sanjeh.ingest._csv import CsvReader
from sanjeh.store import Store

from ._support import rejects_by_row, rows


def _persian(shared: Path) -> list[str]:
    with (shared / "sentiment/fa/digikala_comments.csv").open(encoding="utf-8") as f:
        texts = [r["Text"].strip() for r in csv.DictReader(f)]
    # Windows-1256 has the Arabic ي, not the Persian ی (Excel writes ي)
    return _encodable([t.replace("ی", "ي") for t in texts if t], "cp1256")


def _encodable(texts: list[str], encoding: str) -> list[str]:
    """The texts a code page can hold (Excel writes ? for the characters it lacks)."""
    out = []
    for t in texts:
        try:
            t.encode(encoding)
        except UnicodeEncodeError:
            continue
        out.append(t)
    return out[:400]


def _arabic(shared: Path) -> list[str]:
    with (shared / "sentiment/ar/ajgt.csv").open(encoding="utf-8") as f:
        return _encodable([r["Feed"].strip() for r in csv.DictReader(f)], "cp1256")


def _western() -> list[str]:
    texts = []
    locale = Path(holidays.__file__).parent / "locale"
    for mo in sorted(p for lang in ("fr", "de", "es") for p in locale.glob(f"{lang}/*/*.mo")):
        with mo.open("rb") as f:
            catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
        texts += [t for k, t in catalog.items() if k]
    assert texts, "the holidays package ships no fr / de / es translations"
    return sorted(set(texts))


def _export(texts: list[str], n: int, seed: int) -> str:
    """A helpdesk export: ids and dates in ASCII, the subject in the language."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["ticket_id", "created_at", "subject", "status"])
    for i in range(n):
        writer.writerow([1000 + i, f"2024-03-{1 + i % 28:02d} 08:15:00", rng.choice(texts), "open"])
    return out.getvalue()


def _read(path: Path, **kw) -> list[dict]:
    reader = CsvReader(path, **kw)
    return [r for block in reader.blocks() for r in block.table.to_pylist()]


@pytest.fixture
def texts(shared_data: Path) -> dict[str, list[str]]:
    return {"fa": _persian(shared_data), "ar": _arabic(shared_data), "west": _western()}


@pytest.mark.parametrize(("lang", "page"), [("fa", "cp1256"), ("ar", "cp1256"), ("west", "cp1252")])
@pytest.mark.parametrize("n", [10, 40])
def test_a_windows_code_page_is_named_and_then_read_right(
    texts: dict[str, list[str]], tmp_path: Path, lang: str, page: str, n: int
) -> None:
    path = tmp_path / "tickets.csv"
    for seed in range(5):
        text = _export(texts[lang], n, seed)
        path.write_bytes(text.encode(page))
        with pytest.raises(EncodingError, match=f"not UTF-8 text.*--encoding {page}"):
            CsvReader(path)
        expected = list(csv.DictReader(io.StringIO(text)))
        assert _read(path, encoding=page) == expected


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_32_with_a_mark_need_no_option(
    texts: dict[str, list[str]], tmp_path: Path, encoding: str
) -> None:
    text = _export(texts["fa"], 20, 1)
    path = tmp_path / "tickets.csv"
    bom = "\ufeff" if encoding == "utf-16-be" else ""  # utf-16 and utf-32 write their own
    path.write_bytes((bom + text).encode(encoding))
    assert _read(path) == list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("wrong", ["latin-1", "cp1252"])
def test_windows_1256_read_as_latin_is_refused(
    texts: dict[str, list[str]], tmp_path: Path, wrong: str
) -> None:
    """What the old advice ("looks like latin-1") led to: ÓáÇã instead of سلام."""
    path = tmp_path / "tickets.csv"
    path.write_bytes(_export(texts["fa"], 20, 2).encode("cp1256"))
    with pytest.raises(EncodingError, match=f"read as {wrong}.*garbled.*--encoding cp1256"):
        CsvReader(path, encoding=wrong)


def test_utf8_read_as_windows_1256_is_refused(texts: dict[str, list[str]], tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(_export(texts["fa"], 20, 3), encoding="utf-8")
    with pytest.raises(EncodingError, match=r"is UTF-8 text: read as cp1256.*leave --encoding out"):
        CsvReader(path, encoding="cp1256")


def test_western_text_read_as_windows_1256_is_refused(
    texts: dict[str, list[str]], tmp_path: Path
) -> None:
    path = tmp_path / "tickets.csv"
    spanish = [t for t in texts["west"] if "ñ" in t or "ó" in t] * 3
    path.write_bytes(_export(spanish, 20, 4).encode("cp1252"))
    with pytest.raises(EncodingError, match=r"read as cp1256.*garbled.*--encoding cp1252"):
        CsvReader(path, encoding="cp1256")


def test_text_garbled_before_it_was_saved_is_refused(
    texts: dict[str, list[str]], tmp_path: Path
) -> None:
    """UTF-8 once read as Windows-1256 and saved again as UTF-8: ط³ظ„ط§ظ… for سلام."""
    garbled = _export(texts["fa"], 20, 5).encode("utf-8").decode("cp1256", errors="replace")
    path = tmp_path / "tickets.csv"
    path.write_text(garbled, encoding="utf-8")
    with pytest.raises(EncodingError, match="garbled before this file was written"):
        CsvReader(path)


def test_latin_1_with_windows_punctuation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes("id,subject\n1,It’s “fine”\n2,ok\n".encode("cp1252"))
    with pytest.raises(EncodingError, match=r"control characters.*--encoding cp1252"):
        CsvReader(path, encoding="latin-1")
    assert _read(path, encoding="cp1252")[0]["subject"] == "It’s “fine”"


def test_a_few_windows_1256_rows_in_a_utf8_file_are_rejected_with_advice(
    duckdb_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(
        "ticket_id,subject,created_at\n1,سلام,2026-03-01T08:00:00Z\n".encode()
        + "2,سلام دنيا,2026-03-01T08:00:00Z\n".encode("cp1256")
        + b"3,ok,2026-03-01T08:00:00Z\n"
    )
    summary = import_file(duckdb_store, path)
    assert (summary.rows_read, summary.rejected) == (3, 1)
    assert "--encoding cp1256" in rejects_by_row(duckdb_store)[3]["reason"]
    assert [t["subject"] for t in rows(duckdb_store, "tickets")] == ["سلام", "ok"]


def test_a_byte_the_code_page_lacks_rejects_its_row_only(
    duckdb_store: Store, tmp_path: Path
) -> None:
    """0x81 is no character of Windows-1252: its row is rejected, the import goes on."""
    path = tmp_path / "tickets.csv"
    path.write_bytes(
        b"ticket_id,subject,created_at\n"
        + "1,Ascensión,2026-03-01T08:00:00Z\n".encode("cp1252")
        + b"2,bad \x81 byte,2026-03-01T08:00:00Z\n3,ok,2026-03-01T08:00:00Z\n"
    )
    summary = import_file(duckdb_store, path, encoding="cp1252")
    assert (summary.rows_read, summary.rejected) == (3, 1)
    assert "not cp1252 text (byte 0x81" in rejects_by_row(duckdb_store)[3]["reason"]
    assert [t["subject"] for t in rows(duckdb_store, "tickets")] == ["Ascensión", "ok"]
