"""Chain datasets: the learning-materials chain in one checked container (format 2).

See ``spec/dataset/2/Dataset.json`` for the format and ``conversions.json`` beside it for
how a dataset in the current versions of the chain APIs becomes one in the previous
versions and back::

    from eduv.dataset.chain import load_chain_dataset, validate_chain_objects

    dataset = load_chain_dataset("chain/")          # a file or a folder
    for problem in validate_chain_objects(dataset):  # every object against its message
        print(problem)
"""

from __future__ import annotations

from eduv.dataset.chain.convert import (
    ChainConversion,
    LeftOut,
    chain_object_in,
    convert_chain_dataset,
    convert_chain_object,
)
from eduv.dataset.chain.io import (
    chain_dataset_from_json,
    load_chain_dataset,
    save_chain_dataset,
)
from eduv.dataset.chain.model import (
    CHAIN_DATASET_VERSION,
    ChainCollection,
    ChainDataset,
    SchoolFacts,
    chain_apis,
    chain_collection,
    chain_collections,
    supported_shapes,
)
from eduv.dataset.chain.operations import NotExpressibleError
from eduv.dataset.chain.validate import (
    ObjectProblem,
    chain_document_validator,
    iter_object_problems,
    validate_chain_objects,
)

__all__ = [
    "CHAIN_DATASET_VERSION",
    "ChainCollection",
    "ChainConversion",
    "ChainDataset",
    "LeftOut",
    "NotExpressibleError",
    "ObjectProblem",
    "SchoolFacts",
    "chain_apis",
    "chain_collection",
    "chain_collections",
    "chain_dataset_from_json",
    "chain_document_validator",
    "chain_object_in",
    "convert_chain_dataset",
    "convert_chain_object",
    "iter_object_problems",
    "load_chain_dataset",
    "save_chain_dataset",
    "supported_shapes",
    "validate_chain_objects",
]
