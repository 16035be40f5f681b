"""A national corpus: one dataset file per school, in Dutch proportions, as a stream.

    python -m eduv.testing.national OUT [--pupils N] [--seed S]

School sizes are skewed as in the Netherlands (many small primary schools, fewer and
larger secondary ones; see ``national.json`` beside this module). Boards run many
schools, some schools use a location of an earlier school of their board, and some
employ people who also work at an earlier school of their board (the same person,
identifiers and name, with a role at each school). A share of the files is written in
the previous API versions (t-1).

Schools are built and written one at a time; between schools only the open board of
each sector is kept, with a few of its locations, employees and pupils to share. So
the country never sits in memory, and the same seed and proportions give the same
bytes.

Every file is valid on its own. A few cross-school conflicts are planted on purpose
(``plantedPerThousand``), and returned as :class:`Planted` cases: an employee written
at a second school with another family name (``identity``), and an employee whose
primary identifier is the ECK iD of a pupil of another school (``kind``; such an
employee also draws the rules' warning EDUV-ID-006, employees have no primary
identifier).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from eduv.dataset.convert import convert_dataset
from eduv.dataset.model import Dataset, JsonObject
from eduv.testing.bulk import BULK_YEAR, school_scale
from eduv.testing.chooser import RandomChooser, pick
from eduv.testing.draft import DatasetDraft, SchoolDraft
from eduv.testing.ids import Ids
from eduv.testing.schools import new_school, populate
from eduv.testing.vocab import BOARD_KINDS, EMPLOYEE_ROLES, FAMILY_NAMES, PLACES

PROPORTIONS = Path(__file__).with_name("national.json")
SECTORS = ("PO", "VO")
# What a board keeps to share with its later schools: enough for variety, and small.
POOL_SIZE = 6


@dataclass(frozen=True, slots=True)
class Spread:
    """How the school sizes of one sector spread."""

    pupil_share: float
    median: int
    spread: float
    smallest: int
    largest: int


@dataclass(frozen=True, slots=True)
class Proportions:
    """The committed shape of the corpus (``national.json``)."""

    seed: int
    pupils: int
    sectors: dict[str, Spread]
    board_schools: tuple[tuple[int, float], ...]
    shared_location_percent: int
    shared_staff_percent: int
    shared_staff: tuple[int, int]
    previous_percent: int
    planted_per_thousand: float

    @classmethod
    def load(cls, path: Path = PROPORTIONS) -> Proportions:
        """Read a proportions file; ValueError names the file and what is wrong with it."""
        try:
            return cls._from_json(orjson.loads(path.read_bytes()))
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"{path}: not JSON: {exc}") from None
        except KeyError as exc:
            raise ValueError(f"{path}: the proportions lack {exc}") from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{path}: not proportions of the national corpus: {exc}") from None

    @classmethod
    def _from_json(cls, doc: dict[str, Any]) -> Proportions:
        sectors = {
            name: Spread(s["pupilShare"], s["median"], s["spread"], s["smallest"], s["largest"])
            for name, s in doc["sectors"].items()
        }
        low, high = doc["sharedStaff"]
        return cls(
            seed=doc["seed"],
            pupils=doc["pupils"],
            sectors=sectors,
            board_schools=tuple((int(k), float(v)) for k, v in doc["boardSchools"].items()),
            shared_location_percent=doc["sharedLocationPercent"],
            shared_staff_percent=doc["sharedStaffPercent"],
            shared_staff=(low, high),
            previous_percent=doc["previousPercent"],
            planted_per_thousand=doc["plantedPerThousand"],
        )


@dataclass(frozen=True, slots=True)
class Planted:
    """A cross-school conflict put in on purpose: where, and where its other half is."""

    kind: Literal["identity", "kind"]
    file: str
    pointer: str
    other_file: str
    other_pointer: str


@dataclass(slots=True)
class Written:
    """What :func:`write_national` wrote."""

    files: list[str] = field(default_factory=list)
    pupils: int = 0
    schools: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTORS, 0))
    previous: int = 0
    planted: list[Planted] = field(default_factory=list)


def school_sizes(
    pupils: int, proportions: Proportions, rng: random.Random
) -> list[tuple[str, int]]:
    """(sector, pupils) per school, adding up to ``pupils``, sectors mixed."""
    plan: list[tuple[str, int]] = []
    shares = [proportions.sectors[s].pupil_share for s in SECTORS]
    left = pupils
    for index, sector in enumerate(SECTORS):
        spread = proportions.sectors[sector]
        total = left if index == len(SECTORS) - 1 else round(pupils * shares[index] / sum(shares))
        left -= total
        sizes: list[int] = []
        while total > 0:
            size = round(rng.lognormvariate(math.log(spread.median), spread.spread))
            size = min(max(size, spread.smallest), spread.largest, total)
            if size < spread.smallest and sizes:
                sizes[-1] += size  # a remainder too small for a school of its own
            else:
                sizes.append(size)
            total -= size
        plan += [(sector, size) for size in sizes]
    rng.shuffle(plan)
    return plan


@dataclass(slots=True)
class _Board:
    """The open board of a sector and what its later schools may share."""

    board: JsonObject
    room: int
    locations: list[JsonObject] = field(default_factory=list)
    staff: list[tuple[JsonObject, str, str]] = field(default_factory=list)
    pupils: list[tuple[str, str, str]] = field(default_factory=list)


class _Writer:
    def __init__(self, out: Path, seed: int, proportions: Proportions) -> None:
        self.out = out
        self.p = proportions
        self.chooser = RandomChooser(seed)
        self.ids = Ids(seed)
        self.boards: dict[str, _Board] = {}
        self.written = Written()

    def board(self, draft: DatasetDraft, sector: str) -> _Board:
        open_board = self.boards.get(sector)
        if open_board is None or open_board.room <= 0:
            sizes, weights = zip(*self.p.board_schools, strict=True)
            room = self.chooser.random.choices(sizes, weights)[0]
            place = pick(self.chooser, PLACES)
            name = f"{pick(self.chooser, BOARD_KINDS)} {place}"
            open_board = _Board(draft.board(name), room)
            self.boards[sector] = open_board
        open_board.room -= 1
        return open_board

    def school(self, index: int, sector: str, pupils: int, plant: bool) -> bool:
        """Write one school; returns whether a conflict was planted in it."""
        draft = DatasetDraft(self.chooser, self.ids, BULK_YEAR)
        board = self.board(draft, sector)
        school = new_school(draft, sector, board.board)
        if board.locations and self.chooser.chance(self.p.shared_location_percent):
            school.locations.append(pick(self.chooser, board.locations))
        populate(draft, school, school_scale(sector, pupils))
        dataset = draft.finish()
        name = f"{index:05d}-{school.key}.json"
        own_staff = list(dataset.employees)
        self._share_staff(draft, school, board, dataset)
        planted = plant and self._plant(draft, school, board, dataset, name)
        if self.chooser.chance(self.p.previous_percent):
            dataset = convert_dataset(dataset, "down")
            self.written.previous += 1
        (self.out / name).write_bytes(orjson.dumps(dataset.to_json()))
        self._remember(board, school, dataset, own_staff, name)
        self.written.files.append(name)
        self.written.pupils += len(dataset.students)
        self.written.schools[sector] += 1
        return planted

    def _share_staff(
        self, draft: DatasetDraft, school: SchoolDraft, board: _Board, dataset: Dataset
    ) -> None:
        if not board.staff or not self.chooser.chance(self.p.shared_staff_percent):
            return
        for _ in range(self.chooser.integer(*self.p.shared_staff)):
            person, _, _ = pick(self.chooser, board.staff)
            if any(e["userIds"] == person["userIds"] for e in dataset.employees):
                continue
            dataset.employees.append(self._at(draft, school, person))

    def _at(self, draft: DatasetDraft, school: SchoolDraft, person: JsonObject) -> JsonObject:
        """The same person as this school writes them: identity kept, its own role."""
        copy = dict(person)
        copy["organisationRoles"] = [draft.role(school, pick(self.chooser, EMPLOYEE_ROLES[:2]))]
        return copy

    def _plant(
        self,
        draft: DatasetDraft,
        school: SchoolDraft,
        board: _Board,
        dataset: Dataset,
        name: str,
    ) -> bool:
        """Plant a conflict with an earlier school of the board, if it has one."""
        kinds = len(self.written.planted) % 2
        # Someone this school does not list yet: a second, truthful record of the same
        # person in this file would be a conflict within the file, not across schools.
        staff = [
            s
            for s in board.staff
            if all(e["userIds"] != s[0]["userIds"] for e in dataset.employees)
        ]
        if kinds == 0 and staff:
            person, file, pointer = pick(self.chooser, staff)
            copy = self._at(draft, school, person)
            others = [f for _, f in FAMILY_NAMES if f != person["familyName"]]
            copy["familyName"] = pick(self.chooser, others)
            dataset.employees.append(copy)
            here = f"/employees/{len(dataset.employees) - 1}"
            self.written.planted.append(Planted("identity", name, here, file, pointer))
            return True
        if board.pupils:
            eck, file, pointer = pick(self.chooser, board.pupils)
            draft.add_employee(school, "leraar")
            dataset.employees[-1]["userMasterIdentifier"] = eck
            here = f"/employees/{len(dataset.employees) - 1}"
            self.written.planted.append(Planted("kind", name, here, file, pointer))
            return True
        return False

    def _remember(
        self,
        board: _Board,
        school: SchoolDraft,
        dataset: Dataset,
        own_staff: list[JsonObject],
        name: str,
    ) -> None:
        """Keep a few locations, employees and pupils of this school for later ones."""
        board.locations = (board.locations + school.locations[:1])[-POOL_SIZE:]
        for _ in range(min(2, len(own_staff))):
            index = self.chooser.integer(0, len(own_staff) - 1)
            entry = (own_staff[index], name, f"/employees/{index}")
            board.staff = [*board.staff, entry][-POOL_SIZE:]
        if dataset.students:
            index = self.chooser.integer(0, len(dataset.students) - 1)
            eck = dataset.students[index]["userMasterIdentifier"]
            board.pupils = [*board.pupils, (eck, name, f"/students/{index}")][-POOL_SIZE:]


def write_national(
    out: str | Path,
    pupils: int | None = None,
    seed: int | None = None,
    proportions: Proportions | None = None,
    planted: int | None = None,
) -> Written:
    """Write the corpus into ``out`` (created; must hold no ``.json`` files yet).

    ``planted`` overrides how many conflicts are planted (by default
    ``plantedPerThousand`` of the schools, at least one when there are two schools).
    """
    p = proportions or Proportions.load()
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    if any(target.glob("*.json")):
        raise ValueError(f"{target} already holds .json files; give an empty folder")
    seed = p.seed if seed is None else seed
    plan = school_sizes(p.pupils if pupils is None else pupils, p, random.Random(seed))
    wanted = planted
    if wanted is None:
        wanted = max(1 if len(plan) > 1 else 0, round(len(plan) * p.planted_per_thousand / 1000))
    writer = _Writer(target, seed, p)
    # Plants are due at evenly spaced schools; one whose board has no earlier school
    # to conflict with passes its plant on to the next school.
    spots = [1 + (i * (len(plan) - 1)) // max(wanted, 1) for i in range(wanted)]
    due = 0
    for index, (sector, size) in enumerate(plan):
        due += spots.count(index)
        if writer.school(index, sector, size, due > 0):
            due -= 1
    return writer.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eduv.testing.national",
        description="Write the national corpus: one dataset file per school.",
    )
    parser.add_argument("out", help="folder to write (created; must hold no .json files)")
    parser.add_argument("--pupils", type=int, help="pupils in all (default: the proportions')")
    parser.add_argument("--seed", type=int, help="seed (default: the proportions')")
    parser.add_argument("--proportions", type=Path, default=PROPORTIONS, help="proportions file")
    args = parser.parse_args(argv)
    if args.pupils is not None and args.pupils < 1:
        parser.error("--pupils must be at least 1")
    try:
        proportions = Proportions.load(args.proportions)
        written = write_national(args.out, args.pupils, args.seed, proportions)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"national corpus not written: {_why(exc)}\n")
        return 2
    schools = ", ".join(f"{count} {sector}" for sector, count in written.schools.items())
    sys.stdout.write(
        f"{len(written.files)} files ({schools}), {written.pupils} pupils, "
        f"{written.previous} in t-1, {len(written.planted)} planted cross-school conflicts\n"
    )
    for case in written.planted:
        sys.stdout.write(
            f"  {case.kind}: {case.file} {case.pointer} <> {case.other_file} {case.other_pointer}\n"
        )
    return 0


def _why(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return str(exc)


if __name__ == "__main__":
    raise SystemExit(main())
