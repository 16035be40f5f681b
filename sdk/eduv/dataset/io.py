"""Reading and writing datasets: one JSON file, or a folder of NDJSON files.

Folder form::

    dataset.json                       datasetVersion, asOf, shapes, facts
    students.ndjson                    one Student per line
    employees.ndjson                   one Employee per line
    schools/<name>/organisation.json   the school's Organisation
    schools/<name>/<collection>.ndjson e.g. enrollments.ndjson, one object per line

School folders are read in name order; their names carry no meaning. Problems are
:class:`eduv.findings.InputError` records that say what is wrong and why, and where
(file, line, JSON pointer); all problems of a file are reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from eduv.dataset.model import (
    Dataset,
    JsonObject,
    School,
    dataset_schema,
    school_collections,
)
from eduv.findings import InputError
from eduv.pointer import pointer

HEADER_FILE = "dataset.json"
SCHOOLS_DIR = "schools"
ORGANISATION_FILE = "organisation.json"
MAX_REPORTED = 50


def problem(
    source: str | Path, what: str, why: str, line: int | None = None, location: str = ""
) -> InputError:
    """A reason a dataset cannot be read, worded as ``what: why`` at its place."""
    return InputError(str(source), f"{what}: {why}", line, None, location or None)


class DatasetError(ValueError):
    """A dataset could not be read; ``problems`` lists every reason found."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:MAX_REPORTED])
        more = len(problems) - MAX_REPORTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"the dataset cannot be read:\n{shown}{tail}")


_SHOWN = 60


def short_message(error: jsonschema_rs.ValidationError) -> str:
    """The validator's message with the value it quotes cut short.

    jsonschema-rs quotes the whole failing value: a list where an object belongs
    would fill the screen with the list.
    """
    message = str(error.message)
    try:
        whole = orjson.dumps(error.instance).decode()
    except TypeError:
        whole = ""
    if len(whole) > _SHOWN and whole in message:
        return message.replace(whole, whole[: _SHOWN - 3] + "...", 1)
    return message if len(message) <= 5 * _SHOWN else message[: 5 * _SHOWN - 3] + "..."


@cache
def _container_validator() -> Any:
    return jsonschema_rs.validator_for(dataset_schema(), validate_formats=True)


def load_dataset(path: str | Path) -> Dataset:
    """Read a dataset from a JSON file or from a dataset folder."""
    source = Path(path)
    if source.is_dir():
        return _load_folder(source)
    if source.is_file():
        return _load_file(source)
    raise DatasetError([problem(source, "no such file or folder", "check the path")])


def save_dataset(dataset: Dataset, path: str | Path, *, folder: bool = False) -> None:
    """Write a dataset as one JSON file, or (``folder=True``) as a dataset folder."""
    target = Path(path)
    if folder:
        _save_folder(dataset, target)
        return
    target.write_bytes(orjson.dumps(dataset.to_json(), option=orjson.OPT_INDENT_2) + b"\n")


def dataset_from_json(doc: Any, where: str = "<document>") -> Dataset:
    """Check a parsed document against the dataset schema and build the dataset."""
    problems = [
        problem(
            where, "not a valid dataset", short_message(err), location=pointer(err.instance_path)
        )
        for err in _container_validator().iter_errors(doc)
    ]
    if problems:
        raise DatasetError(problems)
    return Dataset.from_json(doc)


def _load_file(path: Path) -> Dataset:
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise DatasetError([problem(path, "not valid JSON", str(exc))]) from None
    return dataset_from_json(doc, str(path))


def _load_folder(folder: Path) -> Dataset:
    problems: list[InputError] = []
    header = _read_json(folder / HEADER_FILE, problems)
    doc: JsonObject = header if isinstance(header, dict) else {}
    doc["students"] = _read_ndjson(folder / "students.ndjson", problems)
    doc["employees"] = _read_ndjson(folder / "employees.ndjson", problems)
    doc["schools"] = [_read_school(d, problems) for d in _school_dirs(folder, problems)]
    if problems:
        raise DatasetError(problems)
    try:
        return dataset_from_json(doc, str(folder))
    except DatasetError as exc:
        raise DatasetError([_locate(folder, doc, p) for p in exc.problems]) from None


def _school_dirs(folder: Path, problems: list[InputError]) -> list[Path]:
    root = folder / SCHOOLS_DIR
    if not root.is_dir():
        problems.append(problem(root, "missing folder", "a dataset folder keeps its schools here"))
        return []
    return sorted(p for p in root.iterdir() if p.is_dir())


def _read_school(folder: Path, problems: list[InputError]) -> JsonObject:
    school: JsonObject = {"organisation": _read_json(folder / ORGANISATION_FILE, problems)}
    for coll in school_collections():
        path = folder / f"{coll.name}.ndjson"
        if path.exists():
            school[coll.name] = _read_ndjson(path, problems)
    return school


def _read_json(path: Path, problems: list[InputError]) -> Any:
    if not path.is_file():
        problems.append(problem(path, "missing file", "the dataset folder needs it"))
        return None
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        problems.append(problem(path, "not valid JSON", str(exc)))
        return None


def _read_ndjson(path: Path, problems: list[InputError]) -> list[Any]:
    """Read one JSON value per non-empty line; a missing file is an empty list."""
    if not path.exists():
        return []
    values: list[Any] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                values.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                problems.append(problem(path, "not valid JSON", str(exc), line=number))
    return values


_POINTER_IN_FOLDER = re.compile(r"^/(students|employees)/(\d+)(.*)$")
_POINTER_IN_SCHOOL = re.compile(r"^/schools/(\d+)/(\w+)(?:/(\d+))?(.*)$")


def _locate(folder: Path, doc: JsonObject, problem: InputError) -> InputError:
    """Turn a pointer into the assembled document back into a file, line and pointer."""
    where = problem.location or ""
    people = _POINTER_IN_FOLDER.match(where)
    if people:
        name, index, rest = people.groups()
        path = folder / (name + ".ndjson")
        return _moved(problem, path, _line_of(path, int(index)), rest)
    school = _POINTER_IN_SCHOOL.match(where)
    if school:
        return _locate_in_school(folder, school.groups(), problem)
    return _moved(problem, folder / HEADER_FILE, None, where)


def _locate_in_school(
    folder: Path, groups: tuple[str | Any, ...], problem: InputError
) -> InputError:
    s_index, member, index, rest = groups
    school_dir = _school_dirs(folder, [])[int(s_index)]
    if member == "organisation":
        inner = f"/{index}{rest}" if index is not None else rest
        return _moved(problem, school_dir / ORGANISATION_FILE, None, inner)
    path = school_dir / f"{member}.ndjson"
    line = _line_of(path, int(index)) if index is not None else None
    return _moved(problem, path, line, rest)


def _moved(problem: InputError, path: Path, line: int | None, location: str) -> InputError:
    return InputError(str(path), problem.message, line, None, location or None)


def _line_of(path: Path, index: int) -> int:
    """Line number of the index-th value in an NDJSON file (blank lines are skipped)."""
    seen = -1
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                seen += 1
                if seen == index:
                    return number
    return 0


def _save_folder(dataset: Dataset, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    header = orjson.dumps(dataset.header_json(), option=orjson.OPT_INDENT_2) + b"\n"
    (folder / HEADER_FILE).write_bytes(header)
    _write_ndjson(folder / "students.ndjson", dataset.students)
    _write_ndjson(folder / "employees.ndjson", dataset.employees)
    for index, school in enumerate(dataset.schools):
        write_school_folder(folder, index, school)


def school_folder_name(index: int, school: School) -> str:
    """A file-system safe, order-preserving folder name for a school."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", school.key) or "school"
    return f"{index:05d}-{safe}"


def write_school_folder(folder: Path, index: int, school: School) -> None:
    """Write one school of a dataset folder (used by streaming writers too)."""
    target = folder / SCHOOLS_DIR / school_folder_name(index, school)
    target.mkdir(parents=True, exist_ok=True)
    org = orjson.dumps(school.organisation, option=orjson.OPT_INDENT_2) + b"\n"
    (target / ORGANISATION_FILE).write_bytes(org)
    for coll in school_collections():
        values = school.items(coll.name)
        if values:
            _write_ndjson(target / f"{coll.name}.ndjson", values)


def _write_ndjson(path: Path, values: Iterable[JsonObject]) -> None:
    with path.open("wb") as handle:
        handle.writelines(_lines(values))


def _lines(values: Iterable[JsonObject]) -> Iterator[bytes]:
    for value in values:
        yield orjson.dumps(value) + b"\n"


def append_ndjson(path: Path, values: Iterable[JsonObject]) -> None:
    """Append objects to an NDJSON file (streaming writers add people school by school)."""
    with path.open("ab") as handle:
        handle.writelines(_lines(values))
