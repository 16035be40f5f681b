"""Scenarios of the people: personal routes, changes during the year, staff in several roles."""

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
from eduv.testing.draft import DatasetDraft, SchoolDraft
from eduv.testing.schools import (
    add_class,
    vo_offering,
    vo_subject,
)
from eduv.testing.vocab import (
    SUBJECTS,
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
