"""Type-checked by test_client_typing.py: every line marked ``# error`` must be refused."""

from __future__ import annotations

from typing import assert_type

from eduv.client import Client
from eduv.models.association_api import v1_1_0


def wrong_calls(client: Client) -> None:
    client.association().get_groups_for_school(orgIdType="BRIN")  # error
    older = client.association("t-1").get_groups_for_school(orgMasterId="104A158")
    assert_type(older, list[v1_1_0.Group])  # error
    client.association("9.9.9")  # error
    client.notifications().subscribe("sis-api")  # error
    client.association().get_group(orgMasterId="104A158")  # error
    client.association().get_groups_for_school(orgMasterId=104)  # error
