"""Find where a file's table is and which source it fits: the header row below any title rows and header block,
and the best-fitting source (moved out of ``vrhub.ingest.loader``, which imports them from here)."""

from __future__ import annotations

from collections.abc import Sequence

from vrhub.domain.errors import SourceError
from vrhub.ingest.files import SourceFile
from vrhub.ingest.layout import BlockField, Head, Layout, candidate, header_cells
from vrhub.ingest.source import Source, normalise_header


def choose_source(header: list[str], file: SourceFile, sources: Sequence[Source], kind: str | None) -> Source:
    if kind:
        of_kind = [s for s in sources if s.kind == kind]  # a kind may have several published layouts
        if not of_kind:
            raise SourceError(file.display, f"unknown kind {kind!r}",
                              "known kinds: " + ", ".join(dict.fromkeys(s.kind for s in sources)))
        return max(of_kind, key=lambda s: s.score(header, file))  # the first of the best
    scored = sorted(((s.score(header, file), i, s) for i, s in enumerate(sources)), key=lambda x: (-x[0], x[1]))
    if not scored or scored[0][0] < 10:
        near = _nearest_source(header, file, sources)
        if near is not None:  # a renamed or missing column: map_columns names it and its nearest match
            return near
        shown = ", ".join(header[:15]) + (" …" if len(header) > 15 else "")
        raise SourceError(
            file.display,
            f"the header does not look like any of: {', '.join(s.label for s in sources)} (header: {shown})",
            "check the file is the right one and unchanged; police.uk files are named "
            "YYYY-MM-<force>-street.csv, -outcomes.csv or -stop-and-search.csv",
        )
    return scored[0][2]


def _nearest_source(header: list[str], file: SourceFile, sources: Sequence[Source]) -> Source | None:
    """The source whose columns the header mostly has (at least half), preferring one the file name fits."""
    have = {normalise_header(h) for h in header}
    best: tuple[int, float, int] | None = None
    chosen = None
    for i, s in enumerate(sources):
        required = [c for c in s.columns if c.required]
        share = sum(normalise_header(c.header) in have for c in required) / max(len(required), 1)
        named = 1 if s.name_pattern and s.name_pattern.search(file.name) else 0
        key = (named, share, -i)
        if share >= 0.5 and (best is None or key > best):
            best, chosen = key, s
    return chosen


def locate_table(heads: list[Head], file: SourceFile, sources: Sequence[Source], kind: str | None,
                 ) -> tuple[Source, Layout]:
    """Find the header row (below any title rows and header block) and the source it fits.

    The header is the first row whose cells, with the labels of the header block above it, fit a source (all its
    signature columns); failing that, the first row that has most of one source's required columns (so that a
    renamed column is reported by name); failing that, the first row. A workbook is searched sheet by sheet: the
    table must be on exactly one sheet (or name it with the ``sheet`` option).
    """
    candidates = [s for s in sources if s.kind == kind] if kind else list(sources)
    fits: list[tuple[Head, int, Source]] = []
    for head in heads:
        found = _find_header(head, file, candidates)
        if found is not None:
            fits.append((head, *found))
    strong = [f for f in fits if f[2].score(_with_block(f[0], f[1]), file) >= 10]
    if len(strong) > 1:
        sheets = ", ".join(f"'{h.sheet}'" for h, _, _ in strong)
        raise SourceError(file.display, f"the table is on several sheets: {sheets}",
                          "load one sheet at a time with --sheet NAME (or the option sheet=NAME), or put the rows on "
                          "one sheet")
    head, i = (strong[0][0], strong[0][1]) if strong else (fits[0][0], fits[0][1]) if fits else (heads[0], 0)
    if not head.rows:
        raise SourceError(file.display, "the file is empty" if head.sheet is None else f"sheet '{head.sheet}' is empty",
                          "check the export: the file needs a header row and data rows")
    header, fields, titles = candidate(head, i)
    if not header:
        raise SourceError(file.display, "the first line is blank: there is no header",
                          "remove blank lines before the header and load again")
    source = choose_source(_with_block(head, i), file, sources, kind)
    block, shadowed = _block_columns(source, header, fields)
    return source, Layout(head.lines[i], header, block, fields, titles, head.sheet, head.encoding, shadowed)


def _with_block(head: Head, i: int) -> list[str]:
    header, fields, _ = candidate(head, i)
    return header + [f.label for f in fields if f.label not in header]


def _find_header(head: Head, file: SourceFile, sources: Sequence[Source]) -> tuple[int, Source] | None:
    for strict in (True, False):
        for i, row in enumerate(head.rows):
            if sum(1 for c in header_cells(row) if c) < 2:
                continue
            cells = _with_block(head, i)
            if strict:
                best = max(sources, key=lambda s: s.score(cells, file))
                if best.score(cells, file) >= 10:
                    return i, best
            else:
                near = _nearest_source(cells, file, sources)
                if near is not None:
                    return i, near
    return None


def _block_columns(source: Source, header: list[str], fields: list[BlockField],
                   ) -> tuple[list[BlockField], list[BlockField]]:
    """The header-block fields that feed a column of ``source`` the table does not have, and those it has."""
    have = {source.canonical_column(h) for h in header} - {None}
    used, shadowed, seen = [], [], set()
    for f in fields:
        name = source.canonical_column(f.label)
        if name is None or name in seen:
            continue
        if name in have or f.label in header:
            shadowed.append(f)
            continue
        used.append(f)
        seen.add(name)
    return used, shadowed
