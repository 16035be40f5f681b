"""Scenarios of the school: what it offers, how its time and groups are organised, and
the organisations and places it belongs to."""

from __future__ import annotations

from eduv.dataset.model import JsonObject
from eduv.testing.blocks import (
    level,
    po_offering,
    pupil,
    pupils,
    school_of,
    second_location,
    subject_group,
    teacher_for,
    vo_pair,
    whole_year,
)
from eduv.testing.chooser import pick
from eduv.testing.draft import DatasetDraft
from eduv.testing.schools import (
    add_class,
    new_school,
    vo_offering,
    vo_subject,
)
from eduv.testing.vocab import (
    LOOSE_SUBJECTS,
    STUDY_CHARACTERISTICS,
    SUBJECTS,
    TARGET_GROUPS,
)

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
