"""EDUV-CONF-PARAM-001 builds, for every rule between the parameters of a school list, a
request that breaks that rule alone; the provider publishes the same rules."""

from __future__ import annotations

import orjson
import pytest

from eduv import spec
from eduv.conformance.config import OBSERVED_APIS
from eduv.conformance.observe.parameters import violations
from eduv.conformance.reads import allowed, school_params
from eduv.params import parameter_rules
from eduv.provider.documents import RULES_EXTENSION, served_openapi

LISTS = [
    op
    for api in OBSERVED_APIS
    for version in spec.versions(api)
    for op in spec.operations(api, version)
    if allowed(op) and "path" not in op.parameter_in.values() and parameter_rules(op)
]


def test_the_school_lists_of_every_observed_family_have_rules() -> None:
    apis = {op.api for op in LISTS}
    assert {"students-api", "employees-api", "association-api", "education-api"} <= apis


@pytest.mark.parametrize("op", LISTS, ids=lambda op: f"{op.api}-{op.version}-{op.operation_id}")
def test_every_rule_gets_a_request_that_breaks_it_alone(op: spec.Operation) -> None:
    base = school_params(op, "100A000") or {"orgMasterId": "100A000"}
    found = violations(op, base)
    rules = parameter_rules(op)
    assert [rule for rule, _ in found] == rules
    full = spec.validator(op.api, op.version, op.parameters)
    assert full.is_valid(base)
    for _, params in found:
        assert not full.is_valid(params)


def test_the_provider_publishes_the_rules_the_suite_breaks() -> None:
    doc = orjson.loads(served_openapi("students-api", spec.api("students-api").current))
    published = [
        op[RULES_EXTENSION]["allOf"]
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == "get-students-for-school"
    ]
    op = spec.operation("students-api", None, "get-students-for-school")
    assert published == [parameter_rules(op)]
