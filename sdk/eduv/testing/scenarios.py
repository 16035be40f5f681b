"""One scenario per expressible flexibility case.

A scenario adds its own pupils, groups and assignments to a draft (creating a school
when it needs one of a sector the draft lacks) and leaves what is already there as it
was, so scenarios combine freely. Cases the model cannot express (C2, C3) have none;
C5 is what every base school already does.
"""

from __future__ import annotations

from collections.abc import Callable

from eduv.dataset.model import JsonObject
from eduv.testing.chooser import pick
from eduv.testing.draft import DatasetDraft, SchoolDraft
from eduv.testing.schools import (
    add_class,
    lesson_group,
    new_school,
    vo_offering,
    vo_subject,
)
from eduv.testing.vocab import (
    LOCATION_KINDS,
    LOOSE_SUBJECTS,
    STUDY_CHARACTERISTICS,
    SUBJECTS,
    TARGET_GROUPS,
    VO_LEVELS,
)

Scenario = Callable[[DatasetDraft], None]
Span = tuple[str, str]


# --- helpers -----------------------------------------------------------------------


def school_of(
    draft: DatasetDraft, sector: str, other_than: SchoolDraft | None = None
) -> SchoolDraft:
    """A school of the sector, created when the draft has none (besides ``other_than``)."""
    for school in draft.schools:
        if school.sector == sector and school is not other_than and not school.reserved:
            return school
    return new_school(draft, sector)


def po_offering(draft: DatasetDraft, school: SchoolDraft, year: int) -> JsonObject:
    found = school.study.get(("groep", year))
    if found is not None:
        return found
    codes = [o["studyCode"] for o in school.school.studyOfferings if "studyCode" in o]
    code = codes[0] if codes else draft.ids.opleidingseenheid()
    offering = draft.add_study_offering(school, "groep", year, code, 1000 + year)
    school.study[("groep", year)] = offering
    return offering


def level(name: str) -> tuple[str, int, int, str, str, int]:
    return next(lv for lv in VO_LEVELS if lv[0] == name)


def pupil(
    draft: DatasetDraft,
    school: SchoolDraft,
    offering: JsonObject,
    span: Span | None = None,
    location: JsonObject | None = None,
) -> JsonObject:
    """A new pupil enrolled in ``offering``; returns the student reference."""
    cal = draft.calendar
    year = offering.get("studyYear", 4)
    born = cal.year - year - (4 if school.sector == "PO" else 11)
    ref = draft.add_student(school, born)
    where = location or pick(draft.chooser, school.locations)
    draft.enroll_study(school, ref, offering, span or (cal.start, cal.end), where)
    return ref


def pupils(
    draft: DatasetDraft, school: SchoolDraft, offering: JsonObject, low: int = 1, high: int = 3
) -> list[JsonObject]:
    return [pupil(draft, school, offering) for _ in range(draft.chooser.integer(low, high))]


def whole_year(draft: DatasetDraft) -> Span:
    return draft.calendar.start, draft.calendar.end


def teacher_for(draft: DatasetDraft, school: SchoolDraft) -> JsonObject:
    return draft.add_employee(school, "leraar")


def subject_group(
    draft: DatasetDraft,
    school: SchoolDraft,
    members: list[JsonObject],
    subject: JsonObject,
    enrol: bool = True,
) -> JsonObject:
    """A lesson group for one subject, with subject enrolments for its members."""
    span = whole_year(draft)
    if enrol:
        for ref in members:
            draft.enroll_subject(school, ref, subject, span)
    name = f"{subject['subjectOfferingAbbr']}-{draft.number()}"
    return lesson_group(draft, school, name, members, subject, teacher_for(draft, school))


def vo_pair(draft: DatasetDraft, school: SchoolDraft, year: int) -> tuple[JsonObject, JsonObject]:
    """havo and vwo offerings of one year (created when missing)."""
    return vo_offering(draft, school, level("havo"), year), vo_offering(
        draft, school, level("vwo"), year
    )


# --- students ----------------------------------------------------------------------


def personal_routes(draft: DatasetDraft) -> None:
    """A1: PO and VO at once; a subject at a higher level; a subject in a higher year."""
    po, vo = school_of(draft, "PO"), school_of(draft, "VO")
    both = pupil(draft, po, po_offering(draft, po, 8))
    add_class(draft, po, f"groep 8 plus {draft.number()}", [both], [po_offering(draft, po, 8)])
    subject = vo_subject(draft, vo, "vwo", 1, *SUBJECTS[2])
    subject_group(draft, vo, [both], subject)

    havo3, _ = vo_pair(draft, vo, 3)
    higher_level = pupil(draft, vo, havo3)
    higher_year = pupil(draft, vo, havo3)
    add_class(draft, vo, f"3H-route-{draft.number()}", [higher_level, higher_year], [havo3])
    vo_offering(draft, vo, level("havo"), 4)
    subject_group(draft, vo, [higher_level], vo_subject(draft, vo, "vwo", 3, *SUBJECTS[1]))
    subject_group(draft, vo, [higher_year], vo_subject(draft, vo, "havo", 4, *SUBJECTS[0]))


def single_subject(draft: DatasetDraft) -> None:
    """A2: a pupil whose only enrolment at one school is for a single subject."""
    home = school_of(draft, "VO")
    elsewhere = school_of(draft, "VO", other_than=home)
    offering = vo_offering(draft, home, level("havo"), 2)
    ref = pupil(draft, home, offering)
    add_class(draft, home, f"2H-{draft.number()}", [ref], [offering])
    subject = draft.add_subject_offering(elsewhere, "Chinees", "zh", [])
    subject_group(draft, elsewhere, [ref], subject)


def _moves(
    draft: DatasetDraft,
    school: SchoolDraft,
    source: JsonObject,
    target: JsonObject,
    change_study: bool,
) -> None:
    """One pupil moves from a class of ``source`` to a class of ``target`` mid-year.

    Group membership has no dates, so each class is split at the change day into two
    Group objects; each part gets its own class teacher assignment.
    """
    cal = draft.calendar
    day = pick(draft.chooser, cal.change_days())
    before, after = (cal.start, day), (day, cal.end)
    stay_a, stay_b = pupils(draft, school, source), pupils(draft, school, target)
    ref = draft.add_student(school, cal.year - 12)
    location = pick(draft.chooser, school.locations)
    if change_study:
        draft.enroll_study(school, ref, source, before, location)
        draft.enroll_study(school, ref, target, after, location)
    else:
        draft.enroll_study(school, ref, source, whole_year(draft), location)
    tag = draft.number()
    teacher_a, teacher_b = teacher_for(draft, school), teacher_for(draft, school)
    add_class(draft, school, f"A{tag}", [*stay_a, ref], [source], before, teacher_a)
    add_class(draft, school, f"A{tag}", stay_a, [source], after, teacher_a)
    add_class(draft, school, f"B{tag}", stay_b, [target], before, teacher_b)
    add_class(draft, school, f"B{tag}", [*stay_b, ref], [target], after, teacher_b)
    late = draft.add_student(school, cal.year - 12)
    draft.enroll_study(school, late, target, after, location)
    school.classes[-1]["students"].append(dict(late))


def route_changes(draft: DatasetDraft) -> None:
    """A3: routes that start or stop mid-year, moving up or down a year or a level."""
    school = school_of(draft, pick(draft.chooser, ("PO", "VO")))
    if school.sector == "PO":
        year = draft.chooser.integer(3, 7)
        source, target = po_offering(draft, school, year), po_offering(draft, school, year + 1)
    else:
        havo2, vwo2 = vo_pair(draft, school, 2)
        source, target = (havo2, vwo2) if draft.chooser.chance(50) else (vwo2, havo2)
    if draft.chooser.chance(50):
        source, target = target, source
    _moves(draft, school, source, target, change_study=True)


def group_changes(draft: DatasetDraft) -> None:
    """A4: a pupil changes class mid-year within the same year and level."""
    school = school_of(draft, pick(draft.chooser, ("PO", "VO")))
    offering = (
        po_offering(draft, school, 5)
        if school.sector == "PO"
        else vo_offering(draft, school, level("havo"), 1)
    )
    _moves(draft, school, offering, offering, change_study=False)


def unplaced(draft: DatasetDraft) -> None:
    """A5: a new pupil who is enrolled but not yet placed in a class."""
    school = school_of(draft, pick(draft.chooser, ("PO", "VO")))
    offering = (
        po_offering(draft, school, 1)
        if school.sector == "PO"
        else vo_offering(draft, school, level("vmbo-tl"), 1)
    )
    pupil(
        draft,
        school,
        offering,
        (pick(draft.chooser, draft.calendar.change_days()), draft.calendar.end),
    )


def second_location(draft: DatasetDraft, school: SchoolDraft) -> JsonObject:
    if len(school.locations) < 2:
        name = f"{school.school.organisation['name']}, {LOCATION_KINDS[2]}"
        school.locations.append(draft.location(name))
    return school.locations[1]


def side_enrolments(draft: DatasetDraft) -> None:
    """A6: a main enrolment at one location plus side enrolments elsewhere."""
    school = school_of(draft, "VO")
    main_location, side_location = school.locations[0], second_location(draft, school)
    offering = vo_offering(draft, school, level("havo"), 4)
    ref = pupil(draft, school, offering, location=main_location)
    add_class(draft, school, f"4H-{draft.number()}", [ref], [offering])
    subject = vo_subject(draft, school, "havo", 4, *SUBJECTS[5])
    draft.enroll_subject(school, ref, subject, whole_year(draft), side_location)
    subject_group(draft, school, [ref], subject, enrol=False)
    other = school_of(draft, "VO", other_than=school)
    elsewhere = draft.add_subject_offering(other, "Latijn", "la", [])
    draft.enroll_subject(other, ref, elsewhere, whole_year(draft), other.locations[0])
    subject_group(draft, other, [ref], elsewhere, enrol=False)


# --- staff -------------------------------------------------------------------------


def several_organisations(draft: DatasetDraft) -> None:
    """B1: one person with roles at several organisations, one of them outside."""
    home = school_of(draft, "PO")
    other = school_of(draft, "VO")
    ref = draft.add_employee(home, "leraar")
    employee = home.staff[-1]
    employee["organisationRoles"].append(draft.role(other, "mentor"))
    outside = {"organisationMasterIdentifier": draft.ids.rio("A")}
    employee["organisationRoles"].append(
        {
            "organisation": outside,
            "organisationRole": "begeleider",
            "beginDate": draft.calendar.start,
        }
    )
    other.staff.append(employee)
    offering = vo_offering(draft, other, level("vwo"), 1)
    add_class(
        draft,
        other,
        f"1V-{draft.number()}",
        pupils(draft, other, offering),
        [offering],
        teacher=ref,
    )
    home_offering = po_offering(draft, home, 6)
    add_class(
        draft,
        home,
        f"groep 6-{draft.number()}",
        pupils(draft, home, home_offering),
        [home_offering],
        teacher=ref,
    )


def several_roles(draft: DatasetDraft) -> None:
    """B2: one teacher in several classes and lesson groups, in different roles."""
    school = school_of(draft, "VO")
    ref = teacher_for(draft, school)
    offering = vo_offering(draft, school, level("havo"), 1)
    span = whole_year(draft)
    for _ in range(2):
        add_class(
            draft,
            school,
            f"1H-{draft.number()}",
            pupils(draft, school, offering),
            [offering],
            teacher=ref,
        )
    subject = vo_subject(draft, school, "havo", 1, *SUBJECTS[3])
    for _ in range(2):
        group = draft.add_group(
            school,
            "lesson-group",
            f"gs-{draft.number()}",
            pupils(draft, school, offering),
            span,
            subjects=[subject],
        )
        draft.assign(school, ref, "teacher", span, group=group, subject=subject)


def substitute(draft: DatasetDraft) -> None:
    """B3: a substitute assigned to a group for a few weeks."""
    school = school_of(draft, "VO")
    offering = vo_offering(draft, school, level("vwo"), 2)
    subject = vo_subject(draft, school, "vwo", 2, *SUBJECTS[4])
    group = subject_group(draft, school, pupils(draft, school, offering), subject, enrol=False)
    cal = draft.calendar
    days = cal.change_days()
    begin = pick(draft.chooser, days[:2])
    end = days[days.index(begin) + 1]
    ref = draft.add_employee(school, "leraar")
    school.staff[-1]["organisationRoles"][0]["organisationRole"] = "invalkracht"
    draft.assign(school, ref, "teacher", (begin, end), group=group, subject=subject)


# --- offering ----------------------------------------------------------------------


def rio_units(draft: DatasetDraft) -> None:
    """C1: PO offerings carry a RIO opleidingseenheidcode, VO ones an erkende code."""
    for sector in ("PO", "VO"):
        school = school_of(draft, sector)
        offering = (
            po_offering(draft, school, 2)
            if sector == "PO"
            else vo_offering(draft, school, level("vmbo-tl"), 2)
        )
        add_class(
            draft, school, f"rio-{draft.number()}", pupils(draft, school, offering), [offering]
        )


def multi_year_unit(draft: DatasetDraft) -> None:
    """C4: one offering for a unit of several years; enrolments give the year."""
    school = school_of(draft, "VO")
    unit = draft.add_study_offering(school, "vwo", None, "0170", 4504, name="vwo bovenbouw")
    for year in (4, 5, 6):
        members = []
        for _ in range(draft.chooser.integer(1, 2)):
            ref = draft.add_student(school, draft.calendar.year - year - 11)
            draft.enroll_study(school, ref, unit, whole_year(draft), school.locations[0], year)
            members.append(ref)
        add_class(draft, school, f"{year}V-bb-{draft.number()}", members, [unit])


def _twin_offerings(draft: DatasetDraft, marks: tuple[str, ...]) -> None:
    school = school_of(draft, "VO")
    plain = vo_offering(draft, school, level("havo"), 1)
    twin = draft.add_study_offering(
        school,
        "havo",
        1,
        plain["studyCode"],
        4201,
        characteristics=marks,
        name=f"havo 1 {marks[0]}",
    )
    for offering in (plain, twin):
        add_class(
            draft, school, f"1H-{draft.number()}", pupils(draft, school, offering), [offering]
        )


def distinct_by_characteristic(draft: DatasetDraft) -> None:
    """C6: the same unit offered twice, once with a characteristic (e.g. accelerated)."""
    _twin_offerings(draft, (pick(draft.chooser, STUDY_CHARACTERISTICS),))


def distinct_by_target_group(draft: DatasetDraft) -> None:
    """C8: the same unit offered twice, once for a target group (as a characteristic)."""
    _twin_offerings(draft, (pick(draft.chooser, TARGET_GROUPS),))


def shared_subjects(draft: DatasetDraft) -> None:
    """C7: a subject for several years of several units, and one for none."""
    school = school_of(draft, "VO")
    studies = [vo_offering(draft, school, level(n), y) for n in ("havo", "vwo") for y in (1, 2)]
    name, abbr = SUBJECTS[-1]
    shared = draft.add_subject_offering(school, f"{name} onderbouw", abbr, studies)
    members = [pupil(draft, school, s) for s in studies]
    subject_group(draft, school, members, shared)
    loose = draft.add_subject_offering(school, *pick(draft.chooser, LOOSE_SUBJECTS), [])
    subject_group(draft, school, members[:2], loose)


# --- logistics ---------------------------------------------------------------------


def free_periods(draft: DatasetDraft) -> None:
    """D1: a school without school years, whose groups change with every term."""
    school = new_school(draft, "PO")
    school.school.schoolPeriods.clear()
    school.reserved = True  # it has no school year, so other scenarios must not use it
    cal = draft.calendar
    terms = [draft.add_period(school, draft.ids.uuid(), "term", span) for span in cal.terms()]
    draft.add_period(school, draft.ids.uuid(), "gradingPeriod", cal.terms()[0], terms[0])
    offering = po_offering(draft, school, 4)
    people = [draft.add_student(school, cal.year - 8) for _ in range(draft.chooser.integer(2, 4))]
    teacher = teacher_for(draft, school)
    for index, term in enumerate(terms):
        span = (term["startDate"], term["endDate"])
        period = term["schoolPeriodId"]
        for ref in people:
            draft.enroll_study(school, ref, offering, span, school.locations[0], period=period)
        # Another composition every term: rotate who is in which of two classes.
        shift = index % len(people)
        order = people[shift:] + people[:shift]
        half = max(1, len(order) // 2)
        for name, members in (("4a", order[:half]), ("4b", order[half:])):
            group = draft.add_group(
                school,
                "class",
                f"groep {name} t{index + 1}",
                members,
                span,
                studies=[offering],
                period=period,
            )
            draft.assign(school, teacher, "class-teacher", span, group=group)


def big_group(draft: DatasetDraft) -> None:
    """D2: a lesson group without a size limit (a whole year at once)."""
    school = school_of(draft, "VO")
    offering = vo_offering(draft, school, level("havo"), 3)
    members = pupils(draft, school, offering, 8, 40)
    add_class(draft, school, f"3H-groot-{draft.number()}", members, [offering])
    subject_group(
        draft, school, members, vo_subject(draft, school, "havo", 3, *SUBJECTS[-1]), enrol=False
    )


def mixed_class(draft: DatasetDraft) -> None:
    """D3: a class mixing studies and years (groep 1/2, or a havo/vwo first year)."""
    school = school_of(draft, pick(draft.chooser, ("PO", "VO")))
    if school.sector == "PO":
        studies = [po_offering(draft, school, 1), po_offering(draft, school, 2)]
        name = "groep 1/2"
    else:
        studies = list(vo_pair(draft, school, 1))
        name = "brugklas havo/vwo"
    members = [ref for s in studies for ref in pupils(draft, school, s)]
    add_class(draft, school, f"{name} {draft.number()}", members, studies)


def multi_subject_group(draft: DatasetDraft) -> None:
    """D4: a lesson group for several subjects at several levels."""
    school = school_of(draft, "VO")
    havo4, vwo4 = vo_pair(draft, school, 4)
    first = vo_subject(draft, school, "havo", 4, *SUBJECTS[8])
    second = vo_subject(draft, school, "vwo", 4, *SUBJECTS[9])
    members = pupils(draft, school, havo4) + pupils(draft, school, vwo4)
    span = whole_year(draft)
    group = draft.add_group(
        school, "lesson-group", f"NT-{draft.number()}", members, span, subjects=[first, second]
    )
    ref = teacher_for(draft, school)
    for subject in (first, second):
        draft.assign(school, ref, "teacher", span, group=group, subject=subject)


def mixed_level_group(draft: DatasetDraft) -> None:
    """D5: one lesson group whose members take the subject at different levels."""
    school = school_of(draft, "VO")
    havo5, vwo5 = vo_pair(draft, school, 5)
    by_level = [
        (vo_subject(draft, school, n, 5, *SUBJECTS[2]), o)
        for n, o in (("havo", havo5), ("vwo", vwo5))
    ]
    span = whole_year(draft)
    members: list[JsonObject] = []
    for subject, offering in by_level:
        for ref in pupils(draft, school, offering):
            draft.enroll_subject(school, ref, subject, span)
            members.append(ref)
    subjects = [s for s, _ in by_level]
    group = draft.add_group(
        school, "lesson-group", f"wi-mix-{draft.number()}", members, span, subjects=subjects
    )
    ref = teacher_for(draft, school)
    for subject in subjects:
        draft.assign(school, ref, "teacher", span, group=group, subject=subject)


# --- organisation ------------------------------------------------------------------


def several_boards(draft: DatasetDraft) -> None:
    """E1: a school under two boards."""
    school = school_of(draft, pick(draft.chooser, ("PO", "VO")))
    boards = school.school.organisation["boards"]
    boards.append(draft.board(f"Stichting Samenwerkingsschool {draft.number()}"))


def several_locations(draft: DatasetDraft) -> None:
    """E2 and E5: several studies at several locations, one study at two of them."""
    school = school_of(draft, "VO")
    first, second = school.locations[0], second_location(draft, school)
    havo1, vwo1 = vo_pair(draft, school, 1)
    members = [
        pupil(draft, school, havo1, location=first),
        pupil(draft, school, havo1, location=second),
        pupil(draft, school, vwo1, location=second),
    ]
    add_class(draft, school, f"1HV-loc-{draft.number()}", members, [havo1, vwo1])


def shared_location(draft: DatasetDraft) -> None:
    """E3 and E4: one location used by two schools of different boards."""
    first = school_of(draft, "PO")
    second = school_of(draft, "VO")
    place = dict(first.locations[0])
    if place not in second.locations:
        second.locations.append(place)
    offering = vo_offering(draft, second, level("vmbo-tl"), 1)
    add_class(
        draft,
        second,
        f"1T-{draft.number()}",
        [pupil(draft, second, offering, location=place)],
        [offering],
    )


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
