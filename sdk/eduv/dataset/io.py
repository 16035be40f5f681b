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
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from eduv.dataset.files import (
    UNGUARDED,
    Guard,
    problem,
    read_json,
    read_ndjson,
    write_json,
    write_ndjson,
)
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


def load_dataset(path: str | Path, guard: Guard = UNGUARDED) -> Dataset:
    """Read a dataset from a JSON file or from a dataset folder.

    ``guard`` says what reading checks besides JSON syntax (see :class:`Guard`).
    """
    source = Path(path)
    if source.is_dir():
        return _load_folder(source, guard)
    if source.is_file():
        return _load_file(source, guard)
    raise DatasetError([problem(source, "no such file or folder", "check the path")])


def save_dataset(dataset: Dataset, path: str | Path, *, folder: bool = False) -> None:
    """Write a dataset as one JSON file, or (``folder=True``) as a dataset folder."""
    target = Path(path)
    if folder:
        _save_folder(dataset, target)
        return
    write_json(target, dataset.to_json())


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


def _load_file(path: Path, guard: Guard) -> Dataset:
    problems: list[InputError] = []
    doc = read_json(path, problems, guard, "check the path")
    if problems:
        raise DatasetError(problems)
    return dataset_from_json(doc, str(path))


# The line of each value of each NDJSON file read, to turn pointers into lines.
Lines = dict[Path, list[int]]


def _load_folder(folder: Path, guard: Guard) -> Dataset:
    problems: list[InputError] = []
    lines: Lines = {}
    header = read_json(folder / HEADER_FILE, problems, guard, "the dataset folder needs it")
    doc: JsonObject = header if isinstance(header, dict) else {}
    doc["students"] = _ndjson(folder / "students.ndjson", problems, guard, lines)
    doc["employees"] = _ndjson(folder / "employees.ndjson", problems, guard, lines)
    doc["schools"] = [
        _read_school(d, problems, guard, lines) for d in _school_dirs(folder, problems)
    ]
    if problems:
        raise DatasetError(problems)
    try:
        return dataset_from_json(doc, str(folder))
    except DatasetError as exc:
        raise DatasetError([_locate(folder, p, lines) for p in exc.problems]) from None


def _ndjson(path: Path, problems: list[InputError], guard: Guard, lines: Lines) -> list[Any]:
    values, lines[path] = read_ndjson(path, problems, guard)
    return values


def _school_dirs(folder: Path, problems: list[InputError]) -> list[Path]:
    root = folder / SCHOOLS_DIR
    if not root.is_dir():
        problems.append(problem(root, "missing folder", "a dataset folder keeps its schools here"))
        return []
    return sorted(p for p in root.iterdir() if p.is_dir())


def _read_school(
    folder: Path, problems: list[InputError], guard: Guard, lines: Lines
) -> JsonObject:
    organisation = read_json(
        folder / ORGANISATION_FILE, problems, guard, "the dataset folder needs it"
    )
    school: JsonObject = {"organisation": organisation}
    for coll in school_collections():
        path = folder / f"{coll.name}.ndjson"
        if path.exists():
            school[coll.name] = _ndjson(path, problems, guard, lines)
    return school


_POINTER_IN_FOLDER = re.compile(r"^/(students|employees)/(\d+)(.*)$")
_POINTER_IN_SCHOOL = re.compile(r"^/schools/(\d+)/(\w+)(?:/(\d+))?(.*)$")


def _locate(folder: Path, problem: InputError, lines: Lines) -> InputError:
    """Turn a pointer into the assembled document back into a file, line and pointer."""
    where = problem.location or ""
    people = _POINTER_IN_FOLDER.match(where)
    if people:
        name, index, rest = people.groups()
        path = folder / (name + ".ndjson")
        return _moved(problem, path, _line_of(lines, path, int(index)), rest)
    school = _POINTER_IN_SCHOOL.match(where)
    if school:
        return _locate_in_school(folder, school.groups(), problem, lines)
    return _moved(problem, folder / HEADER_FILE, None, where)


def _locate_in_school(
    folder: Path, groups: tuple[str | Any, ...], problem: InputError, lines: Lines
) -> InputError:
    s_index, member, index, rest = groups
    school_dir = _school_dirs(folder, [])[int(s_index)]
    if member == "organisation":
        inner = f"/{index}{rest}" if index is not None else rest
        return _moved(problem, school_dir / ORGANISATION_FILE, None, inner)
    path = school_dir / f"{member}.ndjson"
    line = _line_of(lines, path, int(index)) if index is not None else None
    return _moved(problem, path, line, rest)


def _moved(problem: InputError, path: Path, line: int | None, location: str) -> InputError:
    return InputError(str(path), problem.message, line, None, location or None)


def _line_of(lines: Lines, path: Path, index: int) -> int:
    numbers = lines.get(path, [])
    return numbers[index] if 0 <= index < len(numbers) else 0


def _save_folder(dataset: Dataset, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / HEADER_FILE, dataset.header_json())
    write_ndjson(folder / "students.ndjson", dataset.students)
    write_ndjson(folder / "employees.ndjson", dataset.employees)
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
    write_json(target / ORGANISATION_FILE, school.organisation)
    for coll in school_collections():
        values = school.items(coll.name)
        if values:
            write_ndjson(target / f"{coll.name}.ndjson", values)


def append_ndjson(path: Path, values: Iterable[JsonObject]) -> None:
    """Append objects to an NDJSON file (streaming writers add people school by school)."""
    write_ndjson(path, values, append=True)
