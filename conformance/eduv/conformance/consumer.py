"""Consumer mode: the suite acts as a source and sends notifications to a consumer.

It posts valid notifications one by one and in batches, invalid ones, a batch with one
bad notification among good ones, a batch out of order, a delete notification, and
requests without or with a wrong token, and judges the consumer's answers: HTTP status,
a NotificationResponse per notification with the same id, and the Edu-V status code
(0 handled, 11 schema incorrect). Every case is one row of :data:`CASES`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from eduv import spec
from eduv.conformance.http import Answer, SafeHttp
from eduv.conformance.model import Note, Outcome, Result, Where
from eduv.conformance.state import SuiteState, guard
from eduv.conformance.tally import Tally

API = "notifications-api"
SCHOOL = {"organisationMasterIdentifier": "104A158"}
Notification = dict[str, Any]


def notification(index: int = 0, *, minutes_ago: int = 0, delete: bool = False) -> Notification:
    """A valid 0.9.1 Notification about a group of one school."""
    object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"eduv-conformance/group/{index}"))
    created = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    return {
        "id": str(uuid.uuid4()),
        "notificationType": "object",
        "objectType": "Group",
        "objectId": object_id,
        "school": SCHOOL,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": f"https://bron.example.nl/association-api/v1/groups/school/{object_id}?orgMasterId=104A158",
        "isDeleteNotification": delete,
    }


def invalid_notification() -> Notification:
    """Not a Notification: no objectType, and an id that is no UUID."""
    bad = notification(99)
    del bad["objectType"]
    bad["id"] = "not-a-uuid"
    return bad


@dataclass(frozen=True)
class Case:
    """One request to the consumer and what a conforming consumer answers."""

    check_id: str
    path: str  # /notification or /notifications
    body: Callable[[], Any]
    token: str  # "valid", "none" or "wrong"
    http: int
    statuses: Callable[[Any], list[int | None]] | None  # expected status per notification


def _each(code_of: Callable[[Notification], int]) -> Callable[[Any], list[int | None]]:
    def expected(body: Any) -> list[int | None]:
        items = body if isinstance(body, list) else [body]
        return [code_of(n) for n in items]

    return expected


def _ok(_n: Notification) -> int:
    return 0


def _valid_or_11(n: Notification) -> int:
    return 11 if n.get("id") == "not-a-uuid" else 0


CASES: tuple[Case, ...] = (
    Case(
        "EDUV-CONF-CONS-001",
        "/notification",
        lambda: notification(1),
        "valid",
        200,
        _each(_ok),
    ),
    Case(
        "EDUV-CONF-CONS-002",
        "/notifications",
        lambda: [notification(i, minutes_ago=3 - i) for i in range(3)],
        "valid",
        200,
        _each(_ok),
    ),
    Case(
        "EDUV-CONF-CONS-003",
        "/notification",
        invalid_notification,
        "valid",
        400,
        _each(_valid_or_11),
    ),
    Case(
        "EDUV-CONF-CONS-004",
        "/notifications",
        lambda: [notification(4), invalid_notification(), notification(5)],
        "valid",
        200,
        _each(_valid_or_11),
    ),
    Case(
        "EDUV-CONF-CONS-005",
        "/notifications",
        lambda: [notification(6 + i, minutes_ago=i) for i in range(3)],
        "valid",
        200,
        _each(_ok),
    ),
    Case(
        "EDUV-CONF-CONS-006",
        "/notification",
        lambda: notification(10, delete=True),
        "valid",
        200,
        _each(_ok),
    ),
    Case(
        "EDUV-CONF-CONS-007",
        "/notifications",
        lambda: [notification(11)],
        "none",
        401,
        None,
    ),
    Case(
        "EDUV-CONF-CONS-008",
        "/notifications",
        lambda: [notification(12)],
        "wrong",
        401,
        None,
    ),
)


@dataclass(frozen=True)
class Consumer:
    """The consumer under test: where it listens, a token it accepts, the version spoken."""

    http: SafeHttp
    url: str
    token: str
    version: str


ConsumerCheck = Callable[[Consumer], list[Result]]


def _case(case: Case) -> ConsumerCheck:
    def check(target: Consumer) -> list[Result]:
        return [_run_case(case, target)]

    return check


# Every consumer check is one case of CASES, sent and judged the same way.
CHECKS: dict[str, ConsumerCheck] = {case.check_id: _case(case) for case in CASES}


def run(state: SuiteState) -> list[Result]:
    target = state.cfg.consumer
    if not target.url or not target.token:
        note = Note("no-consumer")
        return [Result(check_id, Outcome.SKIP, note) for check_id in CHECKS]
    version = spec.resolve_version(API, target.version)[1]
    consumer = Consumer(state.session.http, target.url.rstrip("/"), target.token, version)
    results: list[Result] = []
    for check_id, check in CHECKS.items():
        state.say(check_id)
        results += guard(check_id, partial(check, consumer))
    return results


def _run_case(case: Case, target: Consumer) -> Result:
    http, url, token, version = target.http, target.url, target.token, target.version
    body = case.body()
    headers = {"API-Version": version, "Accept": "application/json"}
    if case.token != "none":
        headers["Authorization"] = f"Bearer {token if case.token == 'valid' else 'x' + token[::-1]}"
    answer = http.request("POST", url + case.path, headers=headers, json=body)
    tally = Tally(case.check_id)
    _judge(tally, case, body, answer, version)
    return tally.results()[0]


def _judge(tally: Tally, case: Case, body: Any, answer: Answer, version: str) -> None:
    operation = "post-notification" if case.path == "/notification" else "post-notifications"

    def problem(key: str, params: dict[str, Any], sent: Any = None, at: str = "") -> None:
        # A notification's objectId is stable from run to run (its own id is drawn anew),
        # so it names the finding.
        ident = sent.get("objectId") if isinstance(sent, dict) else None
        place = Where(operation, answer.exchange, "Notification" if ident else None, ident, "", at)
        tally.problem(API, version, key, params, where=place)

    if answer.status != case.http:
        problem("http", {"status": answer.status, "expected": case.http})
    if case.statuses is None:
        tally.ok(API, version)
        return
    try:
        got = answer.json()
    except ValueError:
        problem("not-json", {"status": answer.status})
        return
    expected = case.statuses(body)
    items = body if isinstance(body, list) else [body]
    answers = got if isinstance(body, list) else [got]
    if not isinstance(answers, list) or len(answers) != len(items):
        problem("count", {"sent": len(items)})
        return
    validator = spec.validator(API, version, "NotificationResponse")
    by_id = {a.get("id"): (i, a) for i, a in enumerate(answers) if isinstance(a, dict)}
    for sent, code in zip(items, expected, strict=True):
        index, response = by_id.get(sent.get("id"), (None, None))
        at = "" if index is None or not isinstance(body, list) else f"/{index}"
        if response is None or not validator.is_valid(response):
            problem("no-response", {"id": sent.get("objectId")}, sent, at)
        elif response.get("status") != code:
            params = {
                "id": sent.get("objectId"),
                "status": response.get("status"),
                "expected": code,
            }
            problem("status", params, sent, at + "/status")
        else:
            tally.ok(API, version)
