"""How the rule engine scales: datasets of 10k and 100k pupils, checked as a whole.

The datasets come from the seeded bulk generator (eduv.testing.bulk) in Dutch
proportions: PO schools of about 225 pupils, VO schools of about 1500 with classes,
lesson groups per subject, subject enrolments in the upper years and the teachers'
assignments. The engine is linear, so ten times the pupils should take about ten times
as long; the script prints the ratio and exits with 1 when it strays too far.

The ratio is taken over processor time, not wall time: on a shared machine other
processes stretch wall time by varying amounts, which says nothing about the engine.
Both are printed, and so is the rate per core: objects checked per second of
processor time, next to the rate at which the JSON Schemas validate the same objects
one by one (the cheaper check every object goes through first).

``--profile`` then says where the time of a check of the larger dataset goes: each
rule's share, measured around its check in a real run (minus what the timing itself
costs), and the framework's: building the context, and the rest (walking the objects,
dispatching to the checks, indexes built on first use, making and sorting findings).
A shared index built on first use counts towards the first rule that asks for it.

    python benchmarks/bench_rules.py                  # 10k against 100k
    python benchmarks/bench_rules.py --small 2000 --large 10000 --profile
"""

from __future__ import annotations

import argparse
import gc
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from eduv import spec
from eduv.dataset import Dataset
from eduv.rules import binding, check_dataset, engine, hits
from eduv.rules.catalogue import Rule
from eduv.rules.context import Context
from eduv.rules.hits import DatasetCheck, MessageCheck
from eduv.testing.bulk import bulk_dataset

Span = tuple[str, str]


def _span(dataset: Dataset) -> Span:
    """The whole school year of a bulk dataset, end exclusive."""
    assert dataset.as_of is not None
    year = int(dataset.as_of[:4])
    return f"{year}-08-01", f"{year + 1}-08-01"


def _timed(dataset: Dataset, repeat: int) -> tuple[float, float, int]:
    """Best processor and wall time of ``repeat`` full checks (all rules, whole year)."""
    span = _span(dataset)
    best_cpu, best_wall, found = float("inf"), float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        found = len(check_dataset(dataset, date_range=span))
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, found


def _schema_time(dataset: Dataset, repeat: int) -> tuple[float, int]:
    """Best processor time to validate every object against its schema, and the failures."""
    pairs = [
        (spec.validator(coll.api, dataset.shapes[coll.api], coll.component), obj)
        for _, coll, obj in dataset.iter_objects()
        if coll.api in dataset.shapes
    ]
    best, invalid = float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        cpu = time.process_time()
        invalid = sum(not validator.is_valid(obj) for validator, obj in pairs)
        best = min(best, time.process_time() - cpu)
    return best, invalid


def _describe(pupils: int, dataset: Dataset, cpu: float, wall: float, found: int) -> str:
    counts = dataset.count()
    objects = sum(counts.values())
    parts = ", ".join(f"{k} {v}" for k, v in counts.items())
    return (
        f"{pupils:>7} pupils: {objects:>8} objects ({parts})\n"
        f"{'':>16}{cpu:8.2f} s processor ({objects / cpu:,.0f} objects/s), "
        f"{wall:.2f} s wall, {found} violations"
    )


def _rates(dataset: Dataset, cpu: float, schema_cpu: float, invalid: int) -> str:
    objects = sum(dataset.count().values())
    rules, schemas = objects / cpu, objects / schema_cpu
    return (
        f"{'':>16}per core: rules {rules:,.0f} objects/s, schemas {schemas:,.0f} objects/s "
        f"({invalid} invalid), rules/schemas {rules / schemas:.3f}"
    )


# --- where the time goes ---------------------------------------------------------------


class _Clock:
    """Processor time of each rule's check in one run.

    A dataset check runs once per rule and is timed around its call. A message check
    runs once per object (or reference) and takes well under the cost of reading a
    processor clock, so the run only notes what each was given; the checks are then
    timed over exactly those nodes, rule by rule.
    """

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.calls: Counter[str] = Counter()
        self.nodes: dict[str, list[tuple[dict[str, Any], Rule]]] = {}
        self.checks: dict[str, MessageCheck] = {}

    def message(self, rule_id: str, check: MessageCheck) -> MessageCheck:
        seen = self.nodes.setdefault(rule_id, [])
        self.checks[rule_id] = check

        def noted(node: dict[str, Any], rule: Rule) -> Iterable[tuple[str, dict[str, object]]]:
            seen.append((node, rule))
            return check(node, rule)

        return noted

    def dataset(self, rule_id: str, check: DatasetCheck) -> DatasetCheck:
        def timed(ctx: Context, rule: Rule) -> Iterable[Any]:
            start = time.process_time()
            found = list(check(ctx, rule))
            self.spent[rule_id] = self.spent.get(rule_id, 0.0) + time.process_time() - start
            self.calls[rule_id] += 1
            return found

        return timed

    def replay(self) -> None:
        """Time each message check over the nodes it was given."""
        for rule_id, nodes in self.nodes.items():
            if not nodes:
                continue  # a rule on components the dataset does not hold
            check = self.checks[rule_id]

            def run(check: MessageCheck = check, nodes: list[Any] = nodes) -> None:
                for node, rule in nodes:
                    for _ in check(node, rule):
                        pass

            def call(nodes: list[Any] = nodes) -> None:
                run(_passes, nodes)

            listed = [(0, node) for node, _rule in nodes]

            def at_once(
                check: MessageCheck = check, listed: list[Any] = listed, rule: Rule = nodes[0][1]
            ) -> None:
                for _ in _over(check)(listed, rule):
                    pass

            if _over(check) is not None and len({id(rule) for _, rule in nodes}) == 1:
                # A check taking a whole list runs as the engine runs it: once per list.
                self.spent[rule_id] = _best(at_once)
            else:
                # Calling a check is the framework's share (it is in the framework's run).
                self.spent[rule_id] = _best(run) - _best(call)
            self.calls[rule_id] = len(nodes)


def _forget_bindings() -> None:
    """Drop the engine's cached bindings of rules to checks (where it keeps any)."""
    for name in ("_places", "_plan"):
        cached = getattr(engine, name, None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()
    shared = getattr(engine, "_SHARED", None)
    if isinstance(shared, dict):
        shared.clear()


@contextmanager
def _bound(
    message: Callable[[str, MessageCheck], MessageCheck],
    dataset: Callable[[str, DatasetCheck], DatasetCheck],
) -> Iterator[None]:
    """Every rule bound, for a while, to what ``message`` and ``dataset`` make of its check."""
    messages = cast(dict[str, MessageCheck], binding.MESSAGE_CHECKS)
    datasets = cast(dict[str, DatasetCheck], binding.DATASET_CHECKS)
    saved = dict(messages), dict(datasets)
    try:
        messages.update({k: message(k, v) for k, v in saved[0].items()})
        datasets.update({k: dataset(k, v) for k, v in saved[1].items()})
        _forget_bindings()
        yield
    finally:
        messages.update(saved[0])
        datasets.update(saved[1])
        _forget_bindings()


def _passes(node: object, rule: Rule) -> tuple[()]:
    return ()


# Checks that take a whole list at once (eduv.rules.hits.EachObject), where the engine
# has them.
_EACH_OBJECT: Any = getattr(hits, "EachObject", None)


def _over(check: MessageCheck) -> Any:
    """The whole-list form of a check, or None."""
    return check.over if _EACH_OBJECT is not None and isinstance(check, _EACH_OBJECT) else None


def _passing(rule_id: str, check: MessageCheck) -> MessageCheck:
    """A check that passes at once, taking lists where the real one does."""
    if _EACH_OBJECT is not None and _over(check) is not None:
        return cast(MessageCheck, _EACH_OBJECT(lambda objs, rule: ()))
    return _passes


def _best(run: Callable[[], object], repeat: int = 3) -> float:
    """Best processor time of ``repeat`` calls of ``run``, without cyclic collections
    (as the engine checks a dataset)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


def _profile(dataset: Dataset, top: int) -> None:
    low, high = _span(dataset)

    def run() -> object:
        return check_dataset(dataset, date_range=(low, high))

    total = _best(run)
    # The framework alone: every check bound to one that passes at once.
    with _bound(_passing, lambda k, c: _passes):
        frame = _best(run)
    clock = _Clock()
    with _bound(clock.message, clock.dataset):
        run()
    clock.replay()
    rules = {k: v for k, v in clock.spent.items() if clock.calls[k]}
    build = _best(lambda: Context.build(dataset, low, high))
    kinds = {k: "message" for k in binding.MESSAGE_CHECKS}
    kinds.update({k: "dataset" for k in binding.DATASET_CHECKS})
    rows = [(v, f"{kinds[k]} rule {k} ({clock.calls[k]} calls)") for k, v in rules.items()]
    rows.append((build, "framework: context build (indexes by id, school and person)"))
    rows.append((frame - build, "framework: walking objects, dispatch to checks, sorting"))
    rest = total - frame - sum(rules.values())
    rows.append((rest, "rest: findings made from hits, and what timing the rules missed"))
    rows.sort(reverse=True)
    messages = sum(v for k, v in rules.items() if kinds[k] == "message")
    print(
        f"where the time goes ({total:.3f} s processor): framework {frame / total:.0%}, "
        f"message rules {messages / total:.0%}, "
        f"dataset rules {(sum(rules.values()) - messages) / total:.0%} (processor time, "
        f"best of 3)"
    )
    for spent, what in rows[:top]:
        print(f"{spent / total:7.1%} {spent * 1e3:9.1f} ms  {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    parser.add_argument("--tolerance", type=float, default=0.35, help="allowed relative drift")
    parser.add_argument("--profile", action="store_true", help="where the time goes (large)")
    parser.add_argument("--top", type=int, default=25, help="rows of the profile")
    args = parser.parse_args()
    times = []
    for pupils in (args.small, args.large):
        dataset = bulk_dataset(pupils, seed=args.seed)
        cpu, wall, found = _timed(dataset, args.repeat)
        schema_cpu, invalid = _schema_time(dataset, args.repeat)
        print(_describe(pupils, dataset, cpu, wall, found), flush=True)
        print(_rates(dataset, cpu, schema_cpu, invalid), flush=True)
        times.append(cpu)
        if args.profile and pupils == args.large:
            _profile(dataset, args.top)
        del dataset
    expected = args.large / args.small
    ratio = times[1] / times[0]
    print(
        f"processor time ratio {ratio:.2f} for {expected:.0f}x the pupils (linear: {expected:.0f})"
    )
    if abs(ratio / expected - 1) > args.tolerance:
        print(f"not linear: the ratio strays more than {args.tolerance:.0%} from {expected:.0f}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
