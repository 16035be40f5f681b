"""Generators of valid Edu-V datasets, for eduv's own tests and for vendors' tests.

This package is the home of every generator of test data: the hypothesis strategies
and seeded bulk generators of school datasets, with one scenario per flexibility case
(:mod:`.scenarios`), and the generators that later work adds (learning-materials
chains, a national corpus) belong here too, beside them.

The hypothesis strategies (``datasets``, ``school_datasets``, ``case_datasets`` and one
``*_datasets`` per flexibility case) need the ``testing`` extra
(``pip install eduv[testing]``); they load on first use. The seeded bulk generator
(:mod:`eduv.testing.bulk`) needs no hypothesis.
"""

from __future__ import annotations

import importlib
from typing import Any

_STRATEGIES = (
    "big_group_datasets",
    "case_datasets",
    "characteristic_offering_datasets",
    "datasets",
    "free_period_datasets",
    "group_change_datasets",
    "mixed_level_group_datasets",
    "mixed_year_class_datasets",
    "multi_board_school_datasets",
    "multi_location_school_datasets",
    "multi_organisation_staff_datasets",
    "multi_role_staff_datasets",
    "multi_subject_group_datasets",
    "multi_year_unit_datasets",
    "personal_route_datasets",
    "rio_unit_datasets",
    "route_change_datasets",
    "school_datasets",
    "shared_location_datasets",
    "shared_subject_datasets",
    "side_enrolment_datasets",
    "single_subject_datasets",
    "substitute_teacher_datasets",
    "target_group_offering_datasets",
    "unplaced_student_datasets",
)
_BULK = ("bulk_dataset", "write_bulk_dataset")
_PLAIN = ("CASE_STRATEGIES", "SCENARIOS")


def __getattr__(name: str) -> Any:
    if name in _STRATEGIES:
        module = importlib.import_module("eduv.testing.strategies")
    elif name in _BULK:
        module = importlib.import_module("eduv.testing.bulk")
    elif name in _PLAIN:
        module = importlib.import_module("eduv.testing.scenarios")
    else:
        raise AttributeError(f"module 'eduv.testing' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


__all__ = list(_STRATEGIES + _BULK + _PLAIN)
