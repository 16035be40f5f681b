"""The checks of scenario mode: each one a function of a finished :class:`Example`.

``CHECKS`` binds every check id of the mode to its function; what each asserts is in
``spec/conformance/checks.json``. Scenario mode also reports under EDUV-CONF-SCHEMA-001
and EDUV-CONF-VER-002 (the same assertion as in observe mode, over data the suite loaded
itself) and, through its rule pass, under the rule checks (EDUV-CONF-RULE-...).
"""

from __future__ import annotations

from collections.abc import Callable

from eduv import spec
from eduv.conformance.catalogue import load
from eduv.conformance.http import Answer
from eduv.conformance.observe.data import LISTS, canonical, object_id
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
            text = f"{match.where} was loaded but is not served"
            tally.problem(match.api, match.version, text, match.evidence)
        else:
            tally.ok(match.api, match.version)


def dates(ex: Example, tally: Tally) -> None:
    for match in rb.matches(ex.dataset, ex.served, valid_only=True):
        assert match.served is not None
        changed = [f for f in rb.DATE_FIELDS if match.loaded.get(f) != match.served.get(f)]
        if changed:
            shown = ", ".join(
                f"{f} {match.loaded.get(f)} -> {match.served.get(f)}" for f in changed
            )
            tally.problem(match.api, match.version, f"{match.where}: {shown}", match.evidence)
        else:
            tally.ok(match.api, match.version)


def values(ex: Example, tally: Tally) -> None:
    for match in rb.matches(ex.dataset, ex.served, valid_only=True):
        loaded, served = match.loaded, match.served
        assert served is not None
        differ = sorted(
            k
            for k in set(loaded) | set(served)
            if k not in rb.DATE_FIELDS and canonical(loaded.get(k)) != canonical(served.get(k))
        )
        if differ:
            text = f"{match.where}: {', '.join(differ)} differ"
            tally.problem(match.api, match.version, text, match.evidence)
        else:
            tally.ok(match.api, match.version)


def schema_valid(ex: Example, tally: Tally) -> None:
    for served in ex.served.values():
        rb.schema_problems(served, tally)


def previous_versions(ex: Example, tally: Tally) -> None:
    """The previous versions serve the current objects converted, as the dataset format says."""
    for key, answers in ex.previous.items():
        served = ex.served[key]
        sector = ex.dataset.facts[key].sector if key in ex.dataset.facts else None
        for name, (api, _) in LISTS.items():
            previous = spec.api(api).previous
            answer = answers[name]
            message = rb.message_of(name)
            expected = {
                object_id(message, o): convert_object(api, message, o, "down", sector)
                for o in served.lists.get(name, [])
            }
            got = {object_id(message, o): o for o in rb.objects(answer)}
            differ = sorted(
                k for k in expected if k not in got or canonical(expected[k]) != canonical(got[k])
            )
            if differ or got.keys() - expected.keys():
                text = (
                    f"{key} {name}: {len(differ)} object(s) differ from the converted current ones"
                )
                tally.problem(api, previous, text, answer.exchange)
            else:
                tally.ok(api, previous)


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
        api, version = _where(STEP_CHECKS[kind])
        for record in ex.steps:
            if record.step.kind != kind:
                continue
            if record.ok:
                tally.ok(api, version)
            else:
                tally.problem(api, version, f"{record.step.describe()}: {record.text}")

    return check


def _where(check_id: str) -> tuple[str, str]:
    """The API (and its current version) a step check is about: the one it applies to."""
    api = next(iter(load().checks[check_id].applies))
    return api, spec.api(api).current


def notified(ex: Example, tally: Tally) -> None:
    """Every object a step changed has a notification since the step."""
    version = spec.api(NOTIFICATIONS_API).current
    for record in ex.steps:
        for kind, ids in record.step.notified:
            hit = any(
                n.get("objectType") == kind and n.get("objectId") in ids
                for n in record.notifications
            )
            text = f"{record.step.describe()}: no notification for {kind} {sorted(ids)[0]}"
            _judge(tally, hit, version, text, record.answer)


def deletes_notified_last(ex: Example, tally: Tally) -> None:
    """A deleted object's last notification is a delete notification."""
    version = spec.api(NOTIFICATIONS_API).current
    for record in ex.steps:
        for kind, ids in record.step.deleted:
            text = (
                f"{record.step.describe()}: {kind} {sorted(ids)[0]} has no delete notification "
                "as its last"
            )
            _judge(tally, _deleted_last(record, kind, ids), version, text, record.answer)


def _deleted_last(record: StepRecord, kind: str, ids: frozenset[str]) -> bool:
    mine = [
        n for n in record.notifications if n.get("objectType") == kind and n.get("objectId") in ids
    ]
    deletes = [n for n in mine if n.get("isDeleteNotification") is True]
    last = max((str(n.get("created", "")) for n in mine), default="")
    return bool(deletes) and max(str(n.get("created", "")) for n in deletes) == last


def oldest_first(ex: Example, tally: Tally) -> None:
    if ex.notifications_answer is None:
        return
    created = [str(n.get("created", "")) for n in ex.notifications]
    text = f"{len(created)} notifications are not oldest first"
    version = spec.api(NOTIFICATIONS_API).current
    _judge(tally, created == sorted(created), version, text, ex.notifications_answer)


def _judge(tally: Tally, ok: bool, version: str, text: str, answer: Answer) -> None:
    if ok:
        tally.ok(NOTIFICATIONS_API, version)
    else:
        tally.problem(NOTIFICATIONS_API, version, text, answer.exchange)


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
