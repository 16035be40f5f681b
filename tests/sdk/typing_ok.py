"""Type-checked by test_client_typing.py: what the typed client promises to a checker."""

from __future__ import annotations

from typing import assert_type

from eduv.client import AsyncClient, Client
from eduv.models.association_api import v1_0_2, v1_1_0
from eduv.models.notifications_api import v0_9_1


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


async def async_calls(client: AsyncClient) -> None:
    groups = await client.association().get_groups_for_school(orgMasterId="104A158")
    assert_type(groups, list[v1_1_0.Group])
    period = await client.association("previous").get_school_period("2024-2025", orgMasterId="x")
    assert_type(period, v1_0_2.SchoolPeriod)
