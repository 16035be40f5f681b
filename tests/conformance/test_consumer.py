"""Consumer mode, proven against the SDK's notification receiver and three broken ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from eduv.conformance.config import Consumer, RunConfig
from eduv.conformance.consumer import CASES
from eduv.conformance.model import Outcome
from eduv.conformance.runner import run_suite
from eduv.notifications import NotificationReceiver, StaticTokens, read_body

TOKEN = "consumer-token-for-tests"


def sdk_receiver(handled: list[Any]) -> Any:
    return NotificationReceiver(
        handled.append, verifier=StaticTokens({TOKEN: {"eduv.association"}})
    )


def broken(answer: Callable[[dict[str, Any], Any], tuple[int, Any]]) -> Any:
    """A consumer that answers every POST with ``answer(headers, body)``."""

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        body = await read_body(receive) or b""
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        status, reply = answer(headers, orjson.loads(body) if body else None)
        out = orjson.dumps(reply)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": out})

    return app


def _all_ok(body: Any) -> Any:
    items = body if isinstance(body, list) else [body]
    answers = [{"id": n.get("id", ""), "status": 0} for n in items]
    return answers if isinstance(body, list) else answers[0]


def no_auth(_headers: dict[str, Any], body: Any) -> tuple[int, Any]:
    """Checks the schema but never the token."""
    items = body if isinstance(body, list) else [body]
    answers = [{"id": n.get("id", ""), "status": 11 if "objectType" not in n else 0} for n in items]
    if isinstance(body, list):
        return 200, answers
    return (400 if answers[0]["status"] else 200), answers[0]


def no_validation(headers: dict[str, Any], body: Any) -> tuple[int, Any]:
    """Checks the token but accepts anything as a notification."""
    if headers.get("authorization") != f"Bearer {TOKEN}":
        return 401, None
    return 200, _all_ok(body)


def one_answer_per_batch(headers: dict[str, Any], body: Any) -> tuple[int, Any]:
    """Answers a batch with a single response for the first notification only."""
    status, answers = no_validation(headers, body)
    if status == 200 and isinstance(body, list):
        return 200, answers[:1]
    if status == 200 and "objectType" not in body:
        return 400, {"id": body.get("id", ""), "status": 11}
    return status, answers


def run_against(url: str) -> dict[str, Outcome]:
    cfg = RunConfig(modes=("consumer",), consumer=Consumer(url=url, token=TOKEN))
    run = run_suite(cfg)
    return {r.check_id: r.outcome for r in run.results}


def test_the_sdk_receiver_passes_every_consumer_check(served) -> None:  # type: ignore[no-untyped-def]
    handled: list[Any] = []
    outcomes = run_against(served(sdk_receiver(handled)).url + "/edu-v")
    assert {k: v for k, v in outcomes.items() if k.startswith("EDUV-CONF-CONS-")} == {
        c.check_id: Outcome.PASS for c in CASES
    }
    # a notification receiver alone gives the chain's writing checks nothing to send to
    assert {v for k, v in outcomes.items() if k.startswith("EDUV-CONF-XCH-")} == {Outcome.SKIP}
    assert handled  # the valid notifications reached the handler


@pytest.mark.parametrize(
    ("consumer", "caught_by"),
    [
        (no_auth, {"EDUV-CONF-CONS-007", "EDUV-CONF-CONS-008"}),
        (no_validation, {"EDUV-CONF-CONS-003", "EDUV-CONF-CONS-004"}),
        (one_answer_per_batch, {"EDUV-CONF-CONS-002", "EDUV-CONF-CONS-004", "EDUV-CONF-CONS-005"}),
    ],
    ids=["no-token-check", "no-validation", "one-answer-per-batch"],
)
def test_each_broken_consumer_is_caught_by_the_right_checks(served, consumer, caught_by) -> None:  # type: ignore[no-untyped-def]
    outcomes = run_against(served(broken(consumer)).url)
    failed = {k for k, v in outcomes.items() if v is Outcome.FAIL}
    assert failed == caught_by


def test_without_a_consumer_the_mode_is_skipped_with_the_reason() -> None:
    run = run_suite(RunConfig(modes=("consumer",)))
    assert {r.outcome for r in run.results} == {Outcome.SKIP}
    assert run.results[0].note.key == "no-consumer"
