"""Dataset rules about staff assignments: the people, groups and subjects they name."""

from __future__ import annotations

from collections.abc import Iterator

from eduv.rules.catalogue import Rule
from eduv.rules.context import Context, SchoolIndex, Span
from eduv.rules.dataset.common import during, hit, missing_refs, unknown_people
from eduv.rules.hits import DatasetCheck, DatasetHit, JsonObject
from eduv.rules.values import person_label


def _group_of_type(
    ctx: Context, kind: str, wrong_group_type: str
) -> Iterator[tuple[SchoolIndex, int, JsonObject, JsonObject]]:
    for s in ctx.schools:
        for index, assignment, _ in ctx.active(s, "assignments"):
            if assignment.get("assignmentType") != kind:
                continue
            group = s.find("groups", assignment.get("group"))
            if group is not None and group.get("groupType") == wrong_group_type:
                yield s, index, assignment, group


def _class_teacher_of_class(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s, index, assignment, group in _group_of_type(ctx, "class-teacher", "lesson-group"):
        yield hit(
            ctx,
            s,
            "assignments",
            index,
            assignment,
            "/group",
            value=assignment.get("group"),
            group_type=group.get("groupType"),
        )


def _teacher_of_lesson_group(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s, index, assignment, _ in _group_of_type(ctx, "teacher", "class"):
        yield hit(ctx, s, "assignments", index, assignment, "/group", value=assignment["group"])


def _teacher_subject_served(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        offerings = s.facts.group_offerings if s.facts else {}
        for index, assignment, _ in ctx.active(s, "assignments"):
            subject, group = assignment.get("subject"), assignment.get("group")
            served = offerings.get(group) if isinstance(group, str) else None
            if served is None or not served.subject_offerings or not isinstance(subject, str):
                continue
            if assignment.get("assignmentType") == "teacher" and (
                subject not in served.subject_offerings
            ):
                yield hit(
                    ctx, s, "assignments", index, assignment, "/subject", value=subject, group=group
                )


def _coached_student_enrolled(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        for index, assignment, span in ctx.active(s, "assignments"):
            if assignment.get("assignmentType") != "coach":
                continue
            ref = assignment.get("student")
            student = ctx.students.find(ref)
            if student is None:
                continue
            both = ctx.enrollment_spans.get((s.pos, student))
            if not both or not _overlaps(both[1], span):
                person = person_label(ref) if isinstance(ref, dict) else "?"
                found = hit(ctx, s, "assignments", index, assignment, "/student", person=person)
                yield during(found, span)


def _overlaps(merged: list[Span], span: Span) -> bool:
    return any(begin < span[1] and span[0] < end for begin, end in merged)


# Which check each rule of this domain is bound to.
CHECKS: dict[str, DatasetCheck] = {
    "EDUV-ASSIGN-010": unknown_people("assignments", "employee", students=False),
    "EDUV-ASSIGN-011": missing_refs("assignments", "group", "groups"),
    "EDUV-ASSIGN-012": missing_refs("assignments", "subject", "subjectOfferings"),
    "EDUV-ASSIGN-013": unknown_people("assignments", "student", students=True),
    "EDUV-ASSIGN-014": missing_refs("assignments", "schoolPeriod", "schoolPeriods"),
    "EDUV-ASSIGN-015": _class_teacher_of_class,
    "EDUV-ASSIGN-016": _teacher_of_lesson_group,
    "EDUV-ASSIGN-017": _teacher_subject_served,
    "EDUV-ASSIGN-018": _coached_student_enrolled,
}
