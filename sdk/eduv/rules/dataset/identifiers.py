"""Dataset rules about how references name people and schools: by the primary identifier.

Whether a reference could have used the primary identifier is known only with the
person or school it names at hand, so these rules need the whole dataset.
"""

from __future__ import annotations

from collections.abc import Iterator

from eduv.rules.catalogue import Rule
from eduv.rules.context import Context, SchoolIndex
from eduv.rules.dataset.common import component, hit
from eduv.rules.hits import DatasetCheck, DatasetHit, JsonObject
from eduv.rules.values import objects, organisation_keys, person_label, school_label, text

# The members of school objects that refer to a student.
STUDENT_REFERENCES = (
    ("enrollments", "/student"),
    ("groups", "/students/*"),
    ("assignments", "/student"),
)


def _student_refs(
    ctx: Context, s: SchoolIndex, coll: str, path: str
) -> Iterator[tuple[int, JsonObject, int | None, JsonObject]]:
    """(index, object, position in the list or None, reference) for every student reference
    that does not name its pupil by the primary identifier."""
    member = path.split("/")[1]
    listed = path.endswith("/*")
    for index, obj, _ in ctx.in_scope(s, coll):
        if listed:
            refs = obj.get(member)
            for at, ref in enumerate(refs if isinstance(refs, list) else ()):
                if not isinstance(ref, dict):
                    continue
                master = ref.get("userMasterIdentifier")
                if not (isinstance(master, str) and master):
                    yield index, obj, at, ref
        else:
            single = obj.get(member)
            if isinstance(single, dict):
                master = single.get("userMasterIdentifier")
                if not (isinstance(master, str) and master):
                    yield index, obj, None, single


def _pupils_by_master(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        for coll, path in STUDENT_REFERENCES:
            member = path.split("/")[1]
            for index, obj, at, ref in _student_refs(ctx, s, coll, path):
                found = ctx.students.find(ref)
                if found is None:
                    continue
                master = text(ctx.students.people[found], "userMasterIdentifier")
                if master:
                    where = f"/{member}" if at is None else f"/{member}/{at}"
                    params = {"object": component(coll), "person": person_label(ref)}
                    yield hit(ctx, s, coll, index, obj, where, **params, master=master)


def _schools_by_master(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    masters: dict[str, str] = {}
    for s in ctx.schools:
        organisation = s.school.organisation
        master = text(organisation, "organisationMasterIdentifier")
        if master:
            for key in organisation_keys(organisation):
                masters.setdefault(key, master)
    for index, employee in enumerate(ctx.dataset.employees):
        for at, role in objects(employee, "organisationRoles"):
            ref = role.get("organisation")
            if not isinstance(ref, dict) or text(ref, "organisationMasterIdentifier"):
                continue
            master = next((masters[k] for k in organisation_keys(ref) if k in masters), None)
            if master is not None:
                where = f"/employees/{index}/organisationRoles/{at}/organisation"
                params: dict[str, object] = {"object": "Employee", "master": master}
                params["school"] = school_label(ref)
                yield DatasetHit((where,), (ctx.person_ref("employees", employee),), params)


# Which check each identifier dataset rule is bound to.
CHECKS: dict[str, DatasetCheck] = {
    "EDUV-ID-020": _pupils_by_master,
    "EDUV-ID-021": _schools_by_master,
}
