"""The checks of scenario mode: each one a function of a finished :class:`Example`.

``CHECKS`` binds every check id of the mode to its function; what each asserts is in
``spec/conformance/checks.json``. Scenario mode also reports under EDUV-CONF-SCHEMA-001
and EDUV-CONF-VER-002 (the same assertion as in observe mode, over data the suite loaded
itself) and, through its rule pass, under the rule checks (EDUV-CONF-RULE-...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from eduv import spec
from eduv.conformance.catalogue import load
from eduv.conformance.model import Where
from eduv.conformance.observe.data import LISTS
from eduv.conformance.reads import canonical, object_id
from eduv.conformance.scenario import readback as rb
from eduv.conformance.scenario.example import Example, StepRecord
from eduv.conformance.tally import Tally
from eduv.dataset.convert import convert_object

ScenarioCheck = Callable[[Example, Tally], None]

COMPLETE = "EDUV-CONF-SCN-001"
DATES = "EDUV-CONF-SCN-002"
VALUES = "EDUV-CONF-SCN-003"
MIXED_CLASS = "EDUV-CONF-SCN-010"
SUBSTITUTE = "EDUV-CONF-SCN-011"
SIDE_ENROLMENT = "EDUV-CONF-SCN-012"
TWO_BOARDS = "EDUV-CONF-SCN-013"
MOVE = "EDUV-CONF-SCN-020"
END = "EDUV-CONF-SCN-021"
DELETE = "EDUV-CONF-SCN-022"
ADD_PERIOD = "EDUV-CONF-SCN-023"
NOTIFIED = "EDUV-CONF-SCN-030"
DELETE_NOTIFIED = "EDUV-CONF-SCN-031"
ORDERED = "EDUV-CONF-SCN-032"
SCHEMA = "EDUV-CONF-SCHEMA-001"
VERSIONS = "EDUV-CONF-VER-002"

# Which check judges the steps of each kind (the kinds of eduv.conformance.scenario.steps).
STEP_CHECKS = {"move": MOVE, "end": END, "delete": DELETE, "add-period": ADD_PERIOD}
NOTIFICATIONS_API = "notifications-api"


# -- nothing lost, nothing altered ------------------------------------------------------------


def complete(ex: Example, tally: Tally) -> None:
    for match in rb.matches(ex.dataset, ex.served):
        if match.served is None:
            tally.problem(
                match.api,
                match.version,
                "not-served",
                match.params,
                where=match.place,
                subject=match.school,
            )
        else:
            tally.ok(match.api, match.version)


def dates(ex: Example, tally: Tally) -> None:
    """One finding per date member that the source changed."""
    for match in rb.matches(ex.dataset, ex.served, valid_only=True):
        assert match.served is not None
        _members(tally, match, [f for f in rb.DATE_FIELDS if f in match.loaded], "date")


def values(ex: Example, tally: Tally) -> None:
    """One finding per other member that the source changed, added or left out."""
    for match in rb.matches(ex.dataset, ex.served, valid_only=True):
        assert match.served is not None
        members = sorted((set(match.loaded) | set(match.served)) - set(rb.DATE_FIELDS))
        _members(tally, match, members, "value")


def _members(tally: Tally, match: rb.Match, members: list[str], key: str) -> None:
    assert match.served is not None
    changed = [
        m for m in members if canonical(match.loaded.get(m)) != canonical(match.served.get(m))
    ]
    if not changed:
        tally.ok(match.api, match.version)
    for member in changed:
        params = {
            **match.params,
            "member": member,
            "loaded": _shown(match.loaded.get(member)),
            "served": _shown(match.served.get(member)),
        }
        place = replace(
            match.place,
            pointer=f"/{member}",
            at=(match.place.at or "") + f"/{member}",
        )
        tally.problem(match.api, match.version, key, params, where=place, subject=match.school)


def _shown(value: Any) -> str:
    """A value as a message shows it: short, and ``absent`` when there is none."""
    if value is None:
        return "absent"
    text = canonical(value).decode()
    return text if len(text) <= 80 else text[:77] + "..."


def schema_valid(ex: Example, tally: Tally) -> None:
    for served in ex.served.values():
        rb.schema_problems(served, tally)


def previous_versions(ex: Example, tally: Tally) -> None:
    """The previous versions serve the current objects converted, as the dataset format
    says; one finding per object, as in observe mode."""
    for key, answers in ex.previous.items():
        served = ex.served[key]
        sector = ex.dataset.facts[key].sector if key in ex.dataset.facts else None
        for name, (api, operation_id) in LISTS.items():
            previous = spec.api(api).previous
            answer = answers[name]
            message = rb.message_of(name)
            expected = {
                object_id(message, o): convert_object(api, message, o, "down", sector)
                for o in served.lists.get(name, [])
            }
            got = rb.objects(answer)
            ids = [object_id(message, o) for o in got]
            base = {"operation": operation_id, "component": message, "current": rb.current(api)}
            for index, (ident, obj) in enumerate(zip(ids, got, strict=True)):
                place = Where(operation_id, answer.exchange, message, ident, "", f"/{index}", obj)
                if ident not in expected:
                    problem = "extra"
                elif canonical(expected[ident]) != canonical(obj):
                    problem = "differs"
                else:
                    tally.ok(api, previous)
                    continue
                params = {**base, "id": ident}
                tally.problem(api, previous, problem, params, where=place, subject=key)
            for ident in sorted(expected.keys() - set(ids)):
                place = Where(operation_id, answer.exchange, message, ident)
                params = {**base, "id": ident}
                tally.problem(api, previous, "missing", params, where=place, subject=key)


# -- the flexibility cases that must survive -----------------------------------------------------


def mixed_classes(ex: Example, tally: Tally) -> None:
    for school in ex.dataset.schools:
        rb.mixed_classes(school, ex.served[school.key], tally)


def substitutes(ex: Example, tally: Tally) -> None:
    for school in ex.dataset.schools:
        rb.substitutes(school, ex.served[school.key], tally)


def side_enrolments(ex: Example, tally: Tally) -> None:
    for school in ex.dataset.schools:
        rb.side_enrolments(ex.dataset, school, ex.served[school.key], tally)


def boards(ex: Example, tally: Tally) -> None:
    for school in ex.dataset.schools:
        rb.boards(school, ex.served[school.key], tally)


# -- steps and notifications -------------------------------------------------------------------


def _steps(kind: str) -> ScenarioCheck:
    """The steps of one kind: after each, the source serves the change."""

    def check(ex: Example, tally: Tally) -> None:
        api, version = _api_of(STEP_CHECKS[kind])
        for record in ex.steps:
            if record.step.kind != kind:
                continue
            if record.ok:
                tally.ok(api, version)
                continue
            operation, answer = record.evidence or (None, None)
            place = Where(
                operation=operation,
                evidence=answer.exchange if answer else None,
                component=record.step.component or None,
                object_id=record.step.object_id or None,
            )
            tally.problem(
                api, version, "failed", record.params, where=place, subject=record.step.school
            )

    return check


def _api_of(check_id: str) -> tuple[str, str]:
    """The API (and its current version) a step check is about: the one it applies to."""
    api = next(iter(load().checks[check_id].applies))
    return api, spec.api(api).current


def notified(ex: Example, tally: Tally) -> None:
    """Every object a step changed has a notification since the step."""
    for record in ex.steps:
        for kind, ids in record.step.notified:
            hit = any(
                n.get("objectType") == kind and n.get("objectId") in ids
                for n in record.notifications
            )
            _judge(tally, hit, "missing", record, kind, ids)


def deletes_notified_last(ex: Example, tally: Tally) -> None:
    """A deleted object's last notification is a delete notification."""
    for record in ex.steps:
        for kind, ids in record.step.deleted:
            _judge(tally, _deleted_last(record, kind, ids), "not-last", record, kind, ids)


def _deleted_last(record: StepRecord, kind: str, ids: frozenset[str]) -> bool:
    mine = [
        n for n in record.notifications if n.get("objectType") == kind and n.get("objectId") in ids
    ]
    deletes = [n for n in mine if n.get("isDeleteNotification") is True]
    last = max((str(n.get("created", "")) for n in mine), default="")
    return bool(deletes) and max(str(n.get("created", "")) for n in deletes) == last


def oldest_first(ex: Example, tally: Tally) -> None:
    answer = ex.notifications_answer
    if answer is None:
        return
    version = spec.api(NOTIFICATIONS_API).current
    created = [str(n.get("created", "")) for n in ex.notifications]
    if created == sorted(created):
        tally.ok(NOTIFICATIONS_API, version)
        return
    first = next(i for i in range(1, len(created)) if created[i] < created[i - 1])
    place = Where("get-notifications", answer.exchange, "Notification", None, "", f"/{first}")
    params = {"count": len(created), "index": first}
    tally.problem(NOTIFICATIONS_API, version, "order", params, where=place)


def _judge(
    tally: Tally, ok: bool, key: str, record: StepRecord, kind: str, ids: frozenset[str]
) -> None:
    version = spec.api(NOTIFICATIONS_API).current
    if ok:
        tally.ok(NOTIFICATIONS_API, version)
        return
    # The notification's objectId is the object's own id: it names the finding.
    ident = sorted(ids)[0]
    place = Where("get-notifications", record.answer.exchange, kind, ident)
    params = {"step": record.step.describe(), "kind": kind, "id": ident}
    tally.problem(NOTIFICATIONS_API, version, key, params, where=place, subject=record.step.school)


# Every check scenario mode reports under (the rule checks aside), bound to its function.
CHECKS: dict[str, ScenarioCheck] = {
    COMPLETE: complete,
    DATES: dates,
    VALUES: values,
    MIXED_CLASS: mixed_classes,
    SUBSTITUTE: substitutes,
    SIDE_ENROLMENT: side_enrolments,
    TWO_BOARDS: boards,
    MOVE: _steps("move"),
    END: _steps("end"),
    DELETE: _steps("delete"),
    ADD_PERIOD: _steps("add-period"),
    NOTIFIED: notified,
    DELETE_NOTIFIED: deletes_notified_last,
    ORDERED: oldest_first,
    SCHEMA: schema_valid,
    VERSIONS: previous_versions,
}
