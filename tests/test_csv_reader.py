"""The streaming CSV reader: exact line numbers, bad rows isolated, nothing lost."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.errors import EmptyFile, EncodingError, IngestError
from sanjeh.ingest._csv import CsvReader


def read_all(path: Path, **kw) -> tuple[list[dict], list[int], list]:
    reader = CsvReader(path, **kw)
    rows: list[dict] = []
    lines: list[int] = []
    rejects: list = []
    for block in reader.blocks():
        rows += block.table.to_pylist()
        lines += [int(x) for x in block.lines]
        rejects += block.rejects
    return rows, lines, rejects


def test_plain_file(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("id,name\n1,سارا\n2,\n", encoding="utf-8")
    rows, lines, rejects = read_all(p)
    assert rows == [{"id": "1", "name": "سارا"}, {"id": "2", "name": None}]
    assert lines == [2, 3]
    assert rejects == []


def test_line_numbers_count_multiline_values(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text('id,body\n1,"one\ntwo\nthree"\n2,x\n3,"a ""quoted"" word"\n4,y', encoding="utf-8")
    rows, lines, rejects = read_all(p)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["body"] == "one\ntwo\nthree"
    assert rows[2]["body"] == 'a "quoted" word'
    assert lines == [2, 5, 6, 7]
    assert rejects == []


def test_wrong_field_count_is_rejected_with_its_line(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("id,name,at\n1,a,x\n2,b\n3,c,z,extra\n4,d,w\n", encoding="utf-8")
    rows, lines, rejects = read_all(p)
    assert [r["id"] for r in rows] == ["1", "4"]
    assert lines == [2, 5]
    assert [(r.row, r.raw) for r in rejects] == [(3, "2,b"), (4, "3,c,z,extra")]
    assert "has 2 fields, the header has 3" in rejects[0].reason


def test_stray_quote_loses_only_its_own_row(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text('id,name,n\n1,a,1\n2,"oops,2\n3,c,3\n4,d,4\n5,"fine",5\n', encoding="utf-8")
    rows, lines, rejects = read_all(p)
    assert [r["id"] for r in rows] == ["1", "3", "4", "5"]
    assert lines == [2, 4, 5, 6]
    assert [r.row for r in rejects] == [3]
    assert rejects[0].raw == '2,"oops,2'


def test_invalid_utf8_line_is_rejected_and_kept(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes("id,name\n1,علی\n".encode() + "2,علي\n".encode("cp1256") + b"3,ok\n")
    rows, lines, rejects = read_all(p)
    assert [r["id"] for r in rows] == ["1", "3"]
    assert lines == [2, 4]
    assert len(rejects) == 1 and rejects[0].row == 3
    assert "not valid UTF-8" in rejects[0].reason
    assert rejects[0].raw.startswith("2,\\x")  # the original bytes survive, escaped


def test_bom_crlf_and_semicolons(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(b"\xef\xbb\xbfcase;activity\r\n7;0\r\n7;1\r\n")
    reader = CsvReader(p)
    assert reader.delimiter == ";" and reader.header == ["case", "activity"]
    rows, lines, _ = read_all(p)
    assert rows == [{"case": "7", "activity": "0"}, {"case": "7", "activity": "1"}]
    assert lines == [2, 3]


def test_blank_lines_are_skipped_not_rejected(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("id,n\n1,2\n\n3,4\n\n", encoding="utf-8")
    rows, lines, rejects = read_all(p)
    assert [r["id"] for r in rows] == ["1", "3"]
    assert lines == [2, 4]
    assert rejects == []


def test_header_only_has_no_rows(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("id,name\n", encoding="utf-8")
    assert read_all(p)[0] == []


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("\n\n", encoding="utf-8")
    with pytest.raises(EmptyFile, match=r"a\.csv: the file is empty"):
        CsvReader(p)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_byte_order_mark_decides_the_encoding(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "a.csv"
    bom = "\ufeff" if encoding == "utf-16-be" else ""
    p.write_bytes((bom + "id,name\r\n1,سارا\r\n2,x\r\n").encode(encoding))
    rows, lines, rejects = read_all(p)
    assert rows == [{"id": "1", "name": "سارا"}, {"id": "2", "name": "x"}]
    assert lines == [2, 3] and not rejects


def test_utf16_without_a_mark_is_an_error_with_advice(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes("id,name\n1,سارا\n2,x\n".encode("utf-16-le"))
    with pytest.raises(EncodingError, match=r"UTF-16.*--encoding utf-16-le"):
        CsvReader(p)
    assert read_all(p, encoding="utf-16-le")[0][0] == {"id": "1", "name": "سارا"}


def test_cp1256_file_is_an_error_suggesting_the_encoding(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(("id,name\n" + "".join(f"{i},سلام دنيا\n" for i in range(50))).encode("cp1256"))
    with pytest.raises(EncodingError, match=r"--encoding cp1256"):
        CsvReader(p)
    rows, _, rejects = read_all(p, encoding="cp1256")
    assert len(rows) == 50 and rows[0]["name"] == "سلام دنيا" and not rejects


rows_strategy = st.lists(
    st.tuples(
        st.text(alphabet='ab,\n"سx ', max_size=12),
        st.text(alphabet="0123456789", min_size=1, max_size=3),
        st.booleans(),  # make this row broken (a missing field)
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy, block=st.sampled_from([16, 64, 1 << 20]))
def test_any_file_yields_every_row_once_with_its_line(tmp_path: Path, rows, block) -> None:
    """Good rows come back with their exact line, broken rows are rejected with theirs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["body", "n"])
    expected_good, expected_bad = [], []
    line = 2
    for body, n, broken in rows:
        if broken:
            out.write(f"{n}\n")  # one field instead of two, no quotes
            expected_bad.append(line)
            line += 1
            continue
        writer.writerow([body, n])
        expected_good.append(({"body": body or None, "n": n}, line))
        line += 1 + body.count("\n")
    p = tmp_path / "prop.csv"
    p.write_text(out.getvalue(), encoding="utf-8")
    got, lines, rejects = read_all(p, block_bytes=block)
    assert list(zip(got, lines, strict=True)) == expected_good
    assert [r.row for r in rejects] == expected_bad


def test_a_bare_carriage_return_is_part_of_its_value(tmp_path: Path) -> None:
    """Records end at a newline; a CR inside an unquoted value used to drop the row
    (neither read nor rejected), because the csv module refuses it."""
    p = tmp_path / "a.csv"
    p.write_bytes(b'id,text\r\n1,one\rtwo\r\n2,x\r\n3,"q\rz"\r\n')
    rows, lines, rejects = read_all(p)
    assert rows == [
        {"id": "1", "text": "one\rtwo"},
        {"id": "2", "text": "x"},
        {"id": "3", "text": "q\rz"},
    ]
    assert lines == [2, 3, 4] and rejects == []


def test_lines_ended_by_a_carriage_return_alone_are_an_error(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(b"id,text\r1,a\r2,b\r")
    with pytest.raises(IngestError, match="carriage return alone"):
        CsvReader(p)


def test_a_long_value_in_a_troubled_block_is_kept(tmp_path: Path) -> None:
    """The slow parser takes values as long as the fast one does (csv's limit is 128 KB)."""
    p = tmp_path / "a.csv"
    long = "x" * 200_000
    p.write_text(f"id,text\n1,{long}\n2\n", encoding="utf-8")
    rows, lines, rejects = read_all(p)
    assert rows == [{"id": "1", "text": long}] and lines == [2]
    assert [r.row for r in rejects] == [3]


@pytest.mark.parametrize(
    ("line", "why"),
    [('1,"a"b', "text follows the closing quote"), ('1,"ab', "never closes")],
)
def test_a_quote_out_of_place_rejects_its_row(tmp_path: Path, line: str, why: str) -> None:
    """The lenient csv module would read ``"a"b`` as ``ab`` and ``"ab`` as ``ab``."""
    p = tmp_path / "a.csv"
    p.write_text(f"id,text\n{line}\n2,ok\n", encoding="utf-8")
    rows, lines, rejects = read_all(p)
    assert rows == [{"id": "2", "text": "ok"}] and lines == [3]
    assert [r.row for r in rejects] == [2] and why in rejects[0].reason


def test_inch_marks_inside_values_are_text(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text('id,text\n1,Monitor 24" black\n2,TV 55"\n', encoding="utf-8")
    rows, _, rejects = read_all(p)
    assert [r["text"] for r in rows] == ['Monitor 24" black', 'TV 55"'] and not rejects


@pytest.mark.parametrize("block", [64, 1 << 20])
def test_well_quoted_files_take_the_fast_path(
    tmp_path: Path, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file quoting every value (what pyarrow, pandas and many exports write) must not
    fall back to the line-by-line parser: every block starts and may end with a quote."""
    p = tmp_path / "quoted.csv"
    body = "".join(f'"e{i}","t{i}",2026-01-01,"سلام، {i}"\n' for i in range(200))
    p.write_text('"id","ticket","at","body"\n' + body + '"e200","t200",2026-01-02,"x"')

    def slow(*args: object, **kw: object) -> None:
        raise AssertionError("a well-quoted block went to the slow parser")

    monkeypatch.setattr(CsvReader, "_parse_slow", slow)
    rows, lines, rejects = read_all(p, block_bytes=block)
    assert len(rows) == 201 and not rejects
    assert rows[0] == {"id": "e0", "ticket": "t0", "at": "2026-01-01", "body": "سلام، 0"}
    assert lines[-1] == 202
