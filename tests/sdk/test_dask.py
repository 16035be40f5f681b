"""``eduv validate --dask``: the report of ``--jobs``, from a cluster of separate processes.

A scheduler and two single-threaded workers run as processes of their own for the whole
module, in folders of their own, so that relative paths must be resolved the way the
client sees them.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from eduv.dataset.io import save_dataset
from eduv.testing.bulk import bulk_batches, write_bulk_dataset
from eduv.validation import cluster, inputs, parallel
from eduv.validation.dispatch import Options
from eduv.validation.parallel import Task
from eduv.version import __version__
from tests.sdk.conftest import Cli, envelope, example

pytest.importorskip(
    "distributed", reason="Dask is not installed: pip install 'eduv[dask]' to test --dask"
)

pytestmark = pytest.mark.timeout(300)

# Keys of a report that say how long something took, not what was found.
TIMINGS = frozenset(("elapsed", "seconds", "timings", "duration"))


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from eduv.testing.cluster import LocalCluster

    with LocalCluster(tmp_path_factory.mktemp("cluster"), workers=2) as running:
        yield running.address


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """School datasets (one broken), NDJSON with valid, invalid and malformed lines, a
    malformed document and a message in a sub-folder."""
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "schools"
    folder.mkdir()
    for index, dataset in enumerate(bulk_batches(700, seed=3, batch_schools=1)):
        save_dataset(dataset, folder / f"school-{index:03}.json")
    broken = orjson.loads((folder / "school-000.json").read_bytes())
    broken["students"][0]["dateOfBirth"] = "not a day"
    del broken["employees"][0]["givenName"]
    (folder / "school-broken.json").write_bytes(orjson.dumps(broken))
    good = envelope(example("association-api", "1.1.0", "Group"))
    bad = envelope({"groupId": 3})
    with (folder / "messages.ndjson").open("wb") as handle:
        for index in range(1500):
            handle.write(bad if index % 97 == 5 else good)
        handle.write(b"{broken\n")
    (folder / "few.jsonl").write_bytes(good + b"\n" + bad)
    (folder / "malformed.json").write_bytes(b'{"api": ')
    (folder / "more").mkdir()
    (folder / "more" / "group.json").write_bytes(good)
    district = root / "district"  # a dataset folder: its findings name files inside it
    write_bulk_dataset(district, 300, seed=5)
    with (district / "employees.ndjson").open("ab") as handle:
        handle.write(b'{"broken\n')
    return root


def _comparable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


@pytest.mark.parametrize(
    "extra",
    [[], ["--lang", "nl", "--strict", "--max-items", "7"], ["--no-rules", "--format", "text"]],
    ids=["default", "dutch-strict-capped", "text"],
)
def test_dask_gives_the_report_of_jobs(
    cli: Cli,
    address: str,
    corpus: Path,
    extra: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(corpus)
    monkeypatch.setattr(inputs, "BLOCK_SIZE", 4096)  # NDJSON files cut into byte ranges
    args = [
        "validate",
        "schools",
        "district",
        *([] if "--format" in extra else ["-f", "json"]),
        *extra,
    ]
    jobs = cli(*args, "--jobs", "2")
    dask = cli(*args, "--dask", address)
    assert dask.err == jobs.err == ""
    assert dask.code == jobs.code == 2  # malformed input beside invalid messages
    if "--format" in extra:
        assert dask.out == jobs.out
        return
    ours, theirs = dask.json(), jobs.json()
    assert _comparable(ours) == _comparable(theirs)
    names = [s["source"] for s in ours["sources"]]
    assert names[0] == "schools/few.jsonl" and "schools/more/group.json" in names
    assert names[-1] == "district"
    inside = [e["source"] for e in ours["inputErrors"] if e["source"].startswith("district")]
    assert inside == ["district/employees.ndjson"]
    assert ours["summary"]["invalid"] >= 17 and ours["summary"]["inputErrors"] == 3


def test_file_urls_are_read_by_the_workers(cli: Cli, address: str, corpus: Path) -> None:
    folder = corpus / "schools"
    local = cli("validate", str(folder), "-f", "json", "--jobs", "2").json()
    remote = cli("validate", folder.as_uri(), "-f", "json", "--dask", address).json()
    named = orjson.loads(
        orjson.dumps(local).replace(str(folder).encode(), folder.as_uri().encode())
    )
    assert _comparable(remote) == _comparable(named)


def test_a_missing_input_is_an_input_error_as_with_jobs(
    cli: Cli, address: str, corpus: Path
) -> None:
    missing = str(corpus / "nothing.json")
    remote = cli("validate", missing, (corpus / "absent").as_uri(), "--dask", address, "-f", "json")
    assert remote.code == 2
    assert [e["source"] for e in remote.json()["inputErrors"]] == [
        missing,
        (corpus / "absent").as_uri(),
    ]


def test_standard_input_is_refused(cli: Cli) -> None:
    done = cli("validate", "-", "--dask", "tcp://127.0.0.1:8786", stdin=b"{}\n")
    assert done.code == 2 and "standard input" in done.err and "Traceback" not in done.err


def test_jobs_and_dask_do_not_go_together(cli: Cli, corpus: Path) -> None:
    done = cli("validate", str(corpus), "--jobs", "2", "--dask", "tcp://127.0.0.1:8786")
    assert done.code == 2 and "--jobs" in done.err


def test_an_unreachable_scheduler_is_named(cli: Cli, corpus: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    where = f"tcp://127.0.0.1:{port}"
    done = cli("validate", str(corpus), "--dask", where, "--dask-timeout", "1")
    assert done.code == 2 and done.out == ""
    assert done.err.startswith(f"eduv: cannot reach the Dask scheduler at {where}")
    assert done.err.count("\n") == 1
    bad = cli("validate", str(corpus), "--dask", "nowhere")
    assert bad.code == 2 and "'nowhere' is no Dask scheduler address" in bad.err


def test_without_dask_the_extra_is_named(
    cli: Cli, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    done = cli("validate", str(corpus), "--dask", "tcp://127.0.0.1:8786")
    assert done.code == 2 and "install eduv[dask]" in done.err


def test_a_failing_task_is_a_clear_error(
    address: str, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = str(corpus / "schools" / "few.jsonl")

    def unreadable(paths: Any, jobs: int, report: Any) -> list[Task]:
        return [Task("ndjson", source, start="0")]  # type: ignore[arg-type]  # seek fails

    monkeypatch.setattr(cluster, "plan", unreadable)
    with pytest.raises(cluster.ClusterError, match=f"at {address} failed: TypeError"):
        cluster.run([source], Options(), address)


def test_the_tasks_of_a_lost_worker_go_to_another(corpus: Path, tmp_path: Path) -> None:
    from eduv.testing.cluster import LocalCluster

    paths = [str(corpus / "schools"), str(corpus / "district")]
    expected = parallel.run(paths, Options(), jobs=2)
    with LocalCluster(tmp_path, workers=2) as spare:
        victim = spare.pids[-1]

        def kill_once(_: int) -> None:
            # After the first result, while later tasks are in flight on both workers.
            nonlocal victim
            if victim:
                os.kill(victim, signal.SIGKILL)
                victim = 0

        found = cluster.run(paths, Options(), spare.address, progress=kill_once)
    assert victim == 0
    assert found.to_json() == expected.to_json()


class _Scheduler:
    """Stands in for a client whose cluster has no workers, or workers of another eduv."""

    def __init__(self, versions: dict[str, str] | None) -> None:
        self.versions = versions

    def wait_for_workers(self, count: int, timeout: float) -> None:
        if self.versions is None:
            raise TimeoutError

    def run(self, fn: Any) -> dict[str, str]:
        assert fn() == __version__
        return self.versions or {}


def test_no_workers_and_other_versions_are_refused() -> None:
    with pytest.raises(cluster.ClusterError, match="has no workers"):
        cluster._check_workers(_Scheduler(None), "tcp://h:1", 0.1)
    other = {"tcp://a:1": __version__, "tcp://b:2": "0.0.1"}
    with pytest.raises(cluster.ClusterError, match=r"tcp://b:2 runs eduv 0\.0\.1"):
        cluster._check_workers(_Scheduler(other), "tcp://h:1", 0.1)


@pytest.fixture
def store() -> Iterator[Any]:
    """fsspec's memory store, which only this process sees: what a worker does with an
    s3:// or gs:// URL, shown without a cluster. Emptied of what the test put there."""
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    yield memory
    for root in ("/corpus", "/store"):
        if memory.exists(root):
            memory.rm(root, recursive=True)


def test_workers_fetch_urls_of_object_stores(corpus: Path, store: Any) -> None:
    folder = corpus / "schools"
    for name in ("few.jsonl", "school-broken.json", "more/group.json"):
        store.pipe(f"/corpus/{name}", (folder / name).read_bytes())
    report = Options().new_report()
    tasks = cluster.plan(["memory://corpus", "memory://none"], 1, report)
    assert [t.source for t in tasks] == [
        "memory:///corpus/few.jsonl",
        "memory:///corpus/more/group.json",
        "memory:///corpus/school-broken.json",
    ]
    assert [e.source for e in report.input_errors] == ["memory://none"]
    for task in tasks:
        partial = cluster._on_worker(parallel._worker, "/", task, Options())
        fetched, lines = partial.report, partial.lines
        name = task.source.removeprefix("memory:///corpus/")
        local = parallel.run_task(Task("path", str(folder / name)), Options()).report
        seen = orjson.dumps(local.to_json()).replace(str(folder).encode(), b"memory:///corpus")
        assert fetched.to_json() == orjson.loads(seen)
        assert lines == 0


def test_workers_fetch_dataset_folders_whole(corpus: Path, store: Any) -> None:
    district = corpus / "district"
    for path in district.rglob("*"):
        if path.is_file():
            store.pipe(f"/store/district/{path.relative_to(district)}", path.read_bytes())
    report = Options().new_report()
    (task,) = cluster.plan(["memory://store/district"], 1, report)
    assert task == Task("path", "memory://store/district")
    fetched = cluster._on_worker(parallel._worker, "/", task, Options()).report
    assert [e.source for e in fetched.input_errors] == ["memory://store/district/employees.ndjson"]
    assert [s.source for s in fetched.sources] == ["memory://store/district"]
