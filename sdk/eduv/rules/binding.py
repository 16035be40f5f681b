"""Which function checks each rule of the catalogue.

The catalogue (``spec/rules/catalogue.json``) says what a rule means; this binding says
how it is checked: the message checks of :mod:`eduv.rules.messages` and of the chain's
message modules, the list checks on whole request bodies, the dataset checks of the
domain modules under :mod:`eduv.rules.dataset` (format 1) and the chain checks under
:mod:`eduv.rules.chain` (format 2), each listed in its module's ``CHECKS`` table. A
test keeps the binding and the catalogue one-to-one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from eduv.rules import messages
from eduv.rules.chain import (
    activations,
    deliveries,
    entitlements,
    exchanges,
    ordering,
    parties,
    people,
    products,
    reports,
)
from eduv.rules.chain.context import ChainCheck
from eduv.rules.dataset import (
    assignments,
    enrolments,
    groups,
    identifiers,
    offerings,
    organisations,
    periods,
)
from eduv.rules.hits import DatasetCheck, ListCheck, MessageCheck

Check = TypeVar("Check")


def _joined(*tables: Mapping[str, Check]) -> dict[str, Check]:
    joined: dict[str, Check] = {}
    for table in tables:
        twice = joined.keys() & table.keys()
        if twice:
            raise ValueError(f"rules bound twice: {', '.join(sorted(twice))}")
        joined.update(table)
    return joined


MESSAGE_CHECKS: Mapping[str, MessageCheck] = _joined(
    messages.CHECKS,
    products.CHECKS,
    exchanges.CHECKS,
    reports.CHECKS,
    parties.CHECKS,
)
LIST_CHECKS: Mapping[str, ListCheck] = parties.LIST_CHECKS
DATASET_CHECKS: Mapping[str, DatasetCheck] = _joined(
    periods.CHECKS,
    enrolments.CHECKS,
    assignments.CHECKS,
    groups.CHECKS,
    offerings.CHECKS,
    organisations.CHECKS,
    identifiers.CHECKS,
)
CHAIN_CHECKS: Mapping[str, ChainCheck] = _joined(
    ordering.CHECKS,
    deliveries.CHECKS,
    entitlements.CHECKS,
    activations.CHECKS,
    people.CHECKS,
)
