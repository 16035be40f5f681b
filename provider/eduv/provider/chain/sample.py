"""A generated chain dataset for the schools of an administration dataset.

The embedded provider serves both halves of the standard for the same schools: the
chain generator builds a consistent chain with as many schools as the administration
dataset has, and each generated school then takes the RIO code of one administration
school, so that a conformance run reads delivery orders and entitlements of the schools
it already knows (the one without consent included).
"""

from __future__ import annotations

from typing import Any

from eduv.dataset.chain import ChainDataset


def chain_for(dataset: Any, seed: int = 0) -> ChainDataset:
    """A chain dataset whose schools carry the RIO codes of ``dataset``'s schools."""
    from eduv.testing.chain_build import chain_for_schools

    return chain_for_schools([s.key for s in dataset.schools if ":" not in s.key], seed)
