"""Dataset rules about school periods: the tree of periods, their dates, and what runs in them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from eduv.rules.catalogue import Rule
from eduv.rules.context import Context, SchoolIndex, Span
from eduv.rules.dataset.common import component, dates, hit, missing_listed, missing_refs
from eduv.rules.hits import DatasetCheck, DatasetHit, JsonObject
from eduv.rules.values import day, is_tobedeleted, strings


def _parent_lists_child(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            parent_id = period.get("superSchoolPeriod")
            parent = s.find("schoolPeriods", parent_id)
            own = period.get("schoolPeriodId")
            # The child list is optional: only a parent that keeps one must keep it whole.
            if parent is None or parent_id == own or "subSchoolPeriods" not in parent:
                continue
            if own not in {c for _, c in strings(parent, "subSchoolPeriods")}:
                rest = "/superSchoolPeriod"
                yield hit(ctx, s, "schoolPeriods", index, period, rest, value=parent_id)


def _child_names_parent(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            own = period.get("schoolPeriodId")
            for at, child_id in strings(period, "subSchoolPeriods"):
                child = s.find("schoolPeriods", child_id)
                named = child.get("superSchoolPeriod") if child is not None else None
                # The parent link is optional: only a child that names another parent errs.
                if child is None or child_id == own or named in (None, own):
                    continue
                yield hit(
                    ctx,
                    s,
                    "schoolPeriods",
                    index,
                    period,
                    f"/subSchoolPeriods/{at}",
                    value=child_id,
                    parent=child.get("superSchoolPeriod"),
                )


def _no_cycles(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        done: set[str] = set()
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            cycle = _cycle_from(s, period, done)
            if cycle:
                rest = "/superSchoolPeriod"
                yield hit(ctx, s, "schoolPeriods", index, period, rest, cycle=" -> ".join(cycle))


def _cycle_from(s: SchoolIndex, period: JsonObject, done: set[str]) -> list[str] | None:
    """The cycle the parent chain of ``period`` runs into, reported once per cycle.

    Each period is walked at most once over the whole school (``done``), which keeps
    the search linear. A period that is its own parent is left to EDUV-PERIOD-006.
    """
    path: list[str] = []
    on_path: dict[str, int] = {}
    current: JsonObject | None = period
    while current is not None:
        own = current.get("schoolPeriodId")
        if not isinstance(own, str) or own in done:
            break
        if own in on_path:
            cycle = path[on_path[own] :]
            done.update(path)
            return [*cycle, own] if len(cycle) > 1 else None
        on_path[own] = len(path)
        path.append(own)
        current = s.find("schoolPeriods", current.get("superSchoolPeriod"))
    done.update(path)
    return None


def _child_within_parent(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            parent_id = period.get("superSchoolPeriod")
            parent = s.find("schoolPeriods", parent_id)
            outer = dates(parent, "startDate") if parent else None
            inner = dates(period, "startDate")
            if outer is None or inner is None or parent_id == period.get("schoolPeriodId"):
                continue
            if inner[0] < outer[0] or inner[1] > outer[1]:
                yield hit(
                    ctx,
                    s,
                    "schoolPeriods",
                    index,
                    period,
                    "/startDate",
                    begin=inner[0],
                    end=inner[1],
                    parent=parent_id,
                    parent_begin=outer[0],
                    parent_end=outer[1],
                )


def _usual_subdivision(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    typical: dict[str, int] = rule.parameters["typical"]
    for s in ctx.schools:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for _, period in enumerate(s.school.schoolPeriods):
            kind, parent = period.get("type"), period.get("superSchoolPeriod")
            if not isinstance(kind, str) or not isinstance(parent, str):
                continue
            if kind in typical and not is_tobedeleted(period):
                counts[parent][kind] += 1
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            if period.get("type") != "schoolYear":
                continue
            for kind, count in counts.get(str(period.get("schoolPeriodId")), {}).items():
                if count != typical[kind]:
                    yield hit(
                        ctx,
                        s,
                        "schoolPeriods",
                        index,
                        period,
                        "",
                        type=kind,
                        count=count,
                        expected=typical[kind],
                    )


def _within_period(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        # The dates of each period, read once: thousands of objects name the same few.
        outers: dict[str, Span | None] = {}
        for coll in ("enrollments", "assignments", "groups"):
            for index, obj, _ in ctx.active(s, coll):
                period_id = obj.get("schoolPeriod")
                if not isinstance(period_id, str):
                    continue  # names no period, so none to stray from
                if period_id in outers:
                    outer = outers[period_id]
                else:
                    period = s.find("schoolPeriods", period_id)
                    outer = outers[period_id] = dates(period, "startDate") if period else None
                if outer is None:
                    continue
                begin = obj["beginDate"]  # in force, so its begin is a day
                end = day(obj, "endDate")
                # Without an end date an object ends with its period: only its begin can stray.
                if outer[0] <= begin < outer[1] and (end is None or end <= outer[1]):
                    continue
                yield hit(
                    ctx,
                    s,
                    coll,
                    index,
                    obj,
                    "/beginDate",
                    begin=begin,
                    end=end or "(open)",
                    period=period_id,
                    period_begin=outer[0],
                    period_end=outer[1],
                    component=component(coll),
                )


# Which check each rule of this domain is bound to.
CHECKS: dict[str, DatasetCheck] = {
    "EDUV-PERIOD-010": missing_refs("schoolPeriods", "superSchoolPeriod", "schoolPeriods"),
    "EDUV-PERIOD-011": missing_listed("schoolPeriods", "subSchoolPeriods", "schoolPeriods"),
    "EDUV-PERIOD-012": _parent_lists_child,
    "EDUV-PERIOD-013": _child_names_parent,
    "EDUV-PERIOD-014": _no_cycles,
    "EDUV-PERIOD-015": _child_within_parent,
    "EDUV-PERIOD-016": _usual_subdivision,
    "EDUV-TIME-010": _within_period,
}
