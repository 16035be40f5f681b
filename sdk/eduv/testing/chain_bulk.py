"""Large seeded chain datasets without hypothesis, written as a dataset folder.

The catalogue is built first; then schools are added one at a time, each with its
orders, deliveries, entitlements, activations, results and progress, and their objects
are appended to the collection files before the next school is built. Memory use stays
at one school's worth whatever the size. The same seed and size give the same folder.
"""

from __future__ import annotations

from pathlib import Path

from eduv.dataset.chain.io import SCHOOLS_FILE, write_header
from eduv.dataset.chain.model import ChainDataset
from eduv.dataset.files import write_ndjson
from eduv.testing.chain_build import ChainDraft, ChainScale
from eduv.testing.chooser import RandomChooser
from eduv.testing.ids import Ids

BULK_YEAR = 2025
# A school buys for a year group or two; these numbers keep a school's chain realistic
# without making one school dominate the file.
BULK_SCALE = ChainScale(
    schools=(1, 1),
    students=(20, 60),
    employees=(4, 12),
    families=(6, 8),
    years_per_family=(2, 3),
    orders_per_school=(2, 4),
    lines_per_order=(1, 4),
)


def _flush(dataset: ChainDataset, folder: Path) -> None:
    """Append what the draft built since the last flush, then forget it."""
    if dataset.schools:
        write_ndjson(folder / SCHOOLS_FILE, (s.to_json() for s in dataset.schools), append=True)
        dataset.schools.clear()
    for name, values in dataset.objects.items():
        if values:
            write_ndjson(folder / f"{name}.ndjson", values, append=True)
            values.clear()


def write_chain_dataset(path: str | Path, seed: int = 0, size: int = 100) -> None:
    """Write a chain dataset folder with ``size`` schools, built and written school by school.

    Read it back with :func:`eduv.dataset.chain.load_chain_dataset`.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.ndjson"):
        stale.unlink()
    draft = ChainDraft(RandomChooser(seed), Ids(seed), BULK_YEAR, scale=BULK_SCALE)
    draft.add_catalogue()
    _flush(draft.dataset, folder)
    for _ in range(size):
        draft.add_school_chain()
        _flush(draft.dataset, folder)
    _flush(draft.finish(), folder)
    write_header(folder, draft.dataset)
