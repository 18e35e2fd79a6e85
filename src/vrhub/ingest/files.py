"""Where input files come from: a file, a folder, or a zip archive (as police.uk's downloads are).

Every input becomes a ``SourceFile``: a name to show people, a way to open its bytes, and its sha256.
Members of an archive are source files in their own right (``archive.zip!2018-10/2018-10-kent-street.csv``).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vrhub.domain.errors import SourceError

HASH_CHUNK = 1 << 20


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
    """An input that was looked at and deliberately not loaded, with the reason."""

    display: str
    reason: str


def discover(
    paths: Iterable[str | Path], suffixes: tuple[str, ...] = (".csv",)
) -> tuple[list[SourceFile], list[Skipped]]:
    """Expand files, folders and zip archives into source files, in a stable (sorted) order.

    Files inside folders and archives that do not end with one of ``suffixes`` are reported as skipped,
    never silently ignored. A path named directly is always returned (its content is checked later).
    """
    found: list[SourceFile] = []
    skipped: list[Skipped] = []
    for raw in paths:
        path = Path(raw).expanduser().absolute()  # provenance records where the file was, whatever the cwd
        if not path.exists():
            raise SourceError(str(path), "no such file or folder", "check the path (use quotes if it has spaces)")
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith("."):
                    continue
                if zipfile.is_zipfile(child) and child.suffix.lower() == ".zip":
                    f, s = _zip_members(child, suffixes)
                    found += f
                    skipped += s
                elif child.suffix.lower() in suffixes:
                    found.append(SourceFile(child))
                else:
                    skipped.append(Skipped(str(child), f"not a {'/'.join(suffixes)} file"))
        elif path.suffix.lower() == ".zip" or (zipfile.is_zipfile(path) and not _is_office_file(path)):
            f, s = _zip_members(path, suffixes)
            found += f
            skipped += s
        else:
            found.append(SourceFile(path))
    return found, skipped


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
    found, skipped = [], []
    for info in sorted(infos, key=lambda i: i.filename):
        if info.is_dir():
            continue
        name = info.filename
        base = Path(name).name
        if ".." in Path(name).parts or name.startswith("/"):
            skipped.append(Skipped(f"{path}!{name}", "unsafe path inside the archive"))
        elif base.startswith(".") or "__MACOSX" in name:
            skipped.append(Skipped(f"{path}!{name}", "system file, not data"))
        elif Path(name).suffix.lower() in suffixes:
            found.append(SourceFile(path, name))
        else:
            skipped.append(Skipped(f"{path}!{name}", f"not a {'/'.join(suffixes)} file"))
    return found, skipped
