"""A pytest plugin: run the Edu-V conformance suite inside a vendor's own test run.

Name a suite configuration file (TOML, see docs/conformance.md) on the command line::

    pytest --eduv-conformance conformance.toml

Each check of the configured modes becomes one test item, ``<file>::EDUV-CONF-...``;
the suite runs once, when the first item runs, and every item then reports its check:
a failure with the details and the curl lines, a skip with the reason, or a pass. A
configuration without a target runs against the embedded reference provider. The
reports are written to ``--eduv-conformance-reports`` when given.

The session fixture ``eduv_conformance_run`` gives the :class:`Run` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_RUN_KEY = pytest.StashKey[Any]()
_DOC_KEY = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("eduv-conformance")
    group.addoption(
        "--eduv-conformance",
        metavar="CONFIG",
        default=None,
        help="Run the Edu-V conformance suite with this TOML configuration.",
    )
    group.addoption(
        "--eduv-conformance-reports",
        metavar="FOLDER",
        default=None,
        help="Write report.json, junit.xml and report.html of the suite here.",
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    chosen = parent.config.getoption("--eduv-conformance")
    if chosen and file_path.resolve() == Path(chosen).resolve():
        found: pytest.Collector = SuiteFile.from_parent(parent, path=file_path)
        return found
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    chosen = session.config.getoption("--eduv-conformance")
    if chosen and not Path(chosen).is_file():
        raise pytest.UsageError(f"--eduv-conformance: no such file {chosen}")


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("--eduv-conformance")
    if chosen:
        # The configuration file is collected even when it is not under the test paths.
        config.args.append(str(chosen))


class SuiteFile(pytest.File):
    """The configuration file: one item per check of its modes."""

    def collect(self) -> Iterator[pytest.Item]:
        from eduv.conformance import catalogue
        from eduv.conformance.config import load

        cfg = load(self.path)
        checks = catalogue.load()
        modes = {m.id for m in checks.run_order(cfg.modes)}
        for check_id, chk in sorted(checks.checks.items()):
            if chk.mode in modes:
                yield CheckItem.from_parent(self, name=check_id)


class CheckItem(pytest.Item):
    def runtest(self) -> None:
        suite_run(self.config, Path(str(self.parent.path)))  # type: ignore[union-attr]
        doc = self.config.stash[_DOC_KEY]
        mine = [r for r in doc["results"] if r["checkId"] == self.name]
        failing = [r for r in mine if r["outcome"] in ("fail", "error")]
        if failing:
            raise CheckFailedError(doc, failing)
        if mine and all(r["outcome"] in ("skip", "not-applicable") for r in mine):
            pytest.skip(mine[0]["message"] or mine[0]["outcome"])
        if not mine:
            pytest.skip("the check produced no result in this run")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailedError):
            return excinfo.value.describe()
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"conformance check {self.name}"


class CheckFailedError(AssertionError):
    """A check failed: its results and their findings, from the masked report."""

    def __init__(self, doc: dict[str, Any], results: list[dict[str, Any]]) -> None:
        super().__init__(results[0]["message"])
        self.doc = doc
        self.results = results

    def describe(self) -> str:
        from eduv.conformance.reports.text import finding_lines

        lines = []
        for result in self.results:
            where = " ".join(result[k] for k in ("api", "version", "subject") if result.get(k))
            lines.append(f"{result['checkId']} {result['outcome']} {where}: {result['message']}")
            lines += finding_lines(self.doc, result, limit=10)
        return "\n".join(lines)


def suite_run(config: pytest.Config, path: Path) -> Any:
    """Run the suite once per pytest session (the first item that needs it)."""
    if _RUN_KEY in config.stash:
        return config.stash[_RUN_KEY]
    from eduv.conformance.config import RunConfig, load
    from eduv.conformance.embedded import embedded
    from eduv.conformance.runner import run_suite

    cfg = load(path)
    if cfg.root or cfg.api_urls or cfg.modes == ("consumer",):
        run = run_suite(cfg)
    else:
        with embedded(cfg, default_modes=cfg.modes == RunConfig().modes) as (ready, listener):
            run = run_suite(ready, listener=listener)
    from eduv.conformance.reports import document, write_all

    folder = config.getoption("--eduv-conformance-reports")
    # Every item reports from the masked report document, as every other output does.
    doc = write_all(run, Path(folder)).doc if folder else document(run)
    config.stash[_DOC_KEY] = doc
    config.stash[_RUN_KEY] = run
    return run


@pytest.fixture(scope="session")
def eduv_conformance_run(request: pytest.FixtureRequest) -> Any:
    """The suite's run for the configuration named by --eduv-conformance."""
    chosen = request.config.getoption("--eduv-conformance")
    if not chosen:
        pytest.skip("no --eduv-conformance configuration given")
    return suite_run(request.config, Path(chosen))
