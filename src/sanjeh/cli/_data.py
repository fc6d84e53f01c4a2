"""Commands that manage data: init, import, status, export, formats, rejects, demo."""

from __future__ import annotations

import collections
import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ..errors import ConfigError
from ..store import Store
from ..store._url import duckdb_file
from ._console import console, err_console, esc, plain, progress_bar
from ._options import DbOption, JsonOption, open_store, store_url

if TYPE_CHECKING:
    from ..ingest import ImportSummary
    from ..web._server_lock import RunningServer

#: (bytes done, bytes in all)
ProgressCallback = Callable[[int, int], None]

_REDACT_HELP = (
    "Replace personal data (e-mails, phones, cards, national ids, IBANs in message bodies, "
    "survey comments and subjects; customers' names and e-mails)."
)


def _parse_params(items: list[str]) -> dict[str, str]:
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--option {item!r} must look like key=value")
        params[key.strip()] = value.strip()
    return params


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return files


def _running_server(db: str | None) -> RunningServer | None:
    """The live `sanjeh serve` of a DuckDB file store (None: import directly). The web
    package is loaded only when a server file exists."""
    url = store_url(db)
    file = duckdb_file(url)
    if file is None or not Path(f"{file.resolve()}.server.json").is_file():
        return None
    from ..web._server_lock import find_server

    return find_server(url)


def _import_options(
    format: str | None,
    source: str | None,
    timezone: str | None,
    encoding: str,
    strict: bool,
    redact: bool,
    option: list[str] | None,
) -> list[tuple[str, str]]:
    """The import's options as the server's query parameters (``POST /api/imports``)."""
    given = {"format": format, "source": source, "timezone": timezone, "encoding": encoding}
    found = [(key, value) for key, value in given.items() if value is not None]
    found += [(key, "true") for key, on in (("strict", strict), ("redact", redact)) if on]
    return found + [("option", item) for item in option or []]


def _summary_of(data: dict[str, Any]) -> ImportSummary:
    """The summary a server sent (``ImportSummary.as_dict()``), whole again."""
    from ..ingest import ImportSummary
    from ..store import WriteResult

    return ImportSummary(
        path=data["path"],
        format=data["format"],
        source=data["source"],
        import_id=data["import_id"],
        rows_read=data["rows_read"],
        tables={name: WriteResult(**r) for name, r in data["tables"].items()},
        rejected=data["rejected"],
        reasons=collections.Counter(data["reasons"]),
        examples=list(data["examples"]),
        ignored_columns=list(data["ignored_columns"]),
        seconds=float(data["seconds"]),
    )


def init(db: DbOption = None) -> None:
    """Create the store and its tables (safe to repeat)."""
    with open_store(db, create=True) as store:
        created = store.init()
        console.print(
            f"store ready: {esc(repr(store))}"
            + (f" ({len(created)} tables created)" if created else "")
        )


def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="Format name (see `sanjeh formats`).")
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="Mapping file of a ticket-summary export or an event log."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source name ids are prefixed with.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Time zone of timestamps without an offset.")
    ] = None,
    encoding: Annotated[
        str, typer.Option(help="Text encoding of the file (utf-8, cp1256, cp1252 …).")
    ] = "utf-8",
    strict: Annotated[bool, typer.Option(help="Abort on the first bad row.")] = False,
    redact: Annotated[bool, typer.Option(help=_REDACT_HELP)] = False,
    option: Annotated[
        list[str] | None, typer.Option("--option", "-o", help="Format setting key=value.")
    ] = None,
    channels: Annotated[
        str, typer.Option(help="Recordings: who is on the left and the right channel.")
    ] = "agent,customer",
    call_map: Annotated[
        Path | None,
        typer.Option(help="Recordings: CSV of file,call_id (default: the file name is the id)."),
    ] = None,
    vad: Annotated[
        str, typer.Option(help="Recordings: speech detector, energy or webrtc.")
    ] = "energy",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import files (CSV, Excel .xlsx, JSON Lines, Parquet; Sanjeh's own or a known
    export format, e.g. a ServiceNow incident log, or any event log with a mapping) and
    stereo call recordings (.wav .flac .mp3: speech found on each channel, then analysed).

    Text must be UTF-8 (or carry a byte-order mark); for another encoding the import
    stops and names the one it measured (--encoding cp1256). While `sanjeh serve` runs
    on the same DuckDB file, the files are imported through it (recordings are not: stop
    the server to import them)."""
    from ..speech import AUDIO_SUFFIXES

    files = _expand(paths)
    recordings = [p for p in files if p.suffix.lower() in AUDIO_SUFFIXES]
    if recordings:
        _import_recordings(recordings, channels, source, call_map, vad, db, as_json)
        files = [p for p in files if p.suffix.lower() not in AUDIO_SUFFIXES]
        if not files:
            return
    from ..ingest import import_file
    from ..settings import check_timezone, import_settings, load_settings

    settings = load_settings()
    tolerance = import_settings(settings).future_tolerance
    params = _parse_params(option or [])
    if timezone is not None:
        check_timezone(timezone, "--timezone")
    if "timezone" in params:
        check_timezone(params["timezone"], "--option timezone")
    server = _running_server(db)
    if server is not None:  # it owns the file: it imports them (same result, same rejects)
        err_console.print(f"(through the running server at {esc(server.url)})", highlight=False)
    options = _import_options(format, source, timezone, encoding, strict, redact, option)

    def one(store: Store | None, path: Path, update: ProgressCallback) -> ImportSummary:
        if server is not None:
            from ..web._server_lock import send_import

            sent = send_import(server, path, options, mapping=mapping, progress=update)
            return _summary_of(sent)
        assert store is not None
        return import_file(
            store,
            path,
            format=format,
            source=source,
            mapping=mapping,
            timezone=timezone,
            default_timezone=settings.timezone,
            encoding=encoding,
            strict=strict,
            chunk_rows=settings.chunk_rows,
            params=params,
            progress=update,
            redact=redact,
            future_tolerance=tolerance,
        )

    results = []
    with contextlib.ExitStack() as stack:
        store = None if server else stack.enter_context(open_store(db, create=True))
        for path in files:
            with progress_bar(f"importing {path.name}", unit="bytes") as update:
                summary = one(store, path, update)
            results.append(summary)
            if not as_json:
                _print_summary(summary)
    if as_json:
        console.print_json(json.dumps([s.as_dict() for s in results], ensure_ascii=False))


def _import_recordings(
    files: list[Path],
    channels: str,
    source: str | None,
    call_map: Path | None,
    vad: str,
    db: str | None,
    as_json: bool,
) -> None:
    """Stereo recordings → speech segments of their calls → call_speech."""
    from ..speech import DETECTORS, VadSettings, import_recordings

    if _running_server(db) is not None:
        raise ConfigError(
            "recordings are imported into the store directly, and `sanjeh serve` holds it: "
            "stop the server, import the recordings, start it again"
        )
    if vad not in DETECTORS:
        raise ConfigError(f"--vad must be one of {', '.join(DETECTORS)}, not {vad!r}")
    settings = VadSettings(detector="webrtc" if vad == "webrtc" else "energy")
    with open_store(db, create=True) as store:
        with progress_bar("finding speech in recordings") as update:
            summary = import_recordings(
                store,
                files,
                channels=channels,
                source=source,
                mapping=call_map,
                settings=settings,
                analyze=False,
                progress=update,
            )
        if summary.accepted:
            from ..speech import analyze_calls

            with progress_bar("analysing calls") as update:
                summary.analysis = analyze_calls(store, progress=update)
    if as_json:
        console.print_json(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    console.print(
        f"recordings: {summary.read:,} read, {summary.accepted:,} accepted, "
        f"{summary.rejected:,} rejected ({summary.audio_seconds / 60:,.1f} min of audio "
        f"in {summary.seconds:.1f}s)",
        highlight=False,
    )
    segments = sum(f.segments for f in summary.files)
    new = sum(f.inserted for f in summary.files)
    changed = sum(f.replaced + f.removed for f in summary.files)
    console.print(
        f"call_segments: {segments:,} found, {new:,} new, {changed:,} replaced or removed",
        highlight=False,
    )
    if summary.analysis is not None:
        a = summary.analysis
        console.print(
            f"call_speech: {a.calls:,} calls analysed ({a.inserted:,} new, "
            f"{a.replaced:,} replaced)",
            highlight=False,
        )
    for f in summary.files:
        if not f.accepted:
            err_console.print(
                f"[yellow]rejected[/] {esc(Path(f.path).name)}: {esc(f.reason)}", highlight=False
            )


def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show the store's tables and row counts."""
    with open_store(db, read_only=True) as store:
        counts = store.counts()
        if as_json:
            console.print_json(json.dumps({"store": repr(store), "tables": counts}))
            return
        table = Table(title=plain(repr(store)), title_justify="left")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, n in counts.items():
            table.add_row(name, f"{n:,}")
        console.print(table)
        if counts.get("import_rejects"):
            console.print(
                f"[yellow]{counts['import_rejects']:,} rejected rows are "
                "quarantined: see `sanjeh rejects`[/]"
            )


def export(
    table: Annotated[
        str | None, typer.Argument(help="Table to export, e.g. tickets (with --lake: all).")
    ] = None,
    path: Annotated[Path | None, typer.Argument(help="Output file (.csv or .parquet).")] = None,
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="csv or parquet (default: suffix).")
    ] = None,
    lake: Annotated[
        Path | None,
        typer.Option(
            "--lake",
            help="Write the canonical tables (or TABLE) to this folder as a Parquet lake, "
            "by month (docs/lake.md); `sanjeh serve --db lake:///DIR` reads it.",
        ),
    ] = None,
    redact: Annotated[bool, typer.Option(help=_REDACT_HELP)] = False,
    db: DbOption = None,
) -> None:
    """Export a table in Sanjeh's own format (imports back unchanged), or the store as a
    Parquet lake (--lake DIR)."""
    if lake is not None:
        if path is not None or format is not None:
            raise ConfigError(
                "with --lake, give no PATH nor --format: the lake's folder is its place and "
                "Parquet its format (`sanjeh export --lake DIR`, or "
                "`sanjeh export TABLE --lake DIR`)"
            )
        _export_lake(lake, table, redact, db)
        return
    if table is None or path is None:
        raise ConfigError(
            "say what to export: `sanjeh export TABLE PATH` (one table to a .csv or "
            ".parquet file) or `sanjeh export --lake DIR` (every table, as a Parquet lake)"
        )
    if format not in (None, "csv", "parquet"):
        raise ConfigError(f"--format must be csv or parquet, not {format!r}")
    with open_store(db, read_only=True) as store:
        rows = store.export(table, path, format, redact=redact)  # type: ignore[arg-type]
    console.print(f"wrote {rows:,} rows of {esc(table)} to {esc(path)}", highlight=False)


def _export_lake(lake: Path, table: str | None, redact: bool, db: str | None) -> None:
    from ..store._lake import export_lake

    tables = None if table is None else [table]
    with (
        open_store(db, read_only=True) as store,
        progress_bar(f"exporting to {lake}", unit="rows") as update,
    ):
        written = export_lake(store, lake, tables=tables, redact=redact, progress=update)
    summary = Table(title=f"Parquet lake {esc(str(lake))}", title_justify="left")
    summary.add_column("table")
    summary.add_column("rows", justify="right")
    for name, rows in written.items():
        summary.add_row(esc(name), f"{rows:,}")
    console.print(summary)
    console.print(
        f"wrote {sum(written.values()):,} rows of {len(written)} tables; serve them "
        f"read-only:\n  sanjeh serve --db lake://{esc(str(lake.resolve()))}",
        highlight=False,
    )


def formats(as_json: JsonOption = False) -> None:
    """List the import formats."""
    from ..ingest import all_formats

    found = all_formats()
    if as_json:
        console.print_json(
            json.dumps(
                {
                    name: {"title": f.title, "tables": list(f.tables), "files": list(f.kinds)}
                    for name, f in found.items()
                }
            )
        )
        return
    table = Table("format", "what", "writes", "files")
    for name, fmt in found.items():
        table.add_row(name, fmt.title, ", ".join(fmt.tables), ", ".join(fmt.kinds))
    console.print(table)


def rejects(
    limit: Annotated[int, typer.Option(help="Show at most this many rows.")] = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show quarantined rows: file, row, field and reason."""
    with open_store(db, read_only=True) as store:
        t = store.table("import_rejects")
        rows = t.order_by([t.path, t.row]).limit(limit).to_pyarrow().to_pylist()
        total = int(store.con.execute(t.count()))
    if as_json:
        console.print_json(json.dumps(rows, default=str, ensure_ascii=False))
        return
    table = Table(
        "file",
        "row",
        "field",
        "reason",
        "value",
        title=f"{total:,} quarantined rows",
        title_justify="left",
    )
    for r in rows:
        table.add_row(
            plain(Path(r["path"]).name),
            str(r["row"]),
            plain(r["field"] or ""),
            plain(r["reason"]),
            plain((r["value"] or "")[:40]),
        )
    console.print(table)


def data_app_commands(app: typer.Typer) -> None:
    app.command()(init)
    app.command("import")(import_)
    app.command()(status)
    app.command()(export)
    app.command()(formats)
    app.command()(rejects)


def _print_summary(summary: object) -> None:
    from ..ingest import ImportSummary

    assert isinstance(summary, ImportSummary)
    console.print(
        f"[bold]{esc(summary.path)}[/] ({esc(summary.format)}, source {esc(summary.source)}): "
        f"{summary.rows_read:,} rows read in {summary.seconds:.1f}s"
    )
    if summary.tables:
        table = Table("table", "inserted", "replaced", "unchanged", box=None, padding=(0, 2))
        for name, r in summary.tables.items():
            table.add_row(name, f"{r.inserted:,}", f"{r.replaced:,}", f"{r.unchanged:,}")
        console.print(table)
    if summary.ignored_columns:
        console.print(
            "[yellow]ignored columns (not in the model): "
            f"{esc(', '.join(summary.ignored_columns))}[/]"
        )
    if summary.rejected:
        err_console.print(f"[yellow]{summary.rejected:,} rows rejected and quarantined[/]")
        for reason, n in summary.reasons.most_common(8):
            err_console.print(f"  {n:>6,}  {esc(reason)}", highlight=False, soft_wrap=True)
        for example in summary.examples[:3]:
            err_console.print(f"  e.g. {esc(example)}", highlight=False, soft_wrap=True)
        err_console.print("  see them all with `sanjeh rejects`; fix and import again")
