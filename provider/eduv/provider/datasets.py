"""Datasets as the provider accepts them: read, brought to the current shapes, checked.

The provider stores objects in the shapes of the current versions (t). A dataset
written in the previous shapes (t-1) is converted up first, with the dataset format's
conversion table. Every object must be a valid message of its API: a source cannot
serve what its API cannot carry.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eduv import spec
from eduv.dataset.convert import api_versions, convert_dataset, current_shapes
from eduv.dataset.io import dataset_from_json, load_dataset
from eduv.dataset.model import Collection, Dataset, JsonObject
from eduv.pointer import pointer
from eduv.provider.store import StoreError, invalid_objects


def read_dataset(path: str | Path) -> Dataset:
    """A dataset file or folder, ready to load (raises DatasetError or StoreError)."""
    return prepare(load_dataset(path))


def dataset_from_document(doc: Any, where: str = "<request body>") -> Dataset:
    return prepare(dataset_from_json(doc, where))


def prepare(dataset: Dataset) -> Dataset:
    """The dataset in current shapes, after checking every object against its schema."""
    current = current_shapes()
    if dataset.shapes != current:
        previous = {api: v.previous for api, v in api_versions().items()}
        if dataset.shapes != previous:
            raise StoreError(
                f"the dataset's shapes {dataset.shapes} are neither the current versions "
                f"{current} nor the previous ones {previous}"
            )
        dataset = convert_dataset(dataset, "up")
    problems = list(_problems(dataset))
    if problems:
        raise invalid_objects(problems, "the dataset")
    return dataset


def object_problems(coll: Collection, obj: JsonObject, where: str) -> list[str]:
    """Why one object is not a valid message of its API (empty when it is)."""
    validator = spec.validator(coll.api, spec.api(coll.api).current, coll.component)
    return [
        f"{where}{pointer(err.instance_path)}: {err.message}" for err in validator.iter_errors(obj)
    ]


def _problems(dataset: Dataset) -> Iterator[str]:
    for where, coll, obj in dataset.iter_objects():
        yield from object_problems(coll, obj, where)
