"""A generated chain dataset for the schools of an administration dataset.

The embedded provider serves both halves of the standard for the same schools: the
chain generator builds a consistent chain with as many schools as the administration
dataset has, and each generated school then takes the RIO code of one administration
school, so that a conformance run reads delivery orders and entitlements of the schools
it already knows (the one without consent included).
"""

from __future__ import annotations

from typing import Any

import orjson

from eduv.dataset.chain import ChainDataset
from eduv.dataset.chain.io import chain_dataset_from_json


def chain_for(dataset: Any, seed: int = 0) -> ChainDataset:
    """A chain dataset whose schools carry the RIO codes of ``dataset``'s schools."""
    from eduv.testing.chain_build import ChainScale, build_chain
    from eduv.testing.chooser import RandomChooser

    keys = [s.key for s in dataset.schools if ":" not in s.key]
    size = max(len(keys), 1)
    chain = build_chain(RandomChooser(seed), scale=ChainScale(schools=(size, size)))
    text = orjson.dumps(chain.to_json()).decode()
    for school, key in zip(chain.schools, keys, strict=False):
        old = school.organisationMasterIdentifier
        if old:
            text = text.replace(f'"{old}"', f'"{key}"')
    return chain_dataset_from_json(orjson.loads(text), "generated chain dataset")
