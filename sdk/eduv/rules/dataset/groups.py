"""Dataset rules about groups: members, teachers, periods, and one class at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from eduv.rules.catalogue import Rule
from eduv.rules.context import Context, SchoolIndex, first_gap
from eduv.rules.dataset.common import during, hit, missing_listed, missing_refs
from eduv.rules.hits import DatasetCheck, DatasetHit
from eduv.rules.values import person_label, strings


def _members_exist(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        for index, group, _ in ctx.active(s, "groups"):
            for at, ref, student in ctx.members(s, index, group):
                if student is None:
                    yield hit(
                        ctx, s, "groups", index, group, f"/students/{at}", person=person_label(ref)
                    )


def _listed_assignment_points_back(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        for index, group, _ in ctx.active(s, "groups"):
            for at, value in strings(group, "assignments"):
                assignment = s.find("assignments", value)
                if assignment is not None and assignment.get("group") != group.get("groupId"):
                    yield hit(
                        ctx,
                        s,
                        "groups",
                        index,
                        group,
                        f"/assignments/{at}",
                        value=value,
                        other=assignment.get("group"),
                    )


def _group_lists_assignment(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        listed = s.group_assignments
        for index, assignment, _ in ctx.active(s, "assignments"):
            group = assignment.get("group")
            if s.find("groups", group) is None:
                continue
            if str(assignment.get("assignmentId")) not in listed.get(str(group), set()):
                yield hit(ctx, s, "assignments", index, assignment, "/group", value=group)


def _one_class_at_a_time(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    """A sweep per student over the spans of the classes they are in."""
    for s in ctx.schools:
        spans: dict[object, list[tuple[str, str, int, int]]] = defaultdict(list)
        for index, group, span in ctx.active(s, "groups"):
            if group.get("groupType") != "class":
                continue
            for at, ref, student in ctx.members(s, index, group):
                who: object = student if student is not None else person_label(ref)
                spans[who].append((span[0], span[1], index, at))
        for entries in spans.values():
            yield from _overlapping_classes(ctx, s, sorted(entries))


def _overlapping_classes(
    ctx: Context, s: SchoolIndex, entries: list[tuple[str, str, int, int]]
) -> Iterator[DatasetHit]:
    if len(entries) < 2:
        return
    groups = s.school.groups
    _, latest_end, latest_index, _ = entries[0]
    for begin, end, index, at in entries[1:]:
        if begin < latest_end and index != latest_index:
            group, other = groups[index], groups[latest_index]
            ref = group["students"][at]
            yield DatasetHit(
                (ctx.pointer(s, "groups", index, f"/students/{at}"),),
                (ctx.ref(s, "groups", group), ctx.ref(s, "groups", other)),
                {
                    "person": person_label(ref),
                    "value": group.get("groupId"),
                    "other": other.get("groupId"),
                    "school": s.key,
                    "begin": begin,
                },
                (begin, min(end, latest_end)),
            )
        if end > latest_end:
            latest_end, latest_index = end, index


def _members_enrolled(group_type: str, *, study_only: bool) -> DatasetCheck:
    """Members of groups of ``group_type`` not enrolled (for a study) while the group runs."""

    def check(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
        enrolled = ctx.enrollment_spans
        for s in ctx.schools:
            for index, group, span in ctx.active(s, "groups"):
                if group.get("groupType") != group_type:
                    continue
                for at, ref, student in ctx.members(s, index, group):
                    if student is None:
                        continue  # EDUV-GROUP-010 reports unknown members
                    # Context.uncovered, written out: this runs for every member.
                    both = enrolled.get((s.pos, student))
                    gap = first_gap((both[0] if study_only else both[1]) if both else [], span)
                    if gap is not None:
                        person = person_label(ref)
                        rest = f"/students/{at}"
                        found = hit(ctx, s, "groups", index, group, rest, person=person)
                        yield during(found, gap)

    return check


# Which check each rule of this domain is bound to.
CHECKS: dict[str, DatasetCheck] = {
    "EDUV-GROUP-010": _members_exist,
    "EDUV-GROUP-011": missing_listed("groups", "assignments", "assignments"),
    "EDUV-GROUP-012": _listed_assignment_points_back,
    "EDUV-GROUP-013": _group_lists_assignment,
    "EDUV-GROUP-014": missing_refs("groups", "schoolPeriod", "schoolPeriods"),
    "EDUV-GROUP-015": _one_class_at_a_time,
    "EDUV-GROUP-016": _members_enrolled("class", study_only=True),
    "EDUV-GROUP-017": _members_enrolled("lesson-group", study_only=False),
}
