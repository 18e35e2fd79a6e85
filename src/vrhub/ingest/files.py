"""Where input files come from: a file, a folder, or a zip archive (as police.uk's downloads are).

Every input becomes a ``SourceFile``: a name to show people, a way to open its bytes, and its sha256.
Members of an archive are source files in their own right (``archive.zip!2018-10/2018-10-kent-street.csv``).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from vrhub.domain.errors import SourceError

HASH_CHUNK = 1 << 20
#: Archive limits against zip bombs (Fifield, "A better zip bomb", WOOT 2019). Members are read through
#: ``zipfile``, which never yields more than a member's declared size (and checks its CRC), so the declared sizes
#: bound what is read: an archive is refused when a member, or all its members together (many small members each
#: under the floor), expand more than MAX_RATIO times (police.uk CSVs compress about 10:1), or when the members
#: together declare more than MAX_ARCHIVE_BYTES. Members are never
#: extracted to disk, so a path inside an archive cannot write anywhere; unsafe ones are still refused.
MAX_RATIO = 200
#: Below this expanded size (a member, or the whole archive) the ratio is not judged: a small file of one repeated
#: character compresses far beyond MAX_RATIO and is harmless.
MEMBER_FLOOR = 1 << 20
MAX_ARCHIVE_BYTES = 64 << 30
MAX_MEMBERS = 100_000


@dataclass(frozen=True)
class SourceFile:
    """One input file, on disk or inside a zip archive."""

    path: Path
    member: str | None = None  # path inside the zip, if any
    sheet: str | None = None  # the worksheet read, for a workbook (set by the loader once it has found the table)

    @property
    def name(self) -> str:
        """The file's own name (no folders)."""
        return Path(self.member).name if self.member else self.path.name

    @property
    def display(self) -> str:
        where = f"{self.path}!{self.member}" if self.member else str(self.path)
        return f"{where} (sheet '{self.sheet}')" if self.sheet else where

    def open(self) -> BinaryIO:
        if self.member is None:
            return open(self.path, "rb")
        zf = zipfile.ZipFile(self.path)
        return _ZipMemberStream(zf, zf.open(self.member))

    def size(self) -> int:
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as zf:
            return zf.getinfo(self.member).file_size

    def sha256(self) -> str:
        h = hashlib.sha256()
        try:
            with self.open() as f:
                while chunk := f.read(HASH_CHUNK):
                    h.update(chunk)
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
            raise SourceError(self.display, f"the archive member cannot be read ({exc})",
                              "download the archive again: it looks damaged or truncated") from exc
        return h.hexdigest()


class _ZipMemberStream:
    """A zip member's stream that also closes its archive."""

    def __init__(self, zf: zipfile.ZipFile, stream: BinaryIO) -> None:
        self._zf, self._stream = zf, stream

    def read(self, n: int = -1) -> bytes:
        return self._stream.read(n)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._stream.close()
        self._zf.close()

    @property
    def closed(self) -> bool:
        return self._stream.closed

    def __enter__(self) -> _ZipMemberStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Skipped:
    """An input that was looked at and deliberately not loaded, with the reason. ``refused`` marks data vrhub
    will not read (an unsafe path, an archive inside an archive): the call then reports a failure."""

    display: str
    reason: str
    refused: bool = False
    hint: str = ""

    @property
    def error(self) -> str | None:
        """For a refused input, the error to report (named, with what to do); else None."""
        if not self.refused:
            return None
        return f"{self.display}: {self.reason}" + (f"\n  What to do: {self.hint}" if self.hint else "")


@dataclass
class Found:
    """What :func:`find_sources` found: the source files, what it skipped, and the inputs that could not be opened
    at all (a missing path, a damaged or refused archive), each as the error to report for it."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failed: list[SourceError] = field(default_factory=list)


#: Members with these suffixes are archives themselves; vrhub does not open archives inside archives.
ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz")


def find_sources(paths: Iterable[str | Path], suffixes: tuple[str, ...] = (".csv",)) -> Found:
    """Expand files, folders and zip archives into source files, in a stable (sorted) order.

    Files inside folders and archives that do not end with one of ``suffixes`` are reported as skipped, never
    silently ignored. A path named directly is always returned (its content is checked later). An input that
    cannot be opened (a missing path, a damaged archive, a zip bomb) is a failure of its own: the other inputs are
    still found.
    """
    out = Found()
    for raw in paths:
        path = Path(raw).expanduser().absolute()  # provenance records where the file was, whatever the cwd
        if not path.exists():
            out.failed.append(SourceError(str(path), "no such file or folder",
                                          "check the path (use quotes if it has spaces)"))
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith("."):
                    continue
                if zipfile.is_zipfile(child) and child.suffix.lower() == ".zip":
                    _add_archive(out, child, suffixes)
                elif child.suffix.lower() in suffixes:
                    out.files.append(SourceFile(child))
                else:
                    out.skipped.append(Skipped(str(child), f"not a {'/'.join(suffixes)} file"))
        elif path.suffix.lower() == ".zip" or (zipfile.is_zipfile(path) and not _is_office_file(path)):
            _add_archive(out, path, suffixes)
        else:
            out.files.append(SourceFile(path))
    return out


def discover(
    paths: Iterable[str | Path], suffixes: tuple[str, ...] = (".csv",)
) -> tuple[list[SourceFile], list[Skipped]]:
    """:func:`find_sources`, raising the first input that could not be opened (for callers that take one input)."""
    found = find_sources(paths, suffixes)
    if found.failed:
        raise found.failed[0]
    return found.files, found.skipped


def _add_archive(out: Found, path: Path, suffixes: tuple[str, ...]) -> None:
    try:
        files, skipped = _zip_members(path, suffixes)
    except SourceError as exc:
        out.failed.append(exc)
        return
    out.files += files
    out.skipped += skipped


def _is_office_file(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "[Content_Types].xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _zip_members(path: Path, suffixes: tuple[str, ...]) -> tuple[list[SourceFile], list[Skipped]]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise SourceError(str(path), f"not a readable zip archive ({exc})",
                          "download the archive again: it looks damaged or truncated") from exc
    check_archive(path, infos)
    found, skipped = [], []
    for info in sorted(infos, key=lambda i: i.filename):
        if info.is_dir():
            continue
        name = info.filename
        base = Path(name).name
        if unsafe_member_name(name):
            skipped.append(Skipped(f"{path}!{name}", "unsafe path inside the archive", refused=True,
                                   hint="check where the archive came from: a member whose path leaves its folder "
                                   "(absolute, a drive, or '..') is never read"))
        elif base.startswith(".") or "__MACOSX" in name:
            skipped.append(Skipped(f"{path}!{name}", "system file, not data"))
        elif Path(name).suffix.lower() in suffixes:
            found.append(SourceFile(path, name))
        elif name.lower().endswith(ARCHIVE_SUFFIXES):
            skipped.append(Skipped(f"{path}!{name}", "an archive inside an archive is not opened", refused=True,
                                   hint=f"extract it from {path.name} and load it (or its files) directly"))
        else:
            skipped.append(Skipped(f"{path}!{name}", f"not a {'/'.join(suffixes)} file"))
    return found, skipped


def unsafe_member_name(name: str) -> bool:
    """A member path that would leave the folder it was extracted to: absolute, a drive, or with a '..' part
    (with either slash: archives made on Windows use backslashes)."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def check_archive(path: Path, infos: list[zipfile.ZipInfo], *, max_ratio: int = MAX_RATIO,
                  max_bytes: int = MAX_ARCHIVE_BYTES, max_members: int = MAX_MEMBERS) -> None:
    """Refuse an archive that looks like a zip bomb (see ``MAX_RATIO``), naming the member and the limit."""
    if len(infos) > max_members:
        raise SourceError(str(path), f"the archive has {len(infos):,} members (the limit is {max_members:,})",
                          "split it into smaller archives, or unzip it and load the folder")
    total = compressed = 0
    for info in infos:
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > MEMBER_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            raise SourceError(
                str(path), f"member {info.filename!r} expands {info.file_size / max(info.compress_size, 1):,.0f} "
                f"times ({info.compress_size:,} to {info.file_size:,} bytes; the limit is {max_ratio} times): it looks "
                "like a zip bomb and the archive was refused", "check where the archive came from; a real data file "
                "compresses far less than that")
    if total > MEMBER_FLOOR and total > max_ratio * max(compressed, 1):
        raise SourceError(
            str(path), f"the archive's {len(infos):,} members expand {total / max(compressed, 1):,.0f} times in all "
            f"({compressed:,} to {total:,} bytes; the limit is {max_ratio} times): it looks like a zip bomb (many "
            "small members) and the archive was refused", "check where the archive came from; real data files "
            "compress far less than that")
    if total > max_bytes:
        raise SourceError(str(path), f"the archive's members add up to {total:,} bytes (the limit is {max_bytes:,})",
                          "split it into smaller archives")
