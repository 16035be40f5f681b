"""Scenario mode: hypothesis generates datasets and steps, the source gets them through a
provisioning adapter, and the suite reads everything back through the official API.

An example loads its schools, reads them back (current version, and the previous one
for the version check), compares, evaluates the rules over what was served, then runs
its steps, each followed by a read of the changed objects and of the notifications since
the step. Failures are shrunk (within a budget) to the smallest example, which is
reported with the seed that reproduces it. The schools are removed after each example.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn

from eduv import spec
from eduv.conformance.catalogue import rule_check_id
from eduv.conformance.config import RunConfig
from eduv.conformance.http import Answer, BudgetExceededError
from eduv.conformance.model import Note, Outcome, Result, Where
from eduv.conformance.observe.data import FACT_RULES, LISTS
from eduv.conformance.reads import canonical
from eduv.conformance.scenario import readback as rb
from eduv.conformance.scenario import steps as stepping
from eduv.conformance.scenario.adapters import Adapter, ProvisioningError, choose
from eduv.conformance.scenario.checks import CHECKS
from eduv.conformance.scenario.example import Example, StepRecord
from eduv.conformance.session import Grant, Session
from eduv.conformance.state import SuiteState, guard
from eduv.conformance.tally import Tally
from eduv.dataset.model import Dataset
from eduv.rules import check_dataset, load_catalogue

SUBJECT = "scenario"
NOTIFICATIONS_API = "notifications-api"
Tallies = dict[str, Tally]


class ScenarioFailedError(AssertionError):
    pass


class SearchOverError(BaseException):
    """Ends the hypothesis search early (it catches Exception, not BaseException)."""


@dataclass
class Search:
    """What the examples found: the smallest failure and a passing record of each check."""

    examples: int = 0
    best: tuple[int, Tallies, dict[str, Any]] | None = None
    best_key: bytes = b""  # the smallest failure's data and steps, to know its replay
    passing: dict[str, list[Result]] = field(default_factory=dict)
    stopped: str | None = None
    after_failure: int = 0


def run(state: SuiteState) -> list[Result]:
    """The mode runner: the search, with every scenario check in error if it breaks down."""
    ctx = state.observe
    found = guard(
        list(CHECKS),
        lambda: run_scenarios(
            state.cfg, state.session, ctx.grant, state.adapter, state.say, state.extra
        ),
    )
    # A version preflight found not served (or otherwise untestable) has its one verdict
    # there; what scenario mode read in it says nothing more.
    return [_untestable(r, state.reasons) for r in found]


def _untestable(found: Result, reasons: dict[tuple[str, str], Note]) -> Result:
    why = reasons.get((found.api or "", found.version or ""))
    if why is None or why.key != "pair-not-served":
        return found
    return Result(found.check_id, Outcome.SKIP, why, found.api, found.version, found.subject)


def run_scenarios(
    cfg: RunConfig,
    session: Session,
    grant: Grant | None,
    given: Any,
    say: Callable[[str], None],
    extra: dict[str, Any],
) -> list[Result]:
    import importlib.util

    if importlib.util.find_spec("hypothesis") is None:
        note = Note("scenario-needs-hypothesis")
        return [Result(i, Outcome.SKIP, note, subject=SUBJECT) for i in CHECKS]
    try:
        adapter, reason = choose(cfg, session.http, given)
    except ProvisioningError as exc:
        adapter, reason = None, str(exc)
    if adapter is None or grant is None:
        why = (
            Note("scenario-no-adapter", {"reason": reason})
            if adapter is None
            else Note("pair-no-token")
        )
        return [Result(i, Outcome.SKIP, why, subject=SUBJECT) for i in CHECKS]
    search = Search()
    Engine(cfg, session, grant.token, adapter, say, search).explore()
    extra.update(_summary(cfg, search))
    return _results(search)


class Engine:
    def __init__(
        self,
        cfg: RunConfig,
        session: Session,
        token: str,
        adapter: Adapter,
        say: Callable[[str], None],
        search: Search,
    ) -> None:
        self.cfg, self.session, self.token = cfg, session, token
        self.adapter, self.say, self.search = adapter, say, search

    def explore(self) -> None:
        from hypothesis import HealthCheck, Phase, example, given, settings
        from hypothesis import seed as fixed_seed
        from hypothesis import strategies as st

        from eduv.testing.strategies import datasets

        step = st.tuples(st.sampled_from(stepping.KINDS), st.integers(0, 999), st.integers(0, 999))

        @settings(
            max_examples=max(1, self.cfg.examples),
            deadline=None,
            database=None,
            # examples = 0 runs only the explicit every-case example (a quick profile).
            phases=[Phase.explicit, Phase.generate, Phase.shrink]
            if self.cfg.examples
            else [Phase.explicit],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
        )
        @fixed_seed(self.cfg.seed)
        @given(datasets(), st.lists(step, min_size=1, max_size=max(1, self.cfg.steps)))
        @example(every_case(self.cfg.seed), [(kind, 0, 1) for kind in stepping.KINDS])
        def run(dataset: Dataset, steps: list[tuple[str, int, int]]) -> None:
            self.example(dataset, steps)

        try:
            run()
        except SearchOverError:
            pass
        except Exception as exc:  # the failure is recorded in self.search; see _results
            if self.search.best is None and self.search.stopped is None:
                self.search.stopped = f"scenario search ended unexpectedly: {exc!r}"[:500]

    def example(self, dataset: Dataset, steps: list[tuple[str, int, int]]) -> None:
        found = self.search
        key = canonical([dataset.to_json(), steps])
        if found.best and key == found.best_key:
            _fail(found.best[1])  # hypothesis replays the smallest failure at the end
        if found.stopped or (found.best and found.after_failure >= self.cfg.shrink_budget):
            raise SearchOverError  # budget used up: the smallest failure so far is reported
        size = _size(dataset, steps)
        if found.best and size >= found.best[0]:
            # No smaller than the smallest failure, so it cannot improve the report: it is
            # not run, and the shrink budget goes to smaller candidates only.
            return
        if found.best:
            found.after_failure += 1
        found.examples += 1
        self.say(f"scenario example {found.examples}")
        tallies = {i: Tally(i, SUBJECT) for i in CHECKS}
        done: list[str] = []
        try:
            done = self.check_example(copy.deepcopy(dataset), steps, tallies)
        except (BudgetExceededError, ProvisioningError) as exc:
            found.stopped = str(exc)
            return
        finally:
            self.cleanup(dataset)
        if not _failing(tallies):
            for check_id, tally in tallies.items():
                found.passing.setdefault(check_id, tally.results())
            return
        found.best, found.best_key = (size, tallies, _describe(dataset, done)), key
        _fail(tallies)

    def cleanup(self, dataset: Dataset) -> None:
        for school in dataset.schools:
            try:
                self.adapter.remove_school(school.key)
            except (ProvisioningError, BudgetExceededError):
                continue

    # -- one example --------------------------------------------------------------------

    def check_example(
        self, dataset: Dataset, steps: list[tuple[str, int, int]], tallies: Tallies
    ) -> list[str]:
        """Act out the example, then judge it with every check of the mode."""
        example = self.act(dataset, steps)
        for check_id, judge in CHECKS.items():
            try:
                judge(example, tallies[check_id])
            except Exception as exc:  # a broken check ends as its own error, not the run's
                tallies[check_id].error(repr(exc)[:500])
        self.rules(example, tallies)
        return [r.step.describe() for r in example.steps]

    def act(self, dataset: Dataset, steps: list[tuple[str, int, int]]) -> Example:
        """Load, read back in both versions, run the steps; record what the source did."""
        started = self.server_time()
        for school in dataset.schools:
            self.adapter.load_school(dataset, school.key)
        example = Example(copy.deepcopy(dataset))
        current = {api.id: api.current for api in spec.source_apis()}
        for school in dataset.schools:
            example.served[school.key] = rb.read_school(
                self.session, self.token, school.key, current
            )
            example.previous[school.key] = self.read_previous(school.key)
        for drawn in steps:
            record = self.step(dataset, drawn)
            if record is not None:
                example.steps.append(record)
        example.notifications, example.notifications_answer = self.notifications(started)
        return example

    def read_previous(self, key: str) -> dict[str, Answer]:
        """The school's lists in the previous versions, for EDUV-CONF-VER-002."""
        return {
            name: rb.fetch(
                self.session,
                self.token,
                api,
                spec.api(api).previous,
                operation_id,
                {"orgMasterId": key},
            )
            for name, (api, operation_id) in LISTS.items()
        }

    def rules(self, example: Example, tallies: Tallies) -> None:
        """The rule pass: every rule over what was served, as one dataset; each finding
        points at the answer the object came from."""
        loaded = example.dataset
        dataset, origins = rb.served_dataset(loaded, list(example.served.values()))
        # Every day the served data covers.
        found = check_dataset(dataset, lang=self.cfg.lang)
        rules = load_catalogue().by_id
        for violation in found:
            # The facts section came from the suite itself, so its rules say nothing here;
            # the data is the suite's own, so only what the standard requires counts.
            rule_id = violation.rule or ""
            if not violation.is_error or rule_id in FACT_RULES:
                continue
            check_id = rule_check_id(rule_id)
            origin = rb.origin_of(origins, violation.instance_path)
            if origin is None:
                rule = rules[rule_id]
                api = next(iter(rule.applies_to), None)
                version, place, subject = dataset.shapes.get(api or ""), Where(), SUBJECT
            else:
                api, version, place, subject = origin
            tallies.setdefault(check_id, Tally(check_id, SUBJECT)).problem(
                api,
                version,
                "rule",
                where=place,
                subject=subject,
                distinct=rule_id,
                message=violation.message,
                rule=rule_id,
                source_kind=violation.source_kind,
                interval=violation.interval,
            )

    # -- steps and notifications -------------------------------------------------------

    def step(self, dataset: Dataset, drawn: tuple[str, int, int]) -> StepRecord | None:
        step = stepping.plan(dataset, *drawn)
        if step is None:
            return None
        since = self.server_time()
        self.adapter.apply(step.changes)
        stepping.apply_locally(dataset, step)
        reader = stepping.Reader(self.lookup)
        ok, params = step.verify(reader)
        found, answer = self.notifications(since)
        evidence = reader.answers[-1] if reader.answers else None
        return StepRecord(step, ok, params, found, answer, evidence)

    def lookup(self, operation_id: str, params: dict[str, Any], body: Any) -> Answer:
        api = "students-api" if operation_id == "search-student" else "association-api"
        op = spec.operation(api, spec.api(api).current, operation_id)
        return self.session.call(op, token=self.token, params=params, body=body)

    def notifications(self, since: str) -> tuple[list[dict[str, Any]], Answer]:
        version = spec.api(NOTIFICATIONS_API).current
        op = spec.operation(NOTIFICATIONS_API, version, "get-notifications")
        answer = self.session.call(op, token=self.token, params={"since": since})
        return rb.objects(answer), answer

    def server_time(self) -> str:
        """A moment just before now on the server's clock (its Date header), as RFC 3339."""
        op = spec.operation(
            "education-api", spec.api("education-api").current, "get-organisations-by-school-search"
        )
        schools = [s.id for s in self.cfg.schools if s.consent]
        school = schools[0] if schools else "000A000"
        answer = self.session.call(op, token=self.token, params={"orgMasterId": school})
        try:
            moment = parsedate_to_datetime(answer.header("date") or "")
        except (TypeError, ValueError):
            moment = dt.datetime.now(dt.UTC)
        return (moment - dt.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


def every_case(seed: int) -> Dataset:
    """The explicit first example: PO and VO schools with every expressible case."""
    from eduv.testing.build import build_dataset
    from eduv.testing.chooser import RandomChooser
    from eduv.testing.scenarios import SCENARIOS

    # Another seed than the embedded provider's own data, so that school keys differ.
    return build_dataset(RandomChooser(seed + 7919), ["PO", "VO"], cases=sorted(SCENARIOS))


def _size(dataset: Dataset, steps: list[tuple[str, int, int]]) -> int:
    """How big an example is: its objects and the steps that act on something."""
    local, done = copy.deepcopy(dataset), 0
    for drawn in steps:
        step = stepping.plan(local, *drawn)
        if step is not None:
            stepping.apply_locally(local, step)
            done += 1
    return sum(dataset.count().values()) + done


def _failing(tallies: Tallies) -> list[str]:
    return sorted(
        t.check_id for t in tallies.values() if any(r.outcome is Outcome.FAIL for r in t.results())
    )


def _fail(tallies: Tallies) -> NoReturn:
    # One place that raises, so that hypothesis sees one failure and not two.
    raise ScenarioFailedError(", ".join(_failing(tallies)))


def _describe(dataset: Dataset, done: list[str]) -> dict[str, Any]:
    return {
        "schools": [
            {
                "key": s.key,
                "sector": dataset.facts[s.key].sector if s.key in dataset.facts else None,
            }
            for s in dataset.schools
        ],
        "objects": dataset.count(),
        "steps": done,
    }


def _results(search: Search) -> list[Result]:
    if search.stopped and search.best is None:
        note = Note("scenario-stopped", {"error": search.stopped})
        return [Result(i, Outcome.ERROR, note, subject=SUBJECT) for i in CHECKS]
    failing: dict[str, list[Result]] = {}
    if search.best is not None:
        for check_id, tally in search.best[1].items():
            found = tally.results()
            if any(r.outcome is Outcome.FAIL for r in found):
                failing[check_id] = found
            elif any(r.outcome is Outcome.PASS for r in found):
                search.passing.setdefault(check_id, found)
    out: list[Result] = []
    for check_id in sorted(set(CHECKS) | set(failing) | set(search.passing)):
        out += (
            failing.get(check_id)
            or search.passing.get(check_id)
            or [
                Result(
                    check_id,
                    Outcome.NOT_APPLICABLE,
                    Note("scenario-unexercised"),
                    subject=SUBJECT,
                )
            ]
        )
    return out


def _summary(cfg: RunConfig, search: Search) -> dict[str, Any]:
    out: dict[str, Any] = {
        "seed": cfg.seed,
        "examples": search.examples,
        "stepsPerExample": cfg.steps,
    }
    if search.best is not None:
        out["smallestFailingExample"] = search.best[2]
        out["reproduce"] = (
            f"eduv conformance run --seed {cfg.seed} --examples {cfg.examples} --steps {cfg.steps}"
        )
    if search.stopped:
        out["stopped"] = search.stopped
    return out
