"""Type-checked by test_client_typing.py: every line marked ``# error`` must be refused."""

from __future__ import annotations

from typing import assert_never, assert_type

from eduv.client import Client, ClientSecret
from eduv.models.association_api import v1_1_0
from eduv.models.students_api import v1_1_0 as students


def wrong_calls(client: Client) -> None:
    client.association().get_groups_for_school(orgIdType="BRIN")  # error
    older = client.association("t-1").get_groups_for_school(orgMasterId="104A158")
    assert_type(older, list[v1_1_0.Group])  # error
    client.association("9.9.9")  # error
    client.notifications().subscribe("sis-api")  # error
    client.association().get_group(orgMasterId="104A158")  # error
    client.association().get_groups_for_school(orgMasterId=104)  # error
    client.association().get_groups_for_school(orgMasterId="x", timeout="5")  # error
    client.association().get_groups_for_school(orgMasterId="x", extra_headers=1)  # error
    client.with_options(max_retries="2")  # error


def unknown_values_must_be_handled(pupil: students.Student) -> str:
    match pupil.gender:
        case "female" | "male" | "other" | "unspecified" | None:
            return "listed"
        case _:
            assert_never(pupil.gender)  # error


def missing_fields_are_not_promised(pupil: students.Student) -> str:
    return pupil.dateOfBirth.isoformat()  # error


def credentials_need_their_names() -> ClientSecret:
    return ClientSecret(client_id="dev", token_url="https://a.test/token")  # error
