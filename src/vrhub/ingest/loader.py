"""Load source files into the lake: hash, de-duplicate, stream, check, quarantine, publish, record.

For every file: ``rows_read == rows_accepted + rows_quarantined``. A file is published as one immutable
dataset version or not at all; loading the same bytes again creates nothing and names the existing version.
A file that cannot be read at all (not CSV, empty, missing columns) is reported with what to do, and the
other files of the same call still load.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.exc import DBAPIError, IntegrityError

from vrhub.domain.errors import DiskFullError, SourceError, VrhubError
from vrhub.domain.labels import synthetic_by_name
from vrhub.ingest import pipeline
from vrhub.ingest.coverage_notes import coverage_issues, new_series_notes
from vrhub.ingest.csv_stream import NeedsCarefulRead
from vrhub.ingest.files import Skipped, SourceFile, find_sources
from vrhub.ingest.identifier_guard import IdentifierGuard
from vrhub.ingest.layout import Layout, read_heads, table_batches
from vrhub.ingest.progress import NoProgress, Progress
from vrhub.ingest.source import Source
from vrhub.ingest.table_locator import locate_table
from vrhub.ingest.text_lines import ReadNotes
from vrhub.ingest.xlsx_stream import XLSX_SUFFIXES, SheetNotes, is_xlsx
from vrhub.store.catalogue.models import Dataset, DatasetCoverage
from vrhub.store.lake import StagedVersion, count_duplicate_rows, is_disk_full
from vrhub.store.workspace import Workspace
from vrhub.version import __version__

_T = TypeVar("_T")

QUARANTINE_FIELDS = [
    pa.field("_source_row", pa.int64()),
    pa.field("_problems", pa.string()),
    pa.field("_raw_text", pa.string()),
]


@dataclass
class LoadResult:
    """What happened to one source file."""

    source_file: str
    kind: str | None = None
    dataset_id: str | None = None
    sha256: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    duplicate_of: str | None = None
    supply_warnings: list[dict[str, Any]] = field(default_factory=list)
    #: force-months this file covers but does not make current: a few stray rows, or another supplier's month
    coverage_issues: list[dict[str, Any]] = field(default_factory=list)
    disk_full: bool = False  # the disk filled up: the rest of the call was not attempted
    warnings: list[str] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        return "failed" if self.error else "already loaded" if self.duplicate_of else "loaded"

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"status": self.status}


@dataclass
class IngestReport:
    results: list[LoadResult]
    skipped: list[Skipped]

    @property
    def ok(self) -> bool:
        """Whether no file failed (refused archive members aside: see ``complete``)."""
        return all(r.ok for r in self.results)

    @property
    def complete(self) -> bool:
        """Whether every input was read: no file failed and no archive member was refused (an unsafe path, an
        archive inside an archive). The command line exits 1 when this is false."""
        return self.ok and not any(s.refused for s in self.skipped)

    def to_json(self) -> list[dict[str, Any]]:
        """One item per input: the loaded, already loaded and failed files, then the skipped and refused archive
        members and folder files (``status`` says which; a refused one has its reason as ``error``)."""
        return [r.to_json() for r in self.results] + [_skipped_json(s) for s in self.skipped]


def _skipped_json(s: Skipped) -> dict[str, Any]:
    item = LoadResult(source_file=s.display, error=s.error).to_json()
    return item | {"status": "refused" if s.refused else "skipped", "reason": s.reason}


def dataset_id_for(short: str, sha256: str) -> str:
    return f"{short}-{sha256[:12]}"


def ingest(
    ws: Workspace,
    paths: Iterable[str | Path],
    sources: Sequence[Source],
    *,
    partner: str | None = None,
    kind: str | None = None,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    known_lsoas: pa.Array | None = None,
    synthetic: bool = False,
) -> IngestReport:
    """Load every file found under ``paths`` with the best-fitting of ``sources``."""
    from vrhub.domain.kinds import kind as kind_info
    from vrhub.ingest.supply_check import supply_warnings, warnings_for

    suffixes = tuple(dict.fromkeys(x for s in sources for x in s.suffixes))
    found = find_sources(paths, suffixes)
    progress = progress or NoProgress()
    partner_id = ws.catalogue.partner_id(partner) if partner else None
    for s in sources:
        ws.catalogue.ensure_kind(s.kind, s.label, s.schema_version)
    known = {s.kind: ws.catalogue.forces(s.kind) for s in sources}
    results = [LoadResult(source_file=exc.file, error=str(exc)) for exc in found.failed]
    results += _load_all(ws, found.files, sources, partner_id=partner_id, kind=kind, options=options or {},
                         progress=progress, known_lsoas=known_lsoas, synthetic=synthetic)
    # Supply is judged after the whole call, so that a month is compared with every month just loaded; coverage
    # issues too (once per kind, not once per file: 660 files read the catalogue's coverage 660 times)
    loaded = [r for r in results if r.ok and r.kind]
    for kind_name in sorted({r.kind for r in loaded if r.kind and not r.duplicate_of}):
        issues = coverage_issues(ws, kind_name)
        for r in loaded:
            if r.kind == kind_name and not r.duplicate_of:
                r.coverage_issues = issues.get(r.dataset_id or "", [])
    kinds = sorted({r.kind for r in loaded if r.kind})
    engine = ws.reader() if kinds else None  # one reader for every kind's check; none when nothing was loaded
    for kind_name in kinds:
        warnings = supply_warnings(engine, kind_name) if engine else []
        versions = {d.id: d for d in ws.catalogue.datasets(kind_name, include_withdrawn=True)}  # one query, not 660
        for r in loaded:
            if r.kind != kind_name:
                continue
            ds = versions.get(r.dataset_id or r.duplicate_of or "")
            if ds is None:
                continue
            r.supply_warnings = [w.to_json() for w in warnings_for(ds, warnings)]
            if not r.duplicate_of and kind_info(kind_name).supply_check:
                r.warnings += new_series_notes(kind_name, known.get(kind_name, set()), {c.force for c in ds.coverage})
    return IngestReport(results, found.skipped)


def load_file(
    ws: Workspace,
    file: SourceFile,
    sources: Sequence[Source],
    *,
    partner_id: int | None = None,
    kind: str | None = None,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    known_lsoas: pa.Array | None = None,
    synthetic: bool = False,
    coverage_notes: bool = True,
) -> LoadResult:
    """Load one file; never raises for a problem with the file (the result's ``error`` says it). A full disk is
    reported as such (``disk_full``), with nothing of the file left behind.

    ``coverage_notes=False`` leaves ``coverage_issues`` to the caller (:func:`ingest` finds them once for all its
    files: per file, the work grows with every version in the catalogue)."""
    result = LoadResult(source_file=file.display)
    options, progress = options or {}, progress or NoProgress()

    def load() -> None:
        ready = _stage(ws, file, sources, result, kind=kind, options=options, progress=progress,
                       known_lsoas=known_lsoas)
        if ready is not None:
            _finish(ws, ready, result, partner_id, synthetic, coverage_notes)

    _guarded(ws, file, result, load)
    return result


def _load_all(ws: Workspace, files: list[SourceFile], sources: Sequence[Source], *, partner_id: int | None,
              kind: str | None, options: dict[str, Any], progress: Progress, known_lsoas: pa.Array | None,
              synthetic: bool) -> list[LoadResult]:
    """Load ``files`` as :func:`load_file` does one at a time, with the same results in the same order: each is
    read, checked and staged on a pool of threads (``vrhub.ingest.pipeline``), and registered in order here. A
    file whose bytes an earlier file of the call turned out to have is then "already loaded", and once the disk
    fills up every later file is "not attempted", exactly as one at a time; what they staged is removed."""
    n_workers = pipeline.workers(len(files))
    bar = pipeline.OneBar(progress) if n_workers > 1 else progress
    stop = threading.Event()  # the disk filled up: files not yet started are not attempted

    def stage(f: SourceFile) -> tuple[LoadResult, _Staged | None]:
        result = LoadResult(source_file=f.display)
        if stop.is_set():
            return result, None
        ready = _guarded(ws, f, result, lambda: _stage(ws, f, sources, result, kind=kind, options=options,
                                                       progress=bar, known_lsoas=known_lsoas))
        return result, ready

    results: list[LoadResult] = []
    registered: set[str] = set()
    for f, (result, ready) in pipeline.in_order(files, stage, n_workers):
        if results and results[-1].disk_full:  # stop cleanly: every later file would fail the same way
            stop.set()
            if ready is not None:
                ready.staged.discard()
            results.append(LoadResult(source_file=f.display, disk_full=True, error=str(DiskFullError(
                f"{f.display}: not attempted: the disk filled up while loading {results[-1].source_file}",
                "free some space, then run the same command again (what was loaded is recognised and skipped)"))))
            continue
        if ready is not None and result.sha256 in registered:  # an earlier file of this call had the same bytes
            ready.staged.discard()
            result, ready = LoadResult(source_file=f.display, sha256=result.sha256), None
            _guarded(ws, f, result, lambda r=result: _already_loaded(ws, r))
        if ready is not None:
            _guarded(ws, f, result, lambda r=result, s=ready, f=f: _finish(
                ws, s, r, partner_id, synthetic or synthetic_by_name(f.name), False))
        if result.sha256 and not result.duplicate_of and result.ok:
            registered.add(result.sha256)
        results.append(result)
    return results


def _already_loaded(ws: Workspace, result: LoadResult) -> None:
    existing = ws.catalogue.by_sha256(result.sha256 or "")
    if existing is None:
        raise AssertionError(f"{result.source_file}: registered in this call, but not found by its SHA-256")
    _duplicate(result, existing)


def _guarded(ws: Workspace, file: SourceFile, result: LoadResult, work: Callable[[], _T]) -> _T | None:
    """Run ``work``; a problem with the file becomes the result's ``error`` (a full disk also ``disk_full``);
    only a database failure that is not a full disk is raised."""
    try:
        return work()
    except VrhubError as exc:
        result.error = str(exc)
    except (OSError, pa.ArrowException, UnicodeError, DBAPIError) as exc:
        if is_disk_full(exc):
            result.disk_full = True
            result.error = str(DiskFullError(
                f"{file.display}: not loaded: the disk is full (no space left to write the workspace {ws.home} or its "
                "catalogue)", "free some space (or raise the quota, or the database's storage), then run the same "
                "command again: nothing of this file was stored, and loads are safe to repeat"))
        elif isinstance(exc, DBAPIError):
            raise
        else:
            result.error = (f"{file.display}: could not be read ({exc})\n  What to do: check the file is complete "
                            "and readable, then run the same command again (loads are safe to repeat)")
    except Exception as exc:  # a fault of vrhub's own must not stop the other files of the call
        result.error = (f"{file.display}: vrhub failed on this file ({type(exc).__name__}: {exc}); nothing of it was "
                        f"loaded\n  What to do: {UNEXPECTED_HINT}")
    return None


#: What to do after an error vrhub did not foresee (a bug): the start of every such message's hint.
UNEXPECTED_HINT = ("this is a fault in vrhub, not in your file: please report it with the message and the file's "
                   "header line (not its rows); the other files of the call are not affected")


def _some(names: list[str], shown: int = 20) -> str:
    """Names for a message: the first ``shown`` and how many more."""
    return ", ".join(names[:shown]) + (f" and {len(names) - shown:,} more" if len(names) > shown else "")


@dataclass
class _Staged:
    """A file read, checked and written to its staging folder, waiting to be registered."""

    staged: StagedVersion
    source: Source
    file: SourceFile
    encoding: str
    coverage: pa.Table
    ctx: dict[str, Any]


def _stage(ws: Workspace, file: SourceFile, sources: Sequence[Source], result: LoadResult, *, kind: str | None,
           options: dict[str, Any], progress: Progress, known_lsoas: pa.Array | None) -> _Staged | None:
    """Hash, look up, read, check and stage one file (None: its bytes are already loaded). Safe to run on several
    threads at once: it writes only its own staging folder and reads the catalogue."""
    result.sha256 = sha = file.sha256()
    existing = ws.catalogue.by_sha256(sha)
    if existing is not None:
        _duplicate(result, existing)
        return None
    if is_xlsx(file) and not any(x in s.suffixes for s in sources for x in XLSX_SUFFIXES):
        raise SourceError(file.display, "this is not a CSV text file: it looks like an Excel workbook (.xlsx)",
                          "export or download the data as CSV and load that file")
    source, layout = locate_table(read_heads(file, options.get("sheet")), file, sources, kind)
    if layout.sheet is not None:
        file = dataclasses.replace(file, sheet=layout.sheet)
    header = layout.columns
    result.kind = source.kind
    ws.catalogue.ensure_kind(source.kind, source.label, source.schema_version)
    mapping = source.map_columns(header, file)
    result.warnings += layout.notes() + ([source.note] if source.note else [])
    result.dataset_id = dataset_id_for(_short(source), sha)
    ctx = source.context(file, options) | {"dataset_id": result.dataset_id}
    if getattr(source, "locates_force", False):
        from vrhub.ingest.force_locator import ForceLocator

        ctx["locate_force"] = lambda lon, lat: ForceLocator.from_workspace(ws).locate(lon, lat)
    if layout.sheet is not None:
        ctx["sheet"] = layout.sheet
    if layout.header_row != 1:
        ctx["header_row"] = layout.header_row
    stats, staged = _stream_with_fallbacks(ws, file, layout, mapping, source, ctx, progress,
                                           known_lsoas, result.warnings)
    result.warnings += ctx.get("notes", [])  # what the source's checks want said (e.g. how the force was found)
    try:  # whatever fails from here on (a full disk too) removes the staging folder
        accepted, quarantined, coverage, flags, encoding = stats
        result.rows_accepted, result.rows_quarantined = accepted, quarantined
        result.rows_read = accepted + quarantined
        result.flags = flags
        ctx |= _duplicates(staged, source)
        extra = [h for h in header if h not in mapping.values()]
        _notes(result, encoding, extra)
        staged.write_json("manifest.json", {
            "dataset_id": result.dataset_id, "kind": source.kind, "source_file": file.display,
            "sha256": sha, "rows_read": result.rows_read, "rows_accepted": accepted,
            "rows_quarantined": quarantined, "schema_version": source.schema_version,
            "vrhub_version": __version__, "encoding": encoding, "column_mapping": mapping,
            "columns_not_kept": extra,
            "layout": {"sheet": layout.sheet, "header_row": layout.header_row,
                       "header_block": [asdict(f) for f in layout.block],
                       "title_rows": [r for r, _ in layout.titles]},
        })
    except BaseException:
        staged.discard()
        raise
    return _Staged(staged, source, file, encoding, coverage, ctx)


def _finish(ws: Workspace, ready: _Staged, result: LoadResult, partner_id: int | None, synthetic: bool,
            coverage_notes: bool) -> None:
    """Register a staged file and publish it, in one catalogue transaction (on the caller's thread)."""
    with ready.staged:  # whatever fails here (a full disk too) removes the staging folder
        _register(ws, ready.staged, result, ready.source, ready.file, partner_id, ready.encoding, ready.coverage,
                  ready.ctx, synthetic)
    if coverage_notes and not result.duplicate_of:
        result.coverage_issues = coverage_issues(ws, ready.source.kind).get(result.dataset_id, [])


def _duplicates(staged: StagedVersion, source: Source) -> dict[str, Any]:
    """How many accepted rows are exact copies of another (among rows with a record id, for a kind that has one):
    recorded with the version, judged by the supply check (``supply_check.duplicate_warnings``)."""
    from vrhub.domain.kinds import KINDS

    staged.close_writers()
    path = staged.path / "data.parquet"
    info = KINDS.get(source.kind)
    if not path.exists() or info is None or not info.force_field:
        return {}
    dup, basis, by_id = count_duplicate_rows(str(path), id_field=info.record_id_field)
    return {"duplicate_rows": dup, "duplicate_basis": basis,
            "duplicate_basis_field": (info.record_id_field or "") if by_id else ""}


def _notes(result: LoadResult, encoding: str, extra: list[str]) -> None:
    """The load notes every file gets from its counts, encoding and unused columns."""
    if result.rows_read == 0:
        result.warnings.append("the file has a header but no data rows")
    if result.rows_quarantined:
        result.warnings.append(
            f"{result.rows_quarantined:,} row(s) were quarantined, not loaded: 'vrhub quarantine {result.dataset_id}' "
            "lists each one's line and problem; correct them in the file (or ask the partner for a corrected file) "
            "and load it again")
    if extra:
        result.warnings.append("columns not used by vrhub were not stored (not even in the quarantine, which keeps "
                               "only their names): " + _some(extra))


def _stream_with_fallbacks(
    ws: Workspace, file: SourceFile, layout: Layout, mapping: dict[str, str], source: Source,
    ctx: dict[str, Any], progress: Progress, known_lsoas: pa.Array | None, warnings: list[str],
) -> tuple[tuple[int, int, pa.Table, dict[str, int], str], StagedVersion]:
    """Stream with the fast reader; fall back to the careful reader, and from UTF-8 to Windows-1252."""
    attempts = [(False, layout.encoding)]
    while attempts:
        careful, enc = attempts.pop(0)
        staged = ws.lake.stage()
        progress.start(file.name, file.size())
        try:
            sheet_notes, read_notes = SheetNotes(), ReadNotes()
            guard = IdentifierGuard(file, source, mapping) if source.person_level else None
            done = _stream(staged, file, dataclasses.replace(layout, encoding=enc), mapping, source, ctx, careful,
                           progress, known_lsoas, sheet_notes, guard, read_notes)
            if guard is not None:
                warnings += guard.finish()
            warnings += sheet_notes.filled
            if sheet_notes.blank_rows:
                warnings.append(f"{sheet_notes.blank_rows:,} wholly blank row(s) of sheet '{layout.sheet}' were "
                                "skipped (no data)")
            if enc != "xlsx":
                enc = "cp1252" if read_notes.cp1252_lines else "utf-8"
            if read_notes.cp1252_lines:
                warnings.append(f"{read_notes.cp1252_lines:,} line(s) of the file are not valid UTF-8 and were read as "
                                "Windows-1252 (cp1252); the other lines were read as UTF-8")
            return (*done, enc), staged
        except NeedsCarefulRead as exc:
            staged.discard()
            if careful:
                raise SourceError(file.display, f"cannot be parsed as CSV ({exc})",
                                  "open it in a text editor to check it is a CSV file") from exc
            warnings.append(f"the fast reader could not parse the file ({exc}); it was read row by row")
            attempts.append((True, enc))
        except UnicodeError as exc:
            staged.discard()
            if enc != "utf-8":
                raise SourceError(file.display, f"the text cannot be decoded ({exc})",
                                  "save the file as UTF-8 CSV and load it again") from exc
            attempts.append((careful, "cp1252"))  # each line UTF-8 if it is, else Windows-1252
        except BaseException:
            staged.discard()
            raise
        finally:
            progress.finish()
    raise AssertionError("unreachable")


def _short(source: Source) -> str:
    from vrhub.domain.kinds import KINDS

    info = KINDS.get(source.kind)
    return info.short if info else source.kind


def _duplicate(result: LoadResult, existing: Dataset) -> LoadResult:
    result.kind = existing.kind
    result.dataset_id = existing.id
    result.duplicate_of = existing.id
    result.rows_read = existing.rows_read
    result.rows_accepted = existing.rows_accepted
    result.rows_quarantined = existing.rows_quarantined
    result.flags = dict((existing.attributes or {}).get("flags", {}))
    result.warnings.append(f"already loaded as dataset {existing.id} on {existing.received_at:%Y-%m-%d %H:%M}; "
                           "nothing new was created")
    if existing.withdrawn_at is not None:
        result.warnings.append(f"dataset {existing.id} is withdrawn ({existing.withdrawn_reason}): read it again with "
                               f"'vrhub restore {existing.id}'")
    return result


def _stream(
    staged: StagedVersion, file: SourceFile, layout: Layout, mapping: dict[str, str], source: Source,
    ctx: dict[str, Any], careful: bool, progress: Progress, known_lsoas: pa.Array | None,
    sheet_notes: SheetNotes | None = None, guard: IdentifierGuard | None = None, read_notes: ReadNotes | None = None,
) -> tuple[int, int, pa.Table, dict[str, int]]:
    writer = staged.writer("data", source.schema)
    # The quarantine keeps the values of the columns the source reads, and only the names of the others.
    raw_names = quarantine_columns(mapping)
    q_schema = pa.schema([*QUARANTINE_FIELDS, *[pa.field(h, pa.string()) for h in raw_names]],
                         metadata=quarantine_metadata(layout.columns, raw_names))
    accepted = quarantined = 0
    coverage: list[pa.Table] = []
    flags = {"no_location": 0, "lsoa_outside_geography": 0}
    q_writer = None
    for batch in table_batches(file, layout, careful=careful, on_bytes=progress.advance, sheet_notes=sheet_notes,
                               read_notes=read_notes):
        t = batch.table
        if guard is not None:
            t = guard.scan(t, batch.lines)
            guard.scan_raw(batch.bad)
        renamed = pa.table({canon: t.column(h) for canon, h in mapping.items()})
        checked = source.check(renamed, batch.lines, ctx)
        writer.write_table(checked.accepted)
        accepted += checked.accepted.num_rows
        if checked.accepted.num_rows:
            coverage.append(source.coverage(checked.accepted))
            _count_flags(flags, checked.accepted, known_lsoas)
        for k, v in checked.notes.items():  # flagged-but-accepted conditions the source counts
            flags[k] = flags.get(k, 0) + v
        bad_mask = pc.is_valid(checked.problems)
        n_bad = pc.sum(bad_mask).as_py() or 0
        rows = []
        if n_bad:
            q = t.filter(bad_mask)
            cols = {
                "_source_row": pa.array(batch.lines[np.asarray(bad_mask.to_numpy(zero_copy_only=False))], pa.int64()),
                "_problems": checked.problems.filter(bad_mask),
                "_raw_text": pa.nulls(n_bad, pa.string()),
            }
            cols |= {h: q.column(h) if h in q.column_names else pa.nulls(n_bad, pa.string()) for h in raw_names}
            rows.append(pa.table(cols, schema=q_schema))
        if batch.bad:
            n = len(batch.bad)
            cols = {
                "_source_row": pa.array([b.line for b in batch.bad], pa.int64()),
                "_problems": pa.array([b.reason for b in batch.bad], pa.string()),
                # a row of a person-level file that does not split may hold any column: its text is not kept
                "_raw_text": pa.array([None if source.person_level else b.text for b in batch.bad], pa.string()),
            }
            cols |= {h: pa.nulls(n, pa.string()) for h in raw_names}
            rows.append(pa.table(cols, schema=q_schema))
        for r in rows:
            if q_writer is None:
                q_writer = staged.writer("quarantine", q_schema)
            q_writer.write_table(r)
            quarantined += r.num_rows
    cov = pa.concat_tables(coverage) if coverage else pa.table(
        {"force": pa.array([], pa.string()), "month": pa.array([], pa.date32()), "rows": pa.array([], pa.int64())})
    cov = cov.group_by(["force", "month"]).aggregate([("rows", "sum")]).rename_columns(["force", "month", "rows"])
    return accepted, quarantined, cov, {k: v for k, v in flags.items() if v}


def quarantine_columns(mapping: dict[str, str]) -> list[str]:
    """The file's columns whose values the quarantine keeps: those the source maps to a canonical field."""
    return list(dict.fromkeys(mapping.values()))


def quarantine_metadata(columns: list[str], kept: list[str]) -> dict[bytes, bytes]:
    """Parquet metadata of a quarantine file: the names (never the values) of the file's columns it does not keep."""
    import json

    dropped = [h for h in dict.fromkeys(columns) if h not in set(kept)]
    return {b"vrhub.columns_not_kept": json.dumps(dropped).encode("utf-8")}


def _count_flags(flags: dict[str, int], accepted: pa.Table, known_lsoas: pa.Array | None) -> None:
    if "has_location" in accepted.column_names:
        flags["no_location"] += accepted.num_rows - (pc.sum(accepted.column("has_location")).as_py() or 0)
    if known_lsoas is not None and "lsoa_code" in accepted.column_names:
        codes = accepted.column("lsoa_code")
        outside = pc.and_(pc.is_valid(codes), pc.invert(pc.is_in(codes, value_set=known_lsoas)))
        flags["lsoa_outside_geography"] += pc.sum(outside).as_py() or 0


def _register(
    ws: Workspace, staged: StagedVersion, result: LoadResult, source: Source, file: SourceFile,
    partner_id: int | None, encoding: str, coverage: pa.Table, ctx: dict[str, Any], synthetic: bool,
) -> None:
    assert result.dataset_id and result.sha256
    attributes = {k: v for k, v in ctx.items() if k != "dataset_id" and isinstance(v, (str, int, float, bool))}
    if result.flags:
        attributes["flags"] = result.flags
    dataset = Dataset(
        id=result.dataset_id, kind=source.kind, partner_id=partner_id, source_file=file.name,
        source_path=file.display, sha256=result.sha256, received_at=dt.datetime.now(dt.UTC),
        rows_read=result.rows_read, rows_accepted=result.rows_accepted, rows_quarantined=result.rows_quarantined,
        schema_version=source.schema_version, vrhub_version=__version__,
        lake_path=ws.lake.relative_path(source.kind, result.dataset_id), encoding=encoding,
        synthetic=synthetic, attributes=attributes, warnings=list(result.warnings),
        coverage=[DatasetCoverage(force=f, month=m, rows=r) for f, m, r in zip(
            coverage.column("force").to_pylist(), coverage.column("month").to_pylist(),
            coverage.column("rows").to_pylist(), strict=True)],
    )
    try:
        ws.catalogue.register(dataset, lambda: ws.publish(staged, source.kind, result.dataset_id),
                              lambda: ws.lake.unpublish(dataset.lake_path))
    except (IntegrityError, FileExistsError):
        staged.discard()
        existing = ws.catalogue.by_sha256(result.sha256)
        if existing is None:
            raise
        _duplicate(result, existing)
    finally:
        if not staged.published:
            staged.discard()
