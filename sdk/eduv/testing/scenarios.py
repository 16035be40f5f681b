"""One scenario per expressible flexibility case.

A scenario adds its own pupils, groups and assignments to a draft (creating a school
when it needs one of a sector the draft lacks) and leaves what is already there as it
was, so scenarios combine freely. Cases the model cannot express (C2, C3) have none;
C5 is what every base school already does.
"""

from __future__ import annotations

from collections.abc import Callable

from eduv.testing.draft import DatasetDraft
from eduv.testing.scenarios_people import (
    group_changes,
    personal_routes,
    route_changes,
    several_organisations,
    several_roles,
    side_enrolments,
    single_subject,
    substitute,
    unplaced,
)
from eduv.testing.scenarios_school import (
    big_group,
    distinct_by_characteristic,
    distinct_by_target_group,
    free_periods,
    mixed_class,
    mixed_level_group,
    multi_subject_group,
    multi_year_unit,
    rio_units,
    several_boards,
    several_locations,
    shared_location,
    shared_subjects,
)

Scenario = Callable[[DatasetDraft], None]


SCENARIOS: dict[str, Scenario] = {
    "A1": personal_routes,
    "A2": single_subject,
    "A3": route_changes,
    "A4": group_changes,
    "A5": unplaced,
    "A6": side_enrolments,
    "B1": several_organisations,
    "B2": several_roles,
    "B3": substitute,
    "C1": rio_units,
    "C4": multi_year_unit,
    "C6": distinct_by_characteristic,
    "C7": shared_subjects,
    "C8": distinct_by_target_group,
    "D1": free_periods,
    "D2": big_group,
    "D3": mixed_class,
    "D4": multi_subject_group,
    "D5": mixed_level_group,
    "E1": several_boards,
    "E2": several_locations,
    "E3": shared_location,
    "E4": shared_location,
    "E5": several_locations,
}

# Which strategies of eduv.testing cover which flexibility case (read by the coverage
# matrix). C2 and C3 have none: the model cannot express them.
CASE_STRATEGIES: dict[str, tuple[str, ...]] = {
    "A1": ("personal_route_datasets",),
    "A2": ("single_subject_datasets", "personal_route_datasets"),
    "A3": ("route_change_datasets",),
    "A4": ("group_change_datasets",),
    "A5": ("unplaced_student_datasets", "school_datasets"),
    "A6": ("side_enrolment_datasets",),
    "B1": ("multi_organisation_staff_datasets",),
    "B2": ("multi_role_staff_datasets",),
    "B3": ("substitute_teacher_datasets",),
    "C1": ("rio_unit_datasets", "school_datasets"),
    "C4": ("multi_year_unit_datasets",),
    "C5": ("school_datasets",),
    "C6": ("characteristic_offering_datasets",),
    "C7": ("shared_subject_datasets",),
    "C8": ("target_group_offering_datasets",),
    "D1": ("free_period_datasets",),
    "D2": ("big_group_datasets",),
    "D3": ("mixed_year_class_datasets",),
    "D4": ("multi_subject_group_datasets",),
    "D5": ("mixed_level_group_datasets",),
    "E1": ("multi_board_school_datasets",),
    "E2": ("multi_location_school_datasets",),
    "E3": ("shared_location_datasets",),
    "E4": ("shared_location_datasets",),
    "E5": ("multi_location_school_datasets",),
}
