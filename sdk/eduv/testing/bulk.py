"""Large seeded datasets without hypothesis: benchmarks and scale work.

Schools come in Dutch proportions: about 58 % of pupils in PO schools of some 225
pupils, 42 % in VO schools of some 1500. Schools are built in batches; each batch
gets a few flexibility scenarios, so large datasets are not all plain. The same seed
gives the same dataset.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from eduv.dataset.io import HEADER_FILE, append_ndjson, write_school_folder
from eduv.dataset.model import DATASET_VERSION, Dataset
from eduv.testing.chooser import RandomChooser, pick
from eduv.testing.draft import DatasetDraft
from eduv.testing.ids import Ids
from eduv.testing.scenarios import SCENARIOS
from eduv.testing.schools import REALISTIC_PO, REALISTIC_VO, Scale, new_school, populate

PO_SHARE = 0.58
PO_SCHOOL_SIZE = 225
VO_SCHOOL_SIZE = 1500
BULK_YEAR = 2025
SCENARIOS_PER_BATCH = 3


def school_plan(students: int) -> list[tuple[str, int]]:
    """(sector, pupils) per school, adding up to ``students`` exactly."""
    po_total = round(students * PO_SHARE)
    plan: list[tuple[str, int]] = []
    for sector, total, size in (
        ("PO", po_total, PO_SCHOOL_SIZE),
        ("VO", students - po_total, VO_SCHOOL_SIZE),
    ):
        if total <= 0:
            continue
        count = max(1, round(total / size))
        base, rest = divmod(total, count)
        plan += [(sector, base + (1 if i < rest else 0)) for i in range(count)]
    # Interleave sectors so that every batch has both.
    po = [p for p in plan if p[0] == "PO"]
    vo = [p for p in plan if p[0] == "VO"]
    step = max(1, len(po) // max(1, len(vo)))
    mixed: list[tuple[str, int]] = []
    while po or vo:
        mixed += po[:step] + vo[:1]
        po, vo = po[step:], vo[1:]
    return mixed


def school_scale(sector: str, pupils: int) -> Scale:
    base = REALISTIC_PO if sector == "PO" else REALISTIC_VO
    return Scale(
        students=(pupils, pupils),
        class_size=base.class_size,
        vo_levels=base.vo_levels,
        vo_years=base.vo_years,
        subjects=base.subjects,
        coach_percent=base.coach_percent,
    )


def bulk_batches(students: int, seed: int = 0, batch_schools: int = 20) -> Iterator[Dataset]:
    """The dataset in parts of ``batch_schools`` schools, built one part at a time."""
    chooser, ids = RandomChooser(seed), Ids(seed)
    plan = school_plan(students)
    for start in range(0, len(plan), batch_schools):
        draft = DatasetDraft(chooser, ids, BULK_YEAR)
        for sector, pupils in plan[start : start + batch_schools]:
            populate(draft, new_school(draft, sector), school_scale(sector, pupils))
        for _ in range(SCENARIOS_PER_BATCH):
            SCENARIOS[pick(chooser, sorted(SCENARIOS))](draft)
        yield draft.finish()


def bulk_dataset(students: int, seed: int = 0) -> Dataset:
    """A whole dataset in memory (fine up to some hundred thousand pupils)."""
    parts = iter(bulk_batches(students, seed))
    whole = next(parts)
    for part in parts:
        whole.schools += part.schools
        whole.students += part.students
        whole.employees += part.employees
        whole.facts.update(part.facts)
    return whole


def write_bulk_dataset(folder: str | Path, students: int, seed: int = 0) -> None:
    """Write a dataset folder part by part, never holding more than one batch.

    Suitable for a million pupils; read it back with :func:`eduv.dataset.load_dataset`.
    """
    import orjson

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("students.ndjson", "employees.ndjson"):
        (target / name).write_bytes(b"")
    header: Dataset | None = None
    index = 0
    for part in bulk_batches(students, seed):
        for school in part.schools:
            write_school_folder(target, index, school)
            index += 1
        append_ndjson(target / "students.ndjson", part.students)
        append_ndjson(target / "employees.ndjson", part.employees)
        if header is None:
            header = Dataset(shapes=part.shapes, as_of=part.as_of)
        header.facts.update(part.facts)
    if header is not None:
        doc = header.header_json()
        doc["datasetVersion"] = DATASET_VERSION
        (target / HEADER_FILE).write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
