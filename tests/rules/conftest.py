"""Shared pieces of the rule tests.

The hypothesis profiles ("ci", "deep") are registered in tests/conftest.py; the
dataset-heavy tests here run a fraction of the profile's examples, because each
example is a whole dataset checked several times.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from eduv.dataset import Dataset, api_versions
from eduv.rules import load_catalogue
from eduv.testing.build import build_dataset
from eduv.testing.scenarios import SCENARIOS
from eduv.testing.strategies import DrawChooser

# The rules that run on the administration APIs, and so on a dataset of format 1.
ADMINISTRATION_RULES = [
    r.id for r in load_catalogue().rules if set(r.applies_to) & set(api_versions())
]


def examples(divisor: int, least: int = 2) -> int:
    """A share of the active profile's max_examples (25 in CI, 1000 when deep)."""
    active = settings.default
    assert active is not None
    return max(least, active.max_examples // divisor)


def school_year(dataset: Dataset) -> tuple[str, str]:
    """The whole school year a generated dataset describes, end exclusive."""
    assert dataset.as_of is not None
    year = int(dataset.as_of[:4])
    return f"{year}-08-01", f"{year + 1}-08-01"


@st.composite
def rich_datasets(draw: st.DrawFn) -> Dataset:
    """A PO and a VO school with every scenario: something to mutate for every rule."""
    return build_dataset(DrawChooser(draw), ("PO", "VO"), sorted(SCENARIOS))
