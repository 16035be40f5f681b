"""The national corpus and `eduv validate` over a folder of school files: the same report
whatever the jobs, cross-school conflicts found where they were planted, a stable order."""

from __future__ import annotations

import random
import statistics
import tempfile
import tracemalloc
from pathlib import Path

import orjson
import pytest

from eduv.findings import Finding
from eduv.testing.national import Planted, Proportions, Written, main, school_sizes, write_national
from eduv.validation import crossing, render
from eduv.validation.crossing import CrossPass, SchoolSummary
from eduv.validation.parallel import Options, run
from eduv.validation.report import Item, Report
from tests.sdk.conftest import Cli

PUPILS = 3000
SEED = 11


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Written]:
    folder = tmp_path_factory.mktemp("national")
    return folder, write_national(folder, PUPILS, SEED, planted=2)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))}


def test_the_same_seed_writes_the_same_corpus(tmp_path: Path, corpus: tuple[Path, Written]) -> None:
    folder, written = corpus
    again = write_national(tmp_path / "again", PUPILS, SEED, planted=2)
    assert _bytes(tmp_path / "again") == _bytes(folder)
    assert again.planted == written.planted
    other = write_national(tmp_path / "other", PUPILS, SEED + 1, planted=2)
    assert _bytes(tmp_path / "other") != _bytes(folder)
    assert other.pupils >= PUPILS


def test_school_sizes_are_skewed_and_add_up() -> None:
    proportions = Proportions.load()
    plan = school_sizes(400_000, proportions, random.Random(1))
    assert sum(size for _, size in plan) == 400_000
    for sector in ("PO", "VO"):
        sizes = [size for s, size in plan if s == sector]
        spread = proportions.sectors[sector]
        assert spread.smallest <= min(sizes) and max(sizes) <= spread.largest
        assert statistics.mean(sizes) > statistics.median(sizes)  # a long tail of large ones
    po = [size for s, size in plan if s == "PO"]
    vo = [size for s, size in plan if s == "VO"]
    assert len(po) > 5 * len(vo) and statistics.median(vo) > 4 * statistics.median(po)
    assert max(po) > 700 and max(vo) > 3000


def test_corpus_shares_boards_locations_and_staff(corpus: tuple[Path, Written]) -> None:
    folder, written = corpus
    assert written.previous > 0 and len(written.files) > 8
    boards: dict[str, int] = {}
    people: dict[str, int] = {}
    for name in written.files:
        doc = orjson.loads((folder / name).read_bytes())
        assert len(doc["schools"]) == 1
        for board in doc["schools"][0]["organisation"]["boards"]:
            code = board["organisationMasterIdentifier"]
            boards[code] = boards.get(code, 0) + 1
        for employee in doc["employees"]:
            key = employee["userIds"][0]["userId"]
            people[key] = people.get(key, 0) + 1
    assert max(boards.values()) > 1
    assert max(people.values()) > 1
    shapes = {
        orjson.loads((folder / n).read_bytes())["shapes"]["education-api"] for n in written.files
    }
    assert len(shapes) == 2  # files in t and in t-1


def _pointers(report: Report, rule: str) -> set[tuple[str, str]]:
    return {
        (Path(item.source or "").name, (item.location or "") + finding.instance_path)
        for item in report.items
        for finding in item.findings
        if finding.rule == rule
    }


def test_one_and_two_jobs_give_the_same_report_with_the_planted_conflicts(
    corpus: tuple[Path, Written],
) -> None:
    folder, written = corpus
    one = run([str(folder)], Options(), jobs=1)
    two = run([str(folder)], Options(), jobs=2)
    assert one.to_json() == two.to_json()
    assert render.to_junit(one) == render.to_junit(two)
    assert list(render.text_lines(one)) == list(render.text_lines(two))
    assert one.invalid == 0 and one.input_error_count == 0
    kinds = {p.kind for p in written.planted}
    assert kinds == {"identity", "kind"}
    for kind, rule in (("identity", crossing.IDENTITY_RULE), ("kind", crossing.KIND_RULE)):
        expected: set[tuple[str, str]] = set()
        for case in (p for p in written.planted if p.kind == kind):
            expected |= {(case.file, case.pointer), (case.other_file, case.other_pointer)}
        assert _pointers(one, rule) == expected
    # Nothing else: the corpus is valid apart from what was planted. An employee that
    # carries a pupil's ECK iD also draws the warning that employees have no primary
    # identifier.
    rules = {f.rule for item in one.items for f in item.findings}
    assert rules == {crossing.IDENTITY_RULE, crossing.KIND_RULE, "EDUV-ID-006"}
    employees = {(p.file, p.pointer) for p in written.planted if p.kind == "kind"}
    assert _pointers(one, "EDUV-ID-006") == {(f, p + "/userMasterIdentifier") for f, p in employees}
    crossed = [f for f in one.findings if f.rule != "EDUV-ID-006"]
    assert all(f.severity == "warning" and f.source_kind == "inferred" for f in crossed)


def test_warnings_name_the_other_file_and_show_no_personal_data(
    corpus: tuple[Path, Written],
) -> None:
    folder, written = corpus
    case = next(p for p in written.planted if p.kind == "identity")
    report = run([str(folder)], Options(lang="nl"), jobs=1)
    item = next(
        i
        for i in report.items
        if i.source and i.source.endswith(case.file) and i.location == case.pointer
    )
    message = item.findings[0].message
    assert f"{folder / case.other_file} op {case.other_pointer}" in message
    assert "dezelfde medewerker" in message and "andere naam" in message
    doc = orjson.loads((folder / case.file).read_bytes())
    person = doc["employees"][int(case.pointer.rsplit("/", 1)[1])]
    for value in (person["familyName"], person["givenName"], person["userIds"][0]["userId"]):
        assert value not in message


def test_items_are_ordered_by_file_then_pointer(corpus: tuple[Path, Written]) -> None:
    folder, _ = corpus
    report = run([str(folder)], Options(), jobs=2)
    sources = [s.source for s in report.sources]
    assert sources == sorted(sources)
    keys = [(sources.index(i.source or ""), i.location) for i in report.items]
    assert keys == sorted(
        keys,
        key=lambda k: (k[0], [int(p) if p.isdigit() else p for p in (k[1] or "").split("/")[1:]]),
    )


def test_report_order_sorts_numbers_as_numbers() -> None:
    report = Report()
    for source in ("a.json", "b.json"):
        report.source(source)
    finding = Finding("rule", "x", severity="warning")
    for source, location in (
        ("b.json", "/students/2"),
        ("a.json", "/students/10"),
        ("a.json", "/employees/3"),
        ("a.json", "/students/9"),
    ):
        report.add_document(Item(None, None, None, [finding], source=source, location=location))
    report.order()
    assert [(i.source, i.location) for i in report.items] == [
        ("a.json", "/employees/3"),
        ("a.json", "/students/9"),
        ("a.json", "/students/10"),
        ("b.json", "/students/2"),
    ]


def test_no_cross_school_pass_without_rules(corpus: tuple[Path, Written]) -> None:
    folder, _ = corpus
    report = run([str(folder)], Options(rules=False), jobs=1)
    assert report.items == [] and report.valid


def test_cross_pass_memory_does_not_grow_with_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crossing, "FLUSH_ROWS", 2_000)

    def peak(files: int) -> int:
        cross = CrossPass("en")
        tracemalloc.start()
        for index in range(files):
            rows: list[crossing.Row] = [
                (index * 1000 + n, 0, n, n, f"/students/{n}") for n in range(1000)
            ]
            cross.add(SchoolSummary(f"{index:05d}.json", {}, rows))
        cross.finish(Report())
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(20), peak(200)  # 20,000 and 200,000 rows
    assert large < 2 * small, (small, large)


def test_timings_are_shown_on_request(cli: Cli, corpus: tuple[Path, Written]) -> None:
    folder, written = corpus
    result = cli("validate", str(folder / written.files[0]), "--timings")
    assert result.code == 0, result
    assert result.err.startswith("timings: input ") and "cross-school" in result.err


def test_generator_command_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.json").write_bytes(b"{}")
    assert main([str(tmp_path), "--pupils", "100"]) == 2
    err = capsys.readouterr().err
    assert "already holds .json files" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "new"), "--pupils", "0"])
    assert stop.value.code == 2
    broken = tmp_path / "broken.json.txt"
    broken.write_text('{"seed": 1}')
    assert main([str(tmp_path / "new"), "--proportions", str(broken)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}: the proportions lack 'sectors'" in err and "Traceback" not in err
    broken.write_text("{")
    assert main([str(tmp_path / "new"), "--proportions", str(broken)]) == 2
    assert f"{broken}: not JSON" in capsys.readouterr().err


def test_generator_command_writes_and_tells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "out"), "--pupils", "800", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert " files (" in out and "pupils" in out
    assert isinstance(Planted, type)


def test_many_datasets_tell_their_judged_days_once_per_range() -> None:
    from eduv.dataset.judged import Judged

    report = Report()
    for index in range(render.JUDGED_LINES + 2):
        begin = "2025-08-01" if index % 4 else "2024-08-01"
        report.source(f"{index:02d}.json").judged = Judged(begin, begin[:4] + "-12-01", "as-of")
    lines = [line for _, line in render.text_lines(report)]
    assert lines[:2] == [
        "3 datasets: judged from 2024-08-01 to 2024-11-30: the day asked for",
        "9 datasets: judged from 2025-08-01 to 2025-11-30: the day asked for",
    ]
    report.sources = report.sources[: render.JUDGED_LINES]
    assert next(render.text_lines(report))[1].startswith("00.json: judged from 2024-08-01")


def test_a_school_code_used_as_a_location_elsewhere_is_found() -> None:
    from eduv.testing.bulk import bulk_dataset

    first, second = bulk_dataset(300, seed=4), bulk_dataset(300, seed=5)
    code = first.schools[0].organisation["organisationMasterIdentifier"]
    second.schools[0].organisation["locations"][0]["locationMasterIdentifier"] = code
    cross = CrossPass("en")
    cross.add(crossing.summarise(first, "a.json"))
    cross.add(crossing.summarise(second, "b.json"))
    report = Report()
    for source in ("a.json", "b.json"):
        report.source(source)
    cross.finish(report)
    found = [
        (i.source, i.location, f.instance_path, f.message) for i in report.items for f in i.findings
    ]
    assert [f[:3] for f in found] == [
        ("a.json", "/schools/0/organisation", ""),
        ("b.json", "/schools/0/organisation", "/locations/0"),
    ]
    assert (
        "names a school here but a location in b.json at /schools/0/organisation/locations/0"
        in found[0][3]
    )
    assert report.messages == 0 and report.finding_counts["rule"] == 2


def test_the_command_gives_the_same_report_for_one_and_two_jobs(
    cli: Cli, corpus: tuple[Path, Written]
) -> None:
    folder, _ = corpus
    outputs = {}
    for output in ("json", "junit", "text"):
        one = cli("validate", str(folder), "--jobs", "1", "--format", output)
        two = cli("validate", str(folder), "--jobs", "2", "--format", output, "--timings")
        assert one.code == two.code == 0, (one, two)
        assert one.out == two.out
        assert two.err.startswith("timings: ")
        outputs[output] = one.out
    assert outputs["text"].count("[EDUV-XSCHOOL-00") == 4


def test_the_pass_runs_in_memory_without_a_temporary_folder(
    corpus: tuple[Path, Written], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder, _ = corpus
    expected = run([str(folder)], Options(), jobs=1).to_json()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    assert run([str(folder)], Options(), jobs=1).to_json() == expected


def test_tasks_run_one_by_one_and_merged_give_the_report_of_run(
    corpus: tuple[Path, Written],
) -> None:
    import pickle

    from eduv.validation.parallel import Merger, plan, run_task

    folder, _ = corpus
    options = Options()
    report = options.new_report()
    merger = Merger(report, CrossPass(options.lang))
    # In reverse, through pickle: as another scheduler might run them, results re-ordered.
    tasks = plan([str(folder)], 2, report)
    done = {
        i: pickle.loads(pickle.dumps(run_task(pickle.loads(pickle.dumps(t)), options)))
        for i, t in reversed(list(enumerate(tasks)))
    }
    for index, task in enumerate(tasks):
        merger.add(task, done[index])
    assert merger.finish().to_json() == run([str(folder)], options, jobs=1).to_json()
