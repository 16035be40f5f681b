"""Notifications 0.9.1, source side: subscribe, delivery from the outbox, and GET."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from eduv import spec
from eduv.dataset.model import Dataset
from tests.provider.harness import Provider, Receiver, client, config, running

CALLBACK_TOKEN = "callback-token"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.start()
    yield found
    found.stop()


def _config(receiver: Receiver, dataset: Dataset) -> Any:
    callback = {
        "callbackUrl": receiver.served.url if receiver.served else "",
        "auth": {"type": "bearer", "token": CALLBACK_TOKEN},
    }
    return config(
        [
            client("full"),
            client("subscriber", notifications=callback),
            client(
                "one-school",
                consents=[{"school": dataset.schools[1].key}],
                notifications=callback,
            ),
        ]
    )


def _group_changes(dataset: Dataset, school_index: int, suffix: str) -> list[dict[str, Any]]:
    school = dataset.schools[school_index]
    group = copy.deepcopy(school.groups[0])
    group["groupId"] = f"7d0e7e57-0000-4000-8000-{suffix:0>12}"
    return [
        {"op": "add", "collection": "groups", "school": school.key, "object": group},
        {
            "op": "update",
            "collection": "groups",
            "school": school.key,
            "object": {**group, "groupName": "x"},
        },
        {"op": "delete", "collection": "groups", "school": school.key, "id": group["groupId"]},
    ]


def _subscribe(provider: Provider, client_id: str, api: str = "association-api") -> int:
    with provider.http(provider.token(client_id)) as http:
        return http.post(f"/notifications-api/v0/subscribe/{api}").status_code


def _change(provider: Provider, changes: list[dict[str, Any]]) -> None:
    with provider.provisioning() as http:
        answer = http.post("/provisioning/changes", json={"changes": changes})
    assert answer.status_code == 200, answer.text


def test_subscribe_needs_a_registered_callback_and_a_scope(
    sqlite_engine: Engine, dataset: Dataset, receiver: Receiver
) -> None:
    with running(
        sqlite_engine, _config(receiver, dataset), dataset=dataset, deliver=False
    ) as provider:
        assert _subscribe(provider, "subscriber") == 200
        assert _subscribe(provider, "subscriber") == 200  # again: still one subscription
        assert _subscribe(provider, "full") == 400  # no callback registered
        assert _subscribe(provider, "subscriber", "catalogue-api") == 400
        with provider.http(provider.token("subscriber", scope="eduv.education")) as http:
            answer = http.post("/notifications-api/v0/subscribe/association-api")
    assert answer.status_code == 403 and answer.json()["status"] == 21


def test_delivery_in_order_batched_per_school(
    engine: Engine, dataset: Dataset, receiver: Receiver
) -> None:
    with running(engine, _config(receiver, dataset), dataset=dataset) as provider:
        assert _subscribe(provider, "subscriber") == 200
        _change(provider, _group_changes(dataset, 0, "a") + _group_changes(dataset, 1, "b"))
        receiver.wait_for(lambda found: len(found) >= 6)
        # A second round, after the worker has found everything delivered.
        _change(provider, _group_changes(dataset, 1, "h"))
        got = receiver.wait_for(lambda found: len(found) >= 9)
    assert len(got) == 9
    for batch in receiver.batches:
        assert len({n["school"]["organisationMasterIdentifier"] for n in batch}) == 1
        assert [n["created"] for n in batch] == sorted(n["created"] for n in batch)
    per_object: dict[str, list[dict[str, Any]]] = {}
    for note in got:
        per_object.setdefault(note["objectId"], []).append(note)
    for notes in per_object.values():
        assert [n["isDeleteNotification"] for n in notes] == [False, False, True]
    assert len(per_object) == 3
    validator = spec.validator("notifications-api", "0.9.1", "Notification")
    assert all(validator.is_valid(n) for n in got)
    assert all(h["authorization"] == f"Bearer {CALLBACK_TOKEN}" for h in receiver.headers)
    assert all(n["url"].startswith(provider.url) for n in got)


def test_failed_deliveries_are_retried(
    sqlite_engine: Engine, dataset: Dataset, receiver: Receiver
) -> None:
    receiver.fail_next = 2
    with running(sqlite_engine, _config(receiver, dataset), dataset=dataset) as provider:
        assert _subscribe(provider, "subscriber") == 200
        _change(provider, _group_changes(dataset, 0, "c"))
        got = receiver.wait_for(lambda found: len(found) >= 3)
        with provider.provisioning() as http:
            state = http.get("/provisioning/deliveries").json()
    assert receiver.fail_next == 0
    assert [n["isDeleteNotification"] for n in got] == [False, False, True]
    cursor = next(c for c in state["cursors"] if c["client"] == "subscriber")
    assert cursor["attempts"] == 0 and cursor["lastError"] is None


def test_only_schools_with_consent_are_delivered(
    sqlite_engine: Engine, dataset: Dataset, receiver: Receiver
) -> None:
    with running(sqlite_engine, _config(receiver, dataset), dataset=dataset) as provider:
        assert _subscribe(provider, "one-school") == 200
        _change(provider, _group_changes(dataset, 0, "d") + _group_changes(dataset, 1, "e"))
        got = receiver.wait_for(lambda found: len(found) >= 3)
        # The school without consent has its own queue; it stays undelivered.
        with provider.provisioning() as http:
            outbox = http.get("/provisioning/outbox").json()
    assert {n["school"]["organisationMasterIdentifier"] for n in got} == {dataset.schools[1].key}
    assert any(e["school"] == dataset.schools[0].key for e in outbox)


def test_get_notifications(sqlite_engine: Engine, dataset: Dataset, receiver: Receiver) -> None:
    with running(
        sqlite_engine, _config(receiver, dataset), dataset=dataset, deliver=False
    ) as provider:
        with provider.http(provider.token("full")) as http:
            loaded = http.get("/notifications-api/v0/notifications").json()
        since = loaded[-1]["created"]
        _change(provider, _group_changes(dataset, 0, "f") + _group_changes(dataset, 1, "g"))
        with provider.http(provider.token("full")) as http:
            later = http.get("/notifications-api/v0/notifications", params={"since": since})
            groups = http.get(
                "/notifications-api/v0/notifications",
                params={"since": since, "objectType": "Group"},
            )
            students = http.get(
                "/notifications-api/v0/notifications",
                params={"since": since, "objectType": "Student"},
            )
            bad = http.get("/notifications-api/v0/notifications", params={"since": "yesterday"})
        with provider.http(provider.token("one-school")) as http:
            limited = http.get("/notifications-api/v0/notifications", params={"since": since})
    assert {n["notificationType"] for n in loaded} == {"bulk"}
    assert len(later.json()) == 6 and len(groups.json()) == 6 and students.json() == []
    assert [n["created"] for n in later.json()] == sorted(n["created"] for n in later.json())
    assert len(limited.json()) == 3
    assert bad.status_code == 400 and bad.json()["status"] == 11


def _outbox_row(seq_hint: int, created: str) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{seq_hint:012d}",
        "school_key": "104A158",
        "api": "association-api",
        "object_type": "Group",
        "object_id": f"group-{seq_hint}",
        "is_delete": False,
        "created": created,
        "doc": "{}",
    }


def test_notifications_past_the_retention_period_are_removed(engine: Engine) -> None:
    import datetime as dt

    from sqlalchemy import insert, select

    from eduv.provider import outbox, schema
    from eduv.provider.db import precise, reading, writing
    from eduv.provider.delivery import DeliveryWorker
    from eduv.provider.faults import Faults

    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    ages = [30, 9, 7.01, 6.99, 1]  # days before now, oldest first
    with writing(engine) as conn:
        rows = [_outbox_row(i, precise(now - dt.timedelta(days=a))) for i, a in enumerate(ages)]
        conn.execute(insert(schema.outbox), rows)
    worker = DeliveryWorker(engine, config([], delivery={"retentionDays": 7}), Faults(), "")

    def remaining() -> list[str]:
        with reading(engine) as conn:
            found = select(schema.outbox.c.object_id).order_by(schema.outbox.c.seq)
            return [str(x) for x in conn.execute(found).scalars()]

    assert worker.prune(now) == 3
    assert remaining() == ["group-3", "group-4"]
    assert worker.prune(now) == 0
    with reading(engine) as conn:
        newest = outbox.last_seq(conn)
    # Everything is past retention a year on, yet the newest entry stays, so that the
    # next notification still gets a higher sequence number than any cursor holds.
    assert worker.prune(now + dt.timedelta(days=365)) == 1
    assert remaining() == ["group-4"]
    with writing(engine) as conn:
        conn.execute(insert(schema.outbox), [_outbox_row(9, precise(now))])
    with reading(engine) as conn:
        assert outbox.last_seq(conn) > newest
