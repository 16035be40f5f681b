"""Reading input: files, folders and standard input as JSON documents and NDJSON lines.

NDJSON is read in batches of about :data:`BLOCK_SIZE` bytes cut at line ends, so that
memory is bounded by a batch whatever the size of the input; whole documents are read
at once. The helpers here also tell what is wrong with bytes that do not parse.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
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

Progress = Callable[[int], None]
# Lines and the number of bytes they took.
Batch = tuple[list[bytes], int]


def size(path: str) -> int:
    try:
        return os.stat(path).st_size if os.path.isfile(path) else 0
    except OSError:
        return 0


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


def file_batches(handle: BinaryIO, start: int, end: int | None) -> Iterator[Batch]:
    """Lines of a byte range in batches of about :data:`BLOCK_SIZE` bytes, with their size.

    Ranges start and end at line ends, so a batch that reads past the end only needs
    its last lines dropped.
    """
    handle.seek(start)
    position = start
    while end is None or position < end:
        batch = handle.readlines(BLOCK_SIZE)
        if not batch:
            return
        reached = handle.tell()
        while end is not None and reached > end:
            reached -= len(batch.pop())
        yield batch, reached - position
        position = reached


def stream_batches(head: bytes, stream: BinaryIO) -> Iterator[Batch]:
    """Lines of a stream whose first bytes were already read, in batches."""
    parts = head.split(b"\n")
    carry = parts.pop()
    yield [part + b"\n" for part in parts], len(head) - len(carry)
    while True:
        batch = stream.readlines(BLOCK_SIZE)
        if not batch:
            break
        size = sum(len(line) for line in batch)
        if carry:
            batch[0] = carry + batch[0]
            carry = b""
        yield batch, size
    if carry:
        yield [carry], len(carry)
