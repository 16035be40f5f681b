"""What spans schools: a second pass over compact summaries of the datasets of a run.

Each school dataset (format 1) that a run checks leaves a :class:`SchoolSummary`: per
person, school, board and location one row of hash digests (its identifier, what kind
of object it is, and for people their name and date of birth) and its JSON pointer.
The worker that checked the file sends it to the parent with its partial report; no
identifier, name or date travels, only 64-bit digests.

The parent's :class:`CrossPass` writes the rows into a temporary SQLite database and
lets SQLite group them by identifier, so that its memory stays bounded (a buffer of
:data:`FLUSH_ROWS` rows and a page cache of :data:`CACHE_KIB` KiB) however many schools
there are; only the groups that span files and disagree come back. Two warnings
follow, on every object involved, each naming the other file and pointer:

- ``EDUV-XSCHOOL-001``: one person (same identifier) is listed at several schools with
  a different name or date of birth;
- ``EDUV-XSCHOOL-002``: one identifier names different kinds of objects (a pupil at one
  school, an employee at another; a school here, a location there).

Both rest on an inference, not on a text of the standard (identifiers name one thing
nationally), so they are warnings. Names and dates are never shown: the message says
which fields differ and the pointers lead to the values. Digests of 64 bits make a
false match between two of 10 million identifiers about one chance in 370,000.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from eduv.dataset.model import Dataset, JsonObject, collection
from eduv.findings import Finding
from eduv.spec import Lang
from eduv.validation.report import Item, Report

IDENTITY_RULE = "EDUV-XSCHOOL-001"
KIND_RULE = "EDUV-XSCHOOL-002"
# Rows held before they go to the database, and the database's page cache: the bound.
FLUSH_ROWS = 50_000
CACHE_KIB = 32 * 1024

KINDS = ("student", "employee", "school", "board", "location")
_STUDENT, _EMPLOYEE, _SCHOOL, _BOARD, _LOCATION = range(len(KINDS))
# Where each kind of object is defined: (collection of the dataset format, pointer tail).
_HOME = {
    _STUDENT: ("students", ""),
    _EMPLOYEE: ("employees", ""),
    _SCHOOL: ("organisation", ""),
    _BOARD: ("organisation", "/boards/"),
    _LOCATION: ("organisation", "/locations/"),
}

_TEXTS: dict[Lang, dict[str, str]] = {
    "en": {
        IDENTITY_RULE: (
            "the same {kind} (same identifier) is also listed in {file} at {pointer} "
            "with a different {fields}; one of the schools holds outdated or wrong identity "
            "data, or the identifier is used for another person (values not shown)"
        ),
        KIND_RULE: (
            "this identifier names a {kind} here but a {other} in {file} at {pointer}; "
            "an identifier names one kind of object across schools"
        ),
        "name": "name",
        "born": "date of birth",
        "and": " and ",
        "student": "pupil",
        "employee": "employee",
        "school": "school",
        "board": "board",
        "location": "location",
    },
    "nl": {
        IDENTITY_RULE: (
            "dezelfde {kind} (zelfde identificatie) staat ook in {file} op {pointer}, met een "
            "andere {fields}; een van de scholen heeft verouderde of onjuiste "
            "identiteitsgegevens, of de identificatie wordt voor een andere persoon gebruikt "
            "(waarden niet getoond)"
        ),
        KIND_RULE: (
            "deze identificatie hoort hier bij een {kind}, maar in {file} op {pointer} bij een "
            "{other}; een identificatie hoort over scholen heen bij één soort object"
        ),
        "name": "naam",
        "born": "geboortedatum",
        "and": " en ",
        "student": "leerling",
        "employee": "medewerker",
        "school": "school",
        "board": "bestuur",
        "location": "locatie",
    },
}

# key digest, kind, name digest (or None), birth digest (or None), pointer
Row = tuple[int, int, int | None, int | None, str]


@dataclass(slots=True)
class SchoolSummary:
    """What one dataset file adds to the cross-school pass (picklable, compact)."""

    source: str
    shapes: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)


def _digest(text: str) -> int:
    raw = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big", signed=True)  # SQLite integers are signed


def _text(obj: JsonObject, name: str) -> str:
    value = obj.get(name)
    return value if isinstance(value, str) else ""


def _person_key(person: JsonObject) -> str | None:
    """The primary identifier (an ECK iD), else the first secondary one, as the rules do."""
    master = person.get("userMasterIdentifier")
    if isinstance(master, str) and master:
        return f"m:{master}"
    ids = person.get("userIds")
    if isinstance(ids, list) and ids and isinstance(ids[0], dict):
        first = ids[0]
        return f"{first.get('userIdType', '')}:{first.get('userId', '')}"
    return None


def _person_row(person: Any, kind: int, pointer: str) -> Row | None:
    if not isinstance(person, dict):
        return None
    key = _person_key(person)
    if key is None:
        return None
    names = [_text(person, n) for n in ("givenName", "familyNamePrefix", "familyName")]
    name = _digest("\x1f".join(names)) if any(names) else None
    born = _text(person, "dateOfBirth")
    return (_digest(key), kind, name, _digest(born) if born else None, pointer)


def _org_rows(organisation: Any, pointer: str) -> Iterator[Row]:
    if not isinstance(organisation, dict):
        return
    master = organisation.get("organisationMasterIdentifier")
    if isinstance(master, str) and master:
        yield (_digest(f"m:{master}"), _SCHOOL, None, None, pointer)
    for member, kind, field_name in (
        ("boards", _BOARD, "organisationMasterIdentifier"),
        ("locations", _LOCATION, "locationMasterIdentifier"),
    ):
        values = organisation.get(member)
        for index, value in enumerate(values if isinstance(values, list) else []):
            code = value.get(field_name) if isinstance(value, dict) else None
            if isinstance(code, str) and code:
                yield (_digest(f"m:{code}"), kind, None, None, f"{pointer}/{member}/{index}")


def summarise(dataset: Dataset, source: str) -> SchoolSummary:
    """The rows of one school dataset: its people, schools, boards and locations."""
    summary = SchoolSummary(source, dict(dataset.shapes))
    rows = summary.rows
    for index, school in enumerate(dataset.schools):
        rows.extend(_org_rows(school.organisation, f"/schools/{index}/organisation"))
    for kind, people, name in (
        (_STUDENT, dataset.students, "students"),
        (_EMPLOYEE, dataset.employees, "employees"),
    ):
        for index, person in enumerate(people):
            row = _person_row(person, kind, f"/{name}/{index}")
            if row is not None:
                rows.append(row)
    return summary


def _sortable(pointer: str) -> str:
    """A pointer whose numbers sort as numbers (``/students/9`` before ``/students/10``)."""
    return "/".join(p.zfill(12) if p.isdigit() else p for p in pointer.split("/"))


_SCHEMA = """
CREATE TABLE rows (key INTEGER, kind INTEGER, name INTEGER, born INTEGER,
                   file INTEGER, pointer TEXT);
CREATE TABLE found (file INTEGER, place TEXT, pointer TEXT, kind INTEGER, rule TEXT,
                    other_file INTEGER, other_pointer TEXT, other_kind INTEGER, fields TEXT);
"""

# Identifiers seen in more than one file whose rows disagree on kind, name or birth date.
_CONFLICTS = """
SELECT r.key, r.file, r.kind, r.name, r.born, r.pointer FROM rows r JOIN (
    SELECT key FROM rows GROUP BY key
    HAVING COUNT(DISTINCT file) > 1 AND (COUNT(DISTINCT kind) > 1
        OR COUNT(DISTINCT name) > 1 OR COUNT(DISTINCT born) > 1)
) USING (key) ORDER BY r.key, r.file, r.pointer
"""


class CrossPass:
    """The parent's pass over the summaries of a run, bounded by a temporary database."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.files: list[str] = []
        self.shapes: list[dict[str, str]] = []
        self._shapes: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
        self.pending: list[tuple[int, int, int | None, int | None, int, str]] = []
        self.seconds = 0.0
        self.path = ""
        self._db: Any = None  # opened with the first rows: most runs check no datasets

    @property
    def db(self) -> Any:
        if self._db is None:
            import sqlite3  # here: only a run that checks datasets pays for loading it

            try:
                handle, self.path = tempfile.mkstemp(prefix="eduv-cross-", suffix=".sqlite")
                os.close(handle)
                self._db = sqlite3.connect(self.path)
            except (OSError, sqlite3.Error):
                # No temporary folder to write to: the pass still runs, in memory.
                self.path = ""
                self._db = sqlite3.connect(":memory:")
            for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_KIB}"):
                self._db.execute(f"PRAGMA {pragma}")
            self._db.executescript(_SCHEMA)
        return self._db

    def add(self, summary: SchoolSummary) -> None:
        started = time.process_time()
        index = len(self.files)
        self.files.append(summary.source)
        # Files of one run mostly share their shapes: keep one dict per distinct shapes.
        key = tuple(sorted(summary.shapes.items()))
        self.shapes.append(self._shapes.setdefault(key, summary.shapes))
        self.pending.extend((*row[:4], index, row[4]) for row in summary.rows)
        if len(self.pending) >= FLUSH_ROWS:
            self._flush()
        self.seconds += time.process_time() - started

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?)", self.pending)
        self.pending = []

    def finish(self, report: Report) -> None:
        """Add the cross-school warnings to ``report``, ordered by file and pointer."""
        started = time.process_time()
        try:
            if len(self.files) > 1:
                self._flush()
                self._judge()
                for item in self._items():
                    report.add_document(item)
        finally:
            self.close()
        self.seconds += time.process_time() - started
        report.timings["cross-school"] = report.timings.get("cross-school", 0.0) + self.seconds

    def close(self) -> None:
        if self._db is None:
            return
        self._db.close()
        self._db = None
        if self.path:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)

    def _judge(self) -> None:
        batch: list[tuple[Any, ...]] = []
        for _, group in groupby(self.db.execute(_CONFLICTS), key=lambda r: r[0]):
            batch.extend(_verdicts(list(group)))
            if len(batch) >= FLUSH_ROWS:
                self._found(batch)
                batch = []
        self._found(batch)

    def _found(self, batch: list[tuple[Any, ...]]) -> None:
        rows = [(f, _sortable(p), p, *rest) for f, p, *rest in batch]
        self.db.executemany("INSERT INTO found VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _items(self) -> Iterator[Item]:
        query = "SELECT * FROM found ORDER BY file, place, rule, other_file, other_pointer"
        for (
            file,
            _,
            pointer,
            kind,
            rule,
            other_file,
            other_pointer,
            other_kind,
            fields,
        ) in self.db.execute(query):
            finding = self._finding(rule, kind, other_file, other_pointer, other_kind, fields)
            collection_name, tail = _HOME[kind]
            place = pointer.split(tail)[0] if tail else pointer
            coll = collection(collection_name)
            relative = pointer[len(place) :]
            yield Item(
                coll.api,
                self.shapes[file].get(coll.api),
                coll.component,
                [Finding(**{**finding, "instance_path": relative})],
                source=self.files[file],
                location=place,
            )

    def _finding(
        self, rule: str, kind: int, other_file: int, pointer: str, other_kind: int, fields: str
    ) -> dict[str, Any]:
        texts = _TEXTS[self.lang]
        values = {"kind": texts[KINDS[kind]], "file": self.files[other_file], "pointer": pointer}
        if rule == KIND_RULE:
            values["other"] = texts[KINDS[other_kind]]
        else:
            values["fields"] = texts["and"].join(texts[f] for f in fields.split(","))
        return {
            "kind": "rule",
            "message": texts[rule].format(**values),
            "severity": "warning",
            "rule": rule,
            "source_kind": "inferred",
        }


# Enough distinct versions of one identifier to name the other side of each warning,
# few enough that a pathological group (one identifier in every file) stays linear.
MAX_VERSIONS = 16


def _references(group: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Per distinct (kind, name, birth) of a group, its first rows in two files."""
    found: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in group:
        version = row[2:5]
        rows = found.get(version)
        if rows is None:
            if len(found) >= MAX_VERSIONS:
                continue
            found[version] = rows = []
        if len(rows) < 2 and all(r[1] != row[1] for r in rows):
            rows.append(row)
    return [row for rows in found.values() for row in rows]


def _differing(row: tuple[Any, ...], other: tuple[Any, ...]) -> list[str]:
    pairs = (("name", row[3], other[3]), ("born", row[4], other[4]))
    return [
        f for f, mine, theirs in pairs if mine is not None and theirs is not None and mine != theirs
    ]


def _verdicts(group: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """One warning per row of a disagreeing identifier, against the first row of another
    file it disagrees with (rows come ordered by file and pointer). Different kinds are
    the graver disagreement: between those, names are not compared."""
    references = _references(group)
    kinds = {row[2] for row in group}
    for row in group:
        _, file, kind, _, _, pointer = row
        for other in references:
            if other[1] == file:
                continue
            if len(kinds) > 1:
                if other[2] != kind:
                    yield (file, pointer, kind, KIND_RULE, other[1], other[5], other[2], "")
                    break
                continue
            fields = _differing(row, other)
            if fields:
                yield (
                    file,
                    pointer,
                    kind,
                    IDENTITY_RULE,
                    other[1],
                    other[5],
                    other[2],
                    ",".join(fields),
                )
                break
