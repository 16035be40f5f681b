"""The files of a dataset folder, read and written the same way for both formats.

A folder holds JSON files (the header, a school's organisation) and NDJSON files. What
a reader checks besides JSON syntax is up to its caller, through a :class:`Guard`: the
validator passes one with its input limits (so that an endless or huge file in a
dataset folder stops at the limit, in bounded memory) and its check for names repeated
in an object; a library caller who trusts the files passes none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from eduv.dataset.model import JsonObject
from eduv.findings import InputError

# Bytes read at a time while skipping the rest of a line over the limit.
_SKIP = 1 << 20


@dataclass(frozen=True, slots=True)
class Guard:
    """What reading a dataset file checks besides JSON syntax.

    ``max_bytes`` bounds a JSON file and each NDJSON line (``too_large`` and
    ``too_long`` say why one was refused); ``refuse`` may turn a text down before it is
    parsed, with the reason;
    ``parsed`` sees every text that was parsed, with its file and line (None for a JSON
    file), for checks that need the text and the value both.
    """

    max_bytes: int | None = None
    too_large: str = "the file is larger than the limit; it was not read"
    too_long: str = "the line is longer than the limit; it was skipped"
    refuse: Callable[[bytes], str | None] | None = None
    parsed: Callable[[Path, int | None, bytes, Any], None] | None = None


UNGUARDED = Guard()


def problem(
    source: str | Path, what: str, why: str, line: int | None = None, location: str = ""
) -> InputError:
    """A reason a dataset cannot be read, worded as ``what: why`` at its place."""
    return InputError(str(source), f"{what}: {why}", line, None, location or None)


def read_json(path: Path, problems: list[InputError], guard: Guard, why_needed: str) -> Any:
    """The value of a JSON file, or None after adding why it cannot be read."""
    if not path.is_file():
        problems.append(problem(path, "missing file", why_needed))
        return None
    with path.open("rb") as handle:
        raw = handle.read() if guard.max_bytes is None else handle.read(guard.max_bytes + 1)
    if guard.max_bytes is not None and len(raw) > guard.max_bytes:
        problems.append(InputError(str(path), guard.too_large))
        return None
    return _parse(path, None, raw, problems, guard)


def read_ndjson(
    path: Path, problems: list[InputError], guard: Guard
) -> tuple[list[Any], list[int]]:
    """The values of an NDJSON file (blank lines skipped) and the line of each.

    A missing file holds no values. A line over the guard's limit is refused and
    skipped without being held, so an endless file costs no more memory than one line.
    """
    values: list[Any] = []
    numbers: list[int] = []
    if not path.exists():
        return values, numbers
    with path.open("rb") as handle:
        for number, line in _lines_within(handle, guard.max_bytes):
            if line is None:
                problems.append(InputError(str(path), guard.too_long, number))
                continue
            if not line.strip():
                continue
            value = _parse(path, number, line, problems, guard)
            if value is not _UNREAD:
                values.append(value)
                numbers.append(number)
    return values, numbers


_UNREAD: Any = object()


def _parse(
    path: Path, line: int | None, raw: bytes, problems: list[InputError], guard: Guard
) -> Any:
    """The value of one JSON text, or ``_UNREAD`` (None for a file) with the reason added."""
    unread = _UNREAD if line is not None else None
    reason = guard.refuse(raw) if guard.refuse is not None else None
    if reason is not None:
        problems.append(InputError(str(path), reason, line))
        return unread
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        problems.append(problem(path, "not valid JSON", str(exc), line=line))
        return unread
    if guard.parsed is not None:
        guard.parsed(path, line, raw, value)
    return value


def _lines_within(handle: BinaryIO, limit: int | None) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines; None for a line longer than ``limit``, whose rest is skipped."""
    number = 0
    while True:
        line = handle.readline() if limit is None else handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if limit is None or len(line.rstrip(b"\r\n")) <= limit:
            yield number, line
            continue
        while line and not line.endswith(b"\n"):
            line = handle.readline(_SKIP)
        yield number, None


def write_json(path: Path, value: Any) -> None:
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")


def write_ndjson(path: Path, values: Iterable[JsonObject], *, append: bool = False) -> None:
    """Write one object per line (``append`` adds to the file, for streaming writers)."""
    with path.open("ab" if append else "wb") as handle:
        handle.writelines(orjson.dumps(value) + b"\n" for value in values)
