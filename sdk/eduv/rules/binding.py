"""Which function checks each rule of the catalogue.

The catalogue (``spec/rules/catalogue.json``) says what a rule means; this binding says
how it is checked: the message checks of :mod:`eduv.rules.messages` and the dataset
checks of the domain modules under :mod:`eduv.rules.dataset`, each listed in its
module's ``CHECKS`` table. A test keeps the binding and the catalogue one-to-one.
"""

from __future__ import annotations

from collections.abc import Mapping

from eduv.rules import messages
from eduv.rules.dataset import (
    assignments,
    enrolments,
    groups,
    offerings,
    organisations,
    periods,
)
from eduv.rules.hits import DatasetCheck, MessageCheck


def _joined(*tables: Mapping[str, DatasetCheck]) -> dict[str, DatasetCheck]:
    joined: dict[str, DatasetCheck] = {}
    for table in tables:
        twice = joined.keys() & table.keys()
        if twice:
            raise ValueError(f"rules bound twice: {', '.join(sorted(twice))}")
        joined.update(table)
    return joined


MESSAGE_CHECKS: Mapping[str, MessageCheck] = messages.CHECKS
DATASET_CHECKS: Mapping[str, DatasetCheck] = _joined(
    periods.CHECKS,
    enrolments.CHECKS,
    assignments.CHECKS,
    groups.CHECKS,
    offerings.CHECKS,
    organisations.CHECKS,
)
