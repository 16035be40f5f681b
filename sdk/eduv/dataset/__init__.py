"""Datasets: everything a source serves for its schools, in one checked container.

See ``spec/dataset/1/Dataset.json`` for the format and ``conversions.json`` beside it
for how stored objects are served in the previous API version.
"""

from __future__ import annotations

from eduv.dataset.convert import (
    api_versions,
    convert_dataset,
    convert_object,
    current_shapes,
)
from eduv.dataset.io import (
    DatasetError,
    dataset_from_json,
    load_dataset,
    save_dataset,
)
from eduv.dataset.model import (
    Collection,
    Dataset,
    GroupOfferings,
    JsonObject,
    School,
    SchoolFacts,
    Sector,
    collections,
    school_collections,
    school_key,
)

__all__ = [
    "Collection",
    "Dataset",
    "DatasetError",
    "GroupOfferings",
    "JsonObject",
    "School",
    "SchoolFacts",
    "Sector",
    "api_versions",
    "collections",
    "convert_dataset",
    "convert_object",
    "current_shapes",
    "dataset_from_json",
    "load_dataset",
    "save_dataset",
    "school_collections",
    "school_key",
]
