"""Text lines from bytes, whatever the bytes: each line decoded on its own, and every row bounded in memory.

* :func:`decode_line` reads one line as UTF-8 when it is valid UTF-8, else as Windows-1252 (the five bytes
  Windows-1252 leaves undefined become the C1 control characters of the same number, as in the WHATWG Encoding
  Standard, so decoding never fails), and counts the lines that needed Windows-1252;
* :class:`MixedEncodingStream` turns such a file into UTF-8 bytes for Arrow's fast reader;
* :class:`TextLines` gives the careful reader (Python's ``csv`` module) one physical line at a time and stops a
  row at ``MAX_ROW_BYTES``: a longer row raises :class:`RowTooLong` with its first ``RAW_KEPT_CHARS`` characters
  kept, the rest of it read and dropped, never held.

The limits are read when used, so that tests can make them small.
"""

from __future__ import annotations

import codecs
from collections import deque
from dataclasses import dataclass
from typing import BinaryIO

#: The longest row (record) the careful reader keeps in memory; a longer one is set aside, not read whole.
MAX_ROW_BYTES = 4 << 20
#: How much of a row's original text a quarantined row keeps when the row is longer than ``MAX_ROW_BYTES``.
RAW_KEPT_CHARS = 64 << 10
_CHUNK = 1 << 16


@dataclass
class ReadNotes:
    """What reading a text file did that the user should know (filled in as the file is read)."""

    cp1252_lines: int = 0  # lines that were not valid UTF-8 and were decoded as Windows-1252
    long_rows: int = 0  # rows longer than MAX_ROW_BYTES, set aside


def _c1_controls(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) as the C1 controls of the
    same number, as the WHATWG Encoding Standard's windows-1252 does, so that decoding never fails."""
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("vrhub-cp1252-c1", _c1_controls)


def decode_line(raw: bytes, notes: ReadNotes | None = None) -> str:
    """One line: UTF-8 if it is valid UTF-8, else Windows-1252 (counted in ``notes``)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        if notes is not None:
            notes.cp1252_lines += 1
        return raw.decode("cp1252", errors="vrhub-cp1252-c1")


def decode_lines(data: bytes, notes: ReadNotes | None = None) -> str:
    """Text whose lines may each be UTF-8 or Windows-1252 (see :func:`decode_line`); valid UTF-8 in one go."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(decode_line(line, notes) for line in data.splitlines(keepends=True))


class MixedEncodingStream:
    """A binary stream whose lines are each UTF-8 or Windows-1252, read as UTF-8 (for Arrow's reader).

    Blocks that are valid UTF-8 pass through unchanged; in the others each line is decoded on its own (see
    :func:`decode_line`) and re-encoded. Only whole lines are converted: the unfinished end of a block waits for
    the next one, unless it grows past ``MAX_ROW_BYTES`` (a line that never ends), when it is converted as it is
    (cut after a whole UTF-8 character), so that memory stays bounded.
    """

    def __init__(self, stream: BinaryIO, notes: ReadNotes) -> None:
        self._stream = stream
        self._notes = notes
        self._pending = b""
        self._out = bytearray()
        self._eof = False

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._out) < n):
            chunk = self._stream.read(max(n, _CHUNK))
            if not chunk:
                self._eof = True
                self._out += decode_lines(self._pending, self._notes).encode("utf-8")
                self._pending = b""
                break
            data = self._pending + chunk
            cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if cut == 0 and len(data) > MAX_ROW_BYTES:
                cut = _utf8_boundary(data)
            self._out += decode_lines(data[:cut], self._notes).encode("utf-8")
            self._pending = data[cut:]
        size = len(self._out) if n < 0 else min(n, len(self._out))
        out = bytes(self._out[:size])
        del self._out[:size]
        return out

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._stream.close()

    @property
    def closed(self) -> bool:
        return bool(getattr(self._stream, "closed", False))


def _utf8_boundary(data: bytes) -> int:
    """A cut point at or shortly before the end of ``data`` that does not split a UTF-8 character."""
    end = len(data)
    for back in range(min(3, end)):
        if data[end - 1 - back] & 0xC0 != 0x80:  # the first byte of the last character
            lead = data[end - 1 - back]
            width = 1 if lead < 0x80 else 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4
            return end if back + 1 >= width else end - 1 - back
    return end


class RowTooLong(Exception):
    """Raised by :class:`TextLines` (through ``csv.reader``) when a row passes its byte limit."""

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(f"row of {size:,} bytes or more")


class TextLines:
    """The physical lines of a binary stream as text, one at a time, for ``csv.reader``.

    Lines end at CR LF, CR or LF (Python's universal newlines, which the ``csv`` module expects) and keep their
    ending; each is decoded on its own (strict UTF-8, or per line UTF-8 else Windows-1252 with ``fallback``; a
    byte order mark at the start is dropped). The reader calls :meth:`start_record` before each record; the lines
    it then consumes are that record's, so :meth:`record_text` is the record exactly as it was in the file.
    When a record passes ``max_row`` bytes, :class:`RowTooLong` is raised at the end of the line where it did
    (the rest of an over-long line is read and dropped, never held whole): ``csv.reader`` lets the exception
    through, and its next record starts at the next line.
    """

    def __init__(self, stream: BinaryIO, *, fallback: bool, notes: ReadNotes, max_row: int | None = None,
                 kept_chars: int | None = None) -> None:
        self._stream = stream
        self._fallback = fallback
        self._notes = notes
        self._max_row = max_row or MAX_ROW_BYTES
        self._kept_chars = kept_chars or RAW_KEPT_CHARS
        self._queue: deque[bytes] = deque()
        self._partial = bytearray()
        self._long: _LongLine | None = None  # a line past max_row, being read to its end
        self._drop_lf = False  # the last line ended with CR: a LF at the start of the next chunk belongs to it
        self._eof = False
        self.line_no = 0  # physical lines consumed
        self.record_start = 1
        self._record_bytes = 0
        self._record: list[str] = []

    def start_record(self) -> None:
        self.record_start = self.line_no + 1
        self._record_bytes = 0
        self._record = []

    def record_text(self) -> str:
        """The current record's text as in the file (without its last line ending); for a record longer than
        ``max_row``, its first ``kept_chars`` characters and a note."""
        text = "".join(self._record)
        if self._record_bytes > self._max_row:
            return (text[: self._kept_chars] + f" … [cut by vrhub: the row is {self._record_bytes:,} bytes or more; "
                    f"the first {self._kept_chars:,} characters are kept]")
        return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\n", "\r")) else text

    def __iter__(self) -> TextLines:
        return self

    def __next__(self) -> str:
        while not self._queue:
            if self._eof or not self._fill():
                raise StopIteration
        raw = self._queue.popleft()
        long = isinstance(raw, _LongLine)
        self.line_no += 1
        self._record_bytes += raw.size if isinstance(raw, _LongLine) else len(raw)
        text = self._decode(raw)
        self._record.append(text)
        if long or self._record_bytes > self._max_row:
            self._notes.long_rows += 1
            raise RowTooLong(self._record_bytes)
        return text

    def _decode(self, raw: bytes) -> str:
        if isinstance(raw, _LongLine):  # only its start is kept, maybe cut inside a character: it is set aside
            text = raw.decode("utf-8", errors="replace")
        elif self._fallback:
            text = decode_line(raw, self._notes)
        else:
            text = raw.decode("utf-8")  # UnicodeDecodeError: the loader reads the file again, per line
        if self.line_no == 1 and text.startswith("\ufeff"):
            text = text[1:]
        return text

    def _fill(self) -> bool:
        """Read the next chunk and queue the lines it completes; False at the end of the stream."""
        chunk = self._stream.read(_CHUNK)
        eof = not chunk
        if self._drop_lf and chunk.startswith(b"\n"):  # the LF of an over-long line's CR LF
            chunk = chunk[1:]
        self._drop_lf = False
        if self._partial.endswith(b"\r"):  # the last chunk ended with CR: the line ends here (with CR or CR LF)
            if chunk.startswith(b"\n"):
                self._partial += b"\n"
                chunk = chunk[1:]
            self._queue.append(bytes(self._partial))
            self._partial.clear()
        if eof:
            self._eof = True
            if self._long is not None:
                self._queue.append(self._long)
                self._long = None
            elif self._partial:
                self._queue.append(bytes(self._partial))
                self._partial.clear()
            return bool(self._queue)
        if self._long is not None:
            chunk = self._skip_long(chunk)
        if not chunk:
            return True
        if b"\n" not in chunk and b"\r" not in chunk:  # (a byte search: ~20 times a regex's speed)
            self._partial += chunk
        else:
            lines = chunk.splitlines(keepends=True)
            if self._partial:
                lines[0] = bytes(self._partial) + lines[0]
                self._partial.clear()
            if not lines[-1].endswith(b"\n"):  # unfinished, or ended by a CR that may be the start of CR LF
                self._partial += lines.pop()
            self._queue.extend(lines)
        if len(self._partial) > self._max_row and not self._partial.endswith(b"\r"):
            self._long = _LongLine(bytes(self._partial[: self._max_row]), len(self._partial))
            self._partial.clear()
        return True

    def _skip_long(self, chunk: bytes) -> bytes:
        """Drop the rest of an over-long line; return what follows its end in ``chunk`` (if it ends there)."""
        assert self._long is not None
        ends = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
        if not ends:
            self._long.size += len(chunk)
            return b""
        end = min(ends) + (2 if chunk.startswith(b"\r\n", min(ends)) else 1)
        self._long.size += end
        self._queue.append(self._long)
        self._long = None
        if chunk[end - 1:end] == b"\r" and end == len(chunk):
            self._drop_lf = True
        return chunk[end:]


class _LongLine(bytes):
    """The kept start of a line longer than the limit, and the line's whole size in bytes."""

    size: int

    def __new__(cls, kept: bytes, size: int) -> _LongLine:
        obj = super().__new__(cls, kept)
        obj.size = size
        return obj
