"""Reading input: files, folders and standard input as JSON documents and NDJSON lines.

NDJSON is read in batches of about :data:`BLOCK_SIZE` bytes cut at line ends, so that
memory is bounded by a batch whatever the size of the input. Everything is read in
chunks against :class:`Limits`: a document or line longer than the byte limit is
reported and skipped while it is being read (endless input such as ``/dev/zero`` ends
as one input error, not as an exhausted machine), and one holding more JSON values
than the value limit is refused before it is parsed. The helpers here also tell what
is wrong with bytes that do not parse.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from eduv.spec import Lang
from eduv.validation._i18n import label

BLOCK_SIZE = 1 << 22
STDIN = "-"
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
FOLDER_SUFFIXES = (".json", ".har", *NDJSON_SUFFIXES)
BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
UTF8_BOM = b"\xef\xbb\xbf"

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_JSON_VALUES = 2_000_000
CHUNK = 1 << 20

# Stand-ins for NDJSON lines that broke a limit, so that line numbers stay right. They
# start with a NUL byte, which no JSON text holds: they fail to parse like any broken
# line, and the slow path that explains broken lines recognises them by content (a
# block of standard input is split again in a worker, so identity would not survive).
LINE_TOO_LONG = b"\x00eduv: line over the byte limit"
LINE_TOO_MANY_VALUES = b"\x00eduv: line over the value limit"
MARKERS = (LINE_TOO_LONG, LINE_TOO_MANY_VALUES)


@dataclass(frozen=True, slots=True)
class Limits:
    """The most one document or NDJSON line may take: bytes, and JSON values in it.

    The value limit guards the parser: a JSON value becomes a Python object of 50 to
    100 bytes, so 64 MiB of ``{},`` would take gigabytes once parsed.
    """

    document_bytes: int = MAX_DOCUMENT_BYTES
    json_values: int = MAX_JSON_VALUES


DEFAULT_LIMITS = Limits()

Progress = Callable[[int], None]
# Lines and the number of bytes they took.
Batch = tuple[list[bytes], int]


def size(path: str) -> int:
    try:
        return os.stat(path).st_size if os.path.isfile(path) else 0
    except OSError:
        return 0


_STRING = re.compile(rb'"(?:[^"\\\\]|\\\\.)*"')


def _value_bound(raw: bytes) -> int:
    # Every value but the first of a non-empty container follows a comma, so a text
    # holds 1 + commas + non-empty containers values, counted here at memchr speed.
    # Commas and brackets inside strings make it an upper bound.
    return (
        1
        + raw.count(b",")
        + raw.count(b"{")
        + raw.count(b"[")
        - raw.count(b"{}")
        - raw.count(b"[]")
    )


def too_many_values(raw: bytes, limit: int) -> bool:
    """Whether a JSON text holds more than ``limit`` values, known before parsing it."""
    # A value takes at least two bytes ("0," or "[]"), so short texts cannot exceed it.
    if len(raw) <= 2 * limit or _value_bound(raw) <= limit:
        return False
    # The bound is over: count again without the strings, so that text full of commas
    # is not refused for what its strings hold.
    return _value_bound(_STRING.sub(b'""', raw)) > limit


def limit_message(lang: Lang, key: str, limits: Limits) -> str:
    """Why input was refused: the limit it broke and the option that raises it."""
    limit = limits.json_values if key == "too_many_values" else limits.document_bytes
    return label(lang, key, limit=f"{limit:,}")


def read_bounded(read: Callable[[int], bytes], limit: int) -> bytes | None:
    """All bytes ``read`` gives, or None as soon as there are more than ``limit``."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = read(min(CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None


def decode_problem(raw: bytes, exc: orjson.JSONDecodeError, lang: Lang) -> tuple[str, int | None]:
    """What is wrong with bytes that did not parse, and the column when it helps."""
    for bom, name in BOMS.items():
        if raw.startswith(bom):
            return label(lang, "wrong_encoding", encoding=name), None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return label(lang, "not_utf8", byte=bad.start + 1), None
    return label(lang, "malformed", reason=exc.msg), exc.colno


def wrong_encoding(first_line: bytes) -> str | None:
    """The encoding a byte-order mark names, when the input is not UTF-8 JSON."""
    for bom, name in BOMS.items():
        if first_line.startswith(bom):
            return name
    return None


def looks_like_ndjson(data: bytes) -> bool:
    """Several lines of which the first is a JSON value on its own."""
    lines = [line for line in data.split(b"\n", 2) if line.strip()]
    if len(lines) < 2:
        return False
    try:
        orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        return False
    return True


def is_ndjson_head(head: bytes) -> bool:
    """Standard input is NDJSON when its first line is a JSON value on its own."""
    try:
        orjson.loads(head.split(b"\n", 1)[0])
    except orjson.JSONDecodeError:
        return False
    return True


def folder_files(folder: Path) -> list[str]:
    return sorted(
        str(p) for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES
    )


def file_batches(
    handle: BinaryIO, start: int, end: int | None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Batch]:
    """Lines of a byte range in batches of about :data:`BLOCK_SIZE` bytes, with their size.

    Ranges start and end at line ends, so the range is read as a stream of its own.
    """
    handle.seek(start)
    if end is None:
        return bounded_lines(b"", handle.read, limits)
    left = end - start

    def read(size: int) -> bytes:
        nonlocal left
        chunk = handle.read(min(size, left))
        left -= len(chunk)
        return chunk

    return bounded_lines(b"", read, limits)


def bounded_lines(head: bytes, read: Callable[[int], bytes], limits: Limits) -> Iterator[Batch]:
    """Lines in batches (with the bytes they took), each line held to the limits.

    A line over the byte limit becomes :data:`LINE_TOO_LONG` and the rest of it is
    read and dropped chunk by chunk; a line over the value limit becomes
    :data:`LINE_TOO_MANY_VALUES`. Lines come without their line end.
    """
    parts = head.split(b"\n")
    carry = parts.pop()
    if parts:
        yield held(parts, len(head), limits), len(head) - len(carry)
    skipping = False  # inside a line that is already reported as too long
    while True:
        block = read(BLOCK_SIZE)
        if skipping:
            end = block.find(b"\n")
            if block and end < 0:
                yield [], len(block)
                continue
            skipping = False
            yield [], end + 1
            block = block[end + 1 :] if block else block
        if not block:
            lines = carry.split(b"\n")
            if not lines[-1]:
                lines.pop()  # the input ends with a line end, not with another line
            if lines:
                yield held(lines, len(carry), limits), len(carry)
            return
        # Split the block itself and join only the carried start of its first line:
        # joining whole blocks first would copy every byte once more.
        lines = block.split(b"\n")
        size = len(carry) + len(block)
        if carry:
            lines[0] = carry + lines[0]
        carry = lines.pop()
        used = size - len(carry)
        if len(carry) > limits.document_bytes:
            lines.append(LINE_TOO_LONG)
            used, carry, skipping = size, b"", True
        yield held(lines, size, limits), used


def held(lines: list[bytes], size: int, limits: Limits) -> list[bytes]:
    """The lines, with any over the limits replaced by markers (the batch list is reused)."""
    threshold = min(2 * limits.json_values, limits.document_bytes)
    if size <= threshold:  # the common case: no line of the batch can break a limit
        return lines
    for index, line in enumerate(lines):
        if len(line) > threshold and line not in MARKERS:
            if len(line) > limits.document_bytes:
                lines[index] = LINE_TOO_LONG
            elif too_many_values(line, limits.json_values):
                lines[index] = LINE_TOO_MANY_VALUES
    return lines


def next_line_start(handle: BinaryIO, position: int) -> int:
    """The offset just after the first line end at or after ``position`` (or the end)."""
    handle.seek(position)
    while True:
        chunk = handle.read(CHUNK)
        if not chunk:
            return position
        found = chunk.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(chunk)
