"""Reading and writing chain datasets: one JSON file, or a folder of NDJSON files.

Folder form::

    dataset.json            datasetVersion, asOf, shapes, catalogueProvider
    schools.ndjson          one school (its facts) per line
    <collection>.ndjson     one object per line, e.g. deliveryOrders.ndjson

Reading checks the container (the document's structure and the school facts) and
reports every problem at once with file, line and JSON pointer. The objects themselves
are checked against their message schemas by :func:`eduv.dataset.chain.validate_chain_objects`,
so that a broken message is a finding about the data, not a reason the data cannot be read.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from eduv.dataset.chain.model import (
    ChainDataset,
    chain_collections,
    chain_schema,
)
from eduv.dataset.files import (
    UNGUARDED,
    Guard,
    problem,
    read_json,
    read_ndjson,
    write_json,
    write_ndjson,
)
from eduv.dataset.io import DatasetError, short_message
from eduv.dataset.model import JsonObject
from eduv.findings import InputError
from eduv.pointer import pointer

HEADER_FILE = "dataset.json"
SCHOOLS_FILE = "schools.ndjson"


@cache
def _container_validator() -> Any:
    """The format-2 schema without the per-version binding of objects to messages."""
    structure = copy.deepcopy(chain_schema())
    structure.pop("allOf", None)
    return jsonschema_rs.validator_for(structure, validate_formats=True)


def chain_dataset_from_json(doc: Any, source: str = "<document>") -> ChainDataset:
    """Check a parsed document against the chain dataset container and build the dataset."""
    if isinstance(doc, dict) and doc.get("datasetVersion") == 1:
        raise DatasetError(
            [
                problem(
                    source,
                    "a format-1 (administration) dataset",
                    "read it with eduv.dataset.load_dataset; chain datasets have datasetVersion 2",
                    location="/datasetVersion",
                )
            ]
        )
    problems = [
        problem(
            source,
            "not a valid chain dataset",
            short_message(e),
            location=pointer(e.instance_path),
        )
        for e in _container_validator().iter_errors(doc)
    ]
    if problems:
        raise DatasetError(problems)
    return ChainDataset.from_json(doc)


def load_chain_dataset(path: str | Path, guard: Guard = UNGUARDED) -> ChainDataset:
    """Read a chain dataset from a JSON file or from a dataset folder.

    ``guard`` says what reading checks besides JSON syntax (see :class:`Guard`).
    """
    source = Path(path)
    if source.is_dir():
        return _load_folder(source, guard)
    if source.is_file():
        problems: list[InputError] = []
        doc = read_json(source, problems, guard, "check the path")
        if problems:
            raise DatasetError(problems)
        return chain_dataset_from_json(doc, str(source))
    raise DatasetError([problem(source, "no such file or folder", "check the path")])


def save_chain_dataset(dataset: ChainDataset, path: str | Path, *, folder: bool = False) -> None:
    """Write a chain dataset as one JSON file, or (``folder=True``) as a dataset folder."""
    target = Path(path)
    if not folder:
        write_json(target, dataset.to_json())
        return
    target.mkdir(parents=True, exist_ok=True)
    write_header(target, dataset)
    write_ndjson(target / SCHOOLS_FILE, (s.to_json() for s in dataset.schools))
    for coll in chain_collections():
        values = dataset.objects.get(coll.name)
        if values:
            write_ndjson(target / f"{coll.name}.ndjson", values)


def write_header(folder: Path, dataset: ChainDataset) -> None:
    write_json(folder / HEADER_FILE, dataset.header_json())


def _load_folder(folder: Path, guard: Guard) -> ChainDataset:
    problems: list[InputError] = []
    header = read_json(folder / HEADER_FILE, problems, guard, "a chain dataset folder needs it")
    doc: JsonObject = header if isinstance(header, dict) else {}
    known = {f"{c.name}.ndjson" for c in chain_collections()} | {SCHOOLS_FILE}
    for path in sorted(folder.glob("*.ndjson")):
        if path.name not in known:
            problems.append(
                problem(path, "unknown collection", "format 2 has no collection by that name")
            )
    lines: dict[str, list[int]] = {}
    doc["schools"], lines["schools"] = read_ndjson(folder / SCHOOLS_FILE, problems, guard)
    for coll in chain_collections():
        path = folder / f"{coll.name}.ndjson"
        if path.exists():
            doc[coll.name], lines[coll.name] = read_ndjson(path, problems, guard)
    if problems:
        raise DatasetError(problems)
    try:
        return chain_dataset_from_json(doc, str(folder))
    except DatasetError as exc:
        raise DatasetError([_locate(folder, p, lines) for p in exc.problems]) from None


def _locate(folder: Path, found: InputError, lines: dict[str, list[int]]) -> InputError:
    """Turn a pointer into the assembled document back into a file and a line."""
    parts = (found.location or "").split("/")
    if len(parts) >= 3 and parts[1] in lines and parts[2].isdigit():
        name, index, rest = parts[1], int(parts[2]), "/".join(parts[3:])
        path = str(folder / f"{name}.ndjson")
        return replace(
            found, source=path, line=lines[name][index], location=f"/{rest}" if rest else None
        )
    return replace(found, source=str(folder / HEADER_FILE))
