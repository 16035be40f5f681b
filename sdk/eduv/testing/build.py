"""Assembling datasets from base schools and scenarios, for any chooser."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eduv.dataset.model import Dataset
from eduv.testing.chooser import Chooser
from eduv.testing.draft import DatasetDraft
from eduv.testing.ids import Ids
from eduv.testing.scenarios import SCENARIOS
from eduv.testing.schools import SMALL, Scale, new_school, populate

YEARS = (2023, 2024, 2025, 2026)


def build_dataset(
    chooser: Chooser,
    sectors: Sequence[str],
    cases: Iterable[str] = (),
    scale: Scale = SMALL,
    after: Sequence[str] = (),
) -> Dataset:
    """Base schools of the given sectors, then one scenario per case, in order, then the
    schools of ``after``: drawn last, they leave the rest of a seeded dataset as it was."""
    seed = chooser.integer(0, 2**31 - 1)
    year = YEARS[chooser.integer(0, len(YEARS) - 1)]
    draft = DatasetDraft(chooser, Ids(seed), year)
    for sector in sectors:
        populate(draft, new_school(draft, sector), scale)
    for case in cases:
        SCENARIOS[case](draft)
    for sector in after:
        populate(draft, new_school(draft, sector), scale)
    return draft.finish()
