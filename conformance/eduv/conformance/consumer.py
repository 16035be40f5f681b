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
from eduv.conformance.model import Outcome, Result
from eduv.conformance.state import SuiteState, guard

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
        reason = "no consumer endpoint and token are configured ([consumer] url and token_env)"
        return [Result(check_id, Outcome.SKIP, reason) for check_id in CHECKS]
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
    problems = _judge(case, body, answer, version)
    if problems:
        return Result(
            case.check_id,
            Outcome.FAIL,
            "; ".join(problems),
            API,
            version,
            evidence=(answer.exchange,),
        )
    return Result(case.check_id, Outcome.PASS, f"HTTP {answer.status} as expected", API, version)


def _judge(case: Case, body: Any, answer: Answer, version: str) -> list[str]:
    problems = []
    if answer.status != case.http:
        problems.append(f"HTTP {answer.status}, expected {case.http}")
    if case.statuses is None:
        return problems
    try:
        got = answer.json()
    except ValueError:
        return [*problems, "the answer is not JSON"]
    return problems + _responses(case, body, got, version)


def _responses(case: Case, body: Any, got: Any, version: str) -> list[str]:
    assert case.statuses is not None
    expected = case.statuses(body)
    items = body if isinstance(body, list) else [body]
    answers = got if isinstance(body, list) else [got]
    if not isinstance(answers, list) or len(answers) != len(items):
        return [
            f"{len(items)} notification(s) sent, the answer does not hold one response for each"
        ]
    validator = spec.validator(API, version, "NotificationResponse")
    problems = []
    by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
    for sent, code in zip(items, expected, strict=True):
        answer = by_id.get(sent.get("id"))
        if answer is None or not validator.is_valid(answer):
            problems.append(f"no valid NotificationResponse for id {sent.get('id')}")
        elif answer.get("status") != code:
            problems.append(f"id {sent.get('id')}: status {answer.get('status')}, expected {code}")
    return problems
