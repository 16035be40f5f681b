"""Type-checked by test_client_typing.py: what the typed client promises to a checker."""

from __future__ import annotations

import datetime
from typing import Literal, assert_type

from eduv.client import AsyncClient, Client, ClientSecret, RawResponse
from eduv.models.association_api import v1_0_2, v1_1_0
from eduv.models.notifications_api import v0_9_1
from eduv.models.students_api import v1_1_0 as students
from eduv.models.types import UnknownValue


def sync_calls(client: Client) -> None:
    groups = client.association().get_groups_for_school(orgMasterId="104A158")
    assert_type(groups, list[v1_1_0.Group])
    older = client.association("t-1").get_groups_for_school(orgMasterId="104A158")
    assert_type(older, list[v1_0_2.Group])
    one = client.association("1.0.2").get_group("g1", orgId="09QQ", orgIdType="OIE_CODE")
    assert_type(one, v1_0_2.Group)
    assert_type(client.notifications().subscribe("association-api"), None)
    missed = client.notifications().get_notifications(since="2024-09-01T00:00:00Z")
    assert_type(missed, list[v0_9_1.Notification])


def options_and_raw_responses(client: Client) -> None:
    tuned = client.with_options(max_retries=0, timeout=5.0, scopes=["eduv.student.demographics"])
    assert_type(tuned, Client)
    pupils = tuned.students().get_students_for_school(
        orgMasterId="104A158", timeout=2.0, extra_headers={"X-Trace": "1"}, scopes=[]
    )
    assert_type(pupils, list[students.Student])
    raw = client.students().with_raw_response.get_students_for_school(orgMasterId="104A158")
    assert_type(raw, RawResponse[list[students.Student]])
    assert_type(raw.parse(), list[students.Student])
    assert_type(raw.status_code, int)
    assert_type(raw.api_version, str | None)


def honest_model_types(pupil: students.Student) -> str:
    assert_type(pupil.givenName, str)
    assert_type(pupil.dateOfBirth, datetime.date | None)
    assert_type(pupil.dateCreated, datetime.datetime)
    gender = pupil.gender
    assert_type(gender, Literal["female", "male", "other", "unspecified"] | UnknownValue | None)
    match gender:
        case UnknownValue():
            return f"unlisted: {gender}"
        case "female" | "male" | "other" | "unspecified":
            return gender
        case None:
            return "not given"


def credentials() -> ClientSecret:
    return ClientSecret(client_id="dev", client_secret="s", token_url="https://a.test/token")


async def async_calls(client: AsyncClient) -> None:
    groups = await client.association().get_groups_for_school(orgMasterId="104A158")
    assert_type(groups, list[v1_1_0.Group])
    period = await client.association("previous").get_school_period("2024-2025", orgMasterId="x")
    assert_type(period, v1_0_2.SchoolPeriod)
    raw = await client.association().with_raw_response.get_group("g1", orgMasterId="x")
    assert_type(raw, RawResponse[v1_1_0.Group])
