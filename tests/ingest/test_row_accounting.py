"""No row vanishes: rows read = rows accepted + rows rejected, for every import format.

Hypothesis writes files in each format's shape (``_shapes.py``) mixing valid rows with
broken ones — a bare carriage return inside an unquoted value (issue 12: such a row
was dropped without a word), a stray quote, too few or too many fields, an invalid
value, bytes that are not UTF-8, a NUL byte (issue 23: PostgreSQL cannot store one) —
and lines that are no rows (empty, blank, a blank
last line). Each file is imported into a fresh DuckDB store; the test knows which line
each row starts on and checks that every record is read, the broken ones (and only
they) are rejected by their line, the others are in the store, and that importing the
same file again changes nothing.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.errors import IngestError
from sanjeh.ingest import all_formats, import_file
from sanjeh.store import Store

from ._shapes import Shape, shapes, write_mapping

SHAPES = shapes()
#: kinds of rows; "blank" and "spaces" are lines that are no rows
GOOD = ("valid", "cr")
BROKEN = ("stray_quote", "few_fields", "many_fields", "not_utf8", "invalid", "nul")
EMPTY = ("blank", "spaces")
#: free text: Persian, a comma and a quote (quoted as CSV wants), a newline inside quotes.
#: Not at its start: after a stray quote a line before, ``,"`` + delimiter or newline reads
#: as the stray value's closing quote — a file any CSV reader takes the same (wrong) way
TEXT = st.text(alphabet="ab سلامی,\"'\n", min_size=1, max_size=10).filter(
    lambda t: bool(t.strip()) and t[0] not in ',;"\n'
)
PLAIN = st.text(alphabet="abxyz سلامی", min_size=1, max_size=8).filter(lambda t: t.strip())
NOT_UTF8 = "سلام".encode("cp1256")


def test_every_format_has_a_shape() -> None:
    """A new format must be added to ``_shapes.py`` so this accounting covers it. Call
    transcripts (their segments need the calls stored first, one document per call) are
    counted in ``test_transcript_accounting.py``; Zendesk Guide articles (one JSON
    document) in ``test_zendesk_guide.py``."""
    documents = {"zendesk_guide"}
    rows = {n for n, f in all_formats().items() if not f.parents_required} - documents
    assert rows <= set(SHAPES), rows - set(SHAPES)
    transcripts = set(all_formats()) - rows - documents
    assert transcripts == {
        *("aws_transcribe", "contact_lens", "google_speech", "azure_speech"),
        *("webvtt", "srt", "transcript_jsonl"),
    }


@st.composite
def files(draw: st.DrawFn, shape: Shape) -> tuple[bytes, list[str], dict[int, str]]:
    """A file's bytes, the kind of each record, and the line each record starts on."""
    # every kind at least once (an example is costly: two imports), in any order
    more = draw(st.lists(st.sampled_from(GOOD + BROKEN + EMPTY), max_size=6))
    kinds = draw(st.permutations([*GOOD, *BROKEN, *EMPTY, *more]))
    if kinds.count("not_utf8") > 2:  # more would make it a file in another encoding
        kinds = [k for k in kinds if k != "not_utf8"] + ["not_utf8"]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    d = shape.delimiter
    lines: list[bytes] = [d.join(shape.columns).encode()]
    kind_of: dict[int, str] = {}
    line = 2
    invalid = itertools.cycle(sorted(shape.invalid.items()))
    for i, kind in enumerate(kinds):
        if kind in EMPTY:
            lines.append(b"" if kind == "blank" else b"  ")
            line += 1
            continue
        free = draw(PLAIN) if kind in ("cr", "stray_quote") else draw(TEXT)
        row = shape.valid(i, free)
        if kind == "invalid":
            column, value = next(invalid)
            row[column] = value
        fields = [_quoted(row[c], d) for c in shape.columns]
        at = shape.columns.index(shape.text_column)
        if kind == "cr":  # a bare carriage return inside an unquoted value: just text
            fields[at] = row[shape.text_column][:1] + "\r" + row[shape.text_column][1:]
        elif kind == "stray_quote":
            fields[at] = '"' + row[shape.text_column]
        elif kind == "nul":  # in the free text, which every format reads
            fields[at] = _quoted(
                row[shape.text_column][:1] + "\x00" + row[shape.text_column][1:], d
            )
        elif kind == "few_fields":
            fields = fields[:-1]
        elif kind == "many_fields":
            fields.append("extra")
        text = d.join(fields).encode()
        if kind == "not_utf8":
            text = d.join([*fields[:at], "\x00", *fields[at + 1 :]]).encode()
            text = text.replace(b"\x00", NOT_UTF8)
        kind_of[line] = kind
        lines.append(text)
        line += 1 + text.count(b"\n")
    data = end.encode().join(lines)
    if draw(st.booleans()):
        data += end.encode() * draw(st.integers(1, 2))  # last newline, or a blank last line
    return data, kinds, kind_of


def _quoted(value: str, delimiter: str) -> str:
    if any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


_TEMPLATE: dict[str, Path] = {}


def _fresh_store(folder: Path) -> Store:
    """An empty DuckDB store in a file (copied from one created once: opening is faster)."""
    if "store" not in _TEMPLATE:
        template = Path(folder.parent / "template.duckdb")
        with Store.open(str(template)) as store:
            store.init()
        _TEMPLATE["store"] = template
    path = folder / "store.duckdb"
    shutil.copy(_TEMPLATE["store"], path)
    return Store.open(str(path))


def _check(name: str, shape: Shape, folder: Path, data: bytes, kind_of: dict[int, str]) -> None:
    path = folder / shape.file_name
    path.write_bytes(data)
    mapping = write_mapping(shape, folder)
    with _fresh_store(folder) as store:
        kw = {"format": name, "mapping": mapping, "params": shape.params}
        try:
            summary = import_file(store, path, **kw)
        except IngestError as exc:  # a file refused whole (e.g. no row is a helpdesk log's)
            assert str(path) in str(exc)
            assert all(n == 0 for n in store.counts().values())  # and nothing was written
            return
        broken = {line for line, kind in kind_of.items() if kind in BROKEN}
        rejected = {r["row"] for r in store.table("import_rejects").to_pyarrow().to_pylist()}
        assert summary.rows_read == len(kind_of), (summary.as_dict(), kind_of)
        assert rejected == broken, (summary.as_dict(), kind_of)
        assert summary.rejected == len(broken)
        accepted = len(kind_of) - len(broken)
        assert summary.rows_read == accepted + summary.rejected
        if shape.accepted is not None:
            assert shape.accepted(store) == accepted, (summary.as_dict(), kind_of)
        log = store.table("import_log").to_pyarrow().to_pylist()
        assert [(r["rows_read"], r["rejected"]) for r in log] == [(len(kind_of), len(broken))]

        before = {t: n for t, n in store.counts().items() if t != "import_log"}
        again = import_file(store, path, **kw)
        assert again.inserted == 0 and again.replaced == 0, again.as_dict()
        assert (again.rows_read, again.rejected) == (summary.rows_read, summary.rejected)
        assert {t: n for t, n in store.counts().items() if t != "import_log"} == before


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_rows_read_are_accepted_or_rejected(name: str, tmp_path_factory) -> None:
    shape = SHAPES[name]
    # Sanjeh's own tables share one reader: the tickets get the examples the others skip
    native = name in _native_names() and name != "tickets"
    counter = itertools.count()

    @settings(
        max_examples=1 if native else 4,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(generated=files(shape))
    def run(generated: tuple[bytes, list[str], dict[int, str]]) -> None:
        data, _kinds, kind_of = generated
        folder = tmp_path_factory.mktemp(f"{name}-{next(counter)}")
        _check(name, shape, folder, data, kind_of)

    run()


def _native_names() -> set[str]:
    from sanjeh.model import TABLES

    return set(TABLES)
