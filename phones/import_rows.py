"""Reading the rows of a bulk create: pasted text or an uploaded CSV, one phone per row.

The input is read streaming, in chunks, so an upload never sits whole in memory. The first
line that is not blank names the columns (any order, any case; unknown ones are ignored);
cells are text and only text. Anything that cannot be read raises :class:`ImportUnreadable`
with a message that names the line and says what to do.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

MAX_ROWS = 10_000
COLUMNS = (
    "number",
    "country",
    "label",
    "primary",
    "verified",
    "people",
    "companies",
    "workspaces",
)
CHUNK_SIZE = 64 * 1024
# A physical line longer than this is not a row of phones (and would fill memory).
MAX_LINE_CHARS = 1_000_000
DELIMITERS = ("\t", ",", ";")
SAVE_AS = (
    "Save it as “CSV UTF-8” or “Unicode text” (in Excel: File, Save As), or paste the rows "
    "from the spreadsheet instead."
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEP_HINT = re.compile(r"sep=([\t,;|])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row as given: ``line`` is the line of the input it starts on (1-based), and
    ``cells`` holds every column of COLUMNS, "" when the input has no such cell."""

    line: int
    cells: dict[str, str]


class ImportUnreadable(Exception):
    """The input cannot be read as rows; ``message`` says where and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Undecodable(Exception):
    """Bytes that are not text in the input's encoding; ``before`` is the text up to them."""

    def __init__(self, before: str, encoding: str, byte: int | None) -> None:
        super().__init__(encoding)
        self.before = before
        self.encoding = encoding
        self.byte = byte


def _byte_chunks(source: IO[bytes] | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        for start in range(0, len(data), CHUNK_SIZE):
            yield data[start : start + CHUNK_SIZE]
        return
    while chunk := source.read(CHUNK_SIZE):
        yield bytes(chunk)


def _decoded(chunks: Iterator[bytes]) -> Iterator[str]:
    """The text of byte chunks: UTF-16 when a UTF-16 byte-order mark starts it, UTF-8
    otherwise (a UTF-8 byte-order mark is dropped)."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= 4:
            break
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        head = head[2:]
    else:
        encoding = "utf-8"
        head = head.removeprefix(codecs.BOM_UTF8)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    yield _decode(decoder, head, encoding, final=False)
    for chunk in chunks:
        yield _decode(decoder, chunk, encoding, final=False)
    yield _decode(decoder, b"", encoding, final=True)


def _chain_one(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _decode(decoder: codecs.IncrementalDecoder, data: bytes, encoding: str, final: bool) -> str:
    try:
        return decoder.decode(data, final)
    except UnicodeDecodeError as exc:
        good = bytes(exc.object[: exc.start])
        before = good.decode(encoding, errors="replace")
        bad = exc.object[exc.start] if exc.start < len(exc.object) else None
        raise _Undecodable(before, encoding, bad) from exc


def _text_pieces(source: str) -> Iterator[str]:
    for start in range(0, len(source), CHUNK_SIZE):
        yield source[start : start + CHUNK_SIZE]


class _Lines:
    """The physical lines of decoded text, line ends kept, counting those given out."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self.pieces = pieces
        self.count = 0
        self._ready: list[str] = []
        self._pending = ""
        self._done = False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        while not self._ready:
            if self._done:
                raise StopIteration
            self._fill()
        self.count += 1
        return self._ready.pop()

    def _fill(self) -> None:
        try:
            piece = next(self.pieces)
        except StopIteration:
            self._done = True
            if self._pending:
                self._ready = [self._pending]
                self._pending = ""
            return
        except _Undecodable as exc:
            line = self.count + len(_LINE_BREAK.findall(self._pending + exc.before)) + 1
            raise ImportUnreadable(_undecodable_message(line, exc)) from None
        text = self._pending + piece
        # A final "\r" may be the first half of "\r\n": keep it for the next piece.
        end = len(text) - 1 if text.endswith("\r") else len(text)
        cut = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1
        lines = _LINE.findall(text, 0, cut)
        self._pending = text[cut:]
        self._ready = lines[::-1]
        if len(self._pending) > MAX_LINE_CHARS:
            raise ImportUnreadable(
                f"Line {self.count + len(lines) + 1} is longer than "
                f"{MAX_LINE_CHARS:,} characters: this is not a list of phones. "
                "Give one phone per line."
            )


def _undecodable_message(line: int, exc: _Undecodable) -> str:
    byte = f" (byte 0x{exc.byte:02X})" if exc.byte is not None else ""
    if exc.encoding == "utf-8":
        return f"Line {line} is not UTF-8 text{byte}. {SAVE_AS}"
    return f"Line {line} is not readable UTF-16 text{byte}. {SAVE_AS}"


def _delimiter(header: str) -> str:
    """The separator the header line uses: tabs (pasted from a spreadsheet), semicolons
    (European Excel) or commas, whichever occurs most outside quotes; commas when none."""
    outside = "".join(header.split('"')[::2])
    counts = {delimiter: outside.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _columns(header: list[str], line: int) -> dict[str, int]:
    """Each known column's position, from the header's cells."""
    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = cell.strip().lstrip("\ufeff").strip().casefold()
        if name not in COLUMNS:
            continue
        if name in positions:
            raise ImportUnreadable(
                f"Line {line} names the column “{name}” twice; keep one and import again."
            )
        positions[name] = position
    if "number" not in positions:
        raise ImportUnreadable(
            f"Line {line} must name the columns, and it has no “number” column. "
            f"Start with a header line such as “{','.join(COLUMNS)}” "
            "(download the template for an example)."
        )
    return positions


def _checked_cells(cells: list[str], line: int) -> list[str]:
    if any("\x00" in cell for cell in cells):
        raise ImportUnreadable(
            f"Line {line} holds NUL characters: this is not a text file, or a UTF-16 file "
            f"without its byte-order mark. {SAVE_AS}"
        )
    return cells


def read_rows(source: IO[bytes] | bytes | str) -> Iterator[SourceRow]:
    """The rows of a pasted text (``str``) or an uploaded file (bytes, or a binary file read
    in chunks), blank lines skipped.

    The header is read at once (a missing ``number`` column is refused here); later rows are
    read as they are iterated, and an unreadable line raises ImportUnreadable then.
    A NUL character anywhere is refused (a binary or mis-encoded file), never stripped.
    """
    pieces = _text_pieces(source) if isinstance(source, str) else _decoded(_byte_chunks(source))
    lines = _Lines(pieces)
    header_line = ""
    for line in lines:
        if line.strip():
            header_line = line
            break
    if not header_line:
        raise ImportUnreadable(
            "There is nothing to import: give a header line naming the columns, then one "
            "phone per line."
        )
    header_number = lines.count
    delimiter = _delimiter(header_line)
    if hint := _SEP_HINT.fullmatch(header_line.rstrip("\r\n").lstrip("\ufeff")):
        # Excel's "sep=;" first line names the separator; the header follows it.
        delimiter = hint[1]
        header_line = next(lines, "")
        header_number = lines.count
    # The header line is read again by the CSV reader (it may open a quoted cell).
    # Strict: a quote left open is refused rather than swallowing the lines after it.
    reader = csv.reader(_chain_one(header_line, lines), delimiter=delimiter, strict=True)
    header = _checked_cells(_next_record(reader, header_number), header_number)
    positions = _columns(header, header_number)
    return _rows(reader, lines, positions)


def _next_record(reader: Iterator[list[str]], start: int) -> list[str]:
    try:
        return next(reader)
    except csv.Error as exc:
        raise ImportUnreadable(
            f"The row starting on line {start} cannot be read as CSV ({exc}). A cell that "
            'starts with a quote (") must end with one, right before the next separator; '
            "check the quotes from that line on."
        ) from None


def _rows(
    reader: Iterator[list[str]], lines: _Lines, positions: dict[str, int]
) -> Iterator[SourceRow]:
    count = 0
    while True:
        start = lines.count + 1
        try:
            record = _next_record(reader, start)
        except StopIteration:
            return
        cells = [cell.strip() for cell in _checked_cells(record, start)]
        if not any(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ImportUnreadable(
                f"At most {MAX_ROWS:,} rows per import; this one has more (line {start} is "
                f"row {count:,}). Split it into several imports."
            )
        yield SourceRow(
            line=start,
            cells={
                name: cells[positions[name]]
                if name in positions and positions[name] < len(cells)
                else ""
                for name in COLUMNS
            },
        )


def template_csv() -> str:
    """A CSV staff can download and fill in: the header and two example rows."""
    out = io.StringIO()
    # Every cell quoted, so "Sales;Marketing" stays one cell wherever the file is opened.
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    writer.writerow(
        ["+1 415 555 2671", "", "work", "yes", "yes", "person@example.com", "example.com", ""]
    )
    writer.writerow(["01 23 45 67 89", "FR", "mobile", "no", "", "", "", "Sales;Marketing"])
    return out.getvalue()
