"""Dataset rules about enrolments: what they refer to, where, and in which year."""

from __future__ import annotations

from collections.abc import Iterator

from eduv.rules.catalogue import Rule
from eduv.rules.context import Context, SchoolIndex
from eduv.rules.dataset.common import hit, missing_refs, of_type, unknown_people, years_fit_level
from eduv.rules.hits import DatasetCheck, DatasetHit, JsonObject
from eduv.rules.values import integer, location_keys, location_label


def _location_of_school(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        here = s.location_keys
        for index, enrollment, _ in ctx.active(s, "enrollments"):
            location = enrollment.get("location")
            if not isinstance(location, dict):
                continue
            master = location.get("locationMasterIdentifier")
            if isinstance(master, str) and master and "m:" + master in here:
                continue  # its first key, the primary identifier, is one of the school's
            keys = location_keys(location)
            if keys and not any(k in here for k in keys):
                label = location_label(location)
                yield hit(ctx, s, "enrollments", index, enrollment, "/location", value=label)


def _year_matches_offering(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        offerings = s.by_id["studyOfferings"]
        for index, enrollment, _ in ctx.active(s, "enrollments"):
            year = integer(enrollment, "studyYear")
            if year is None:
                continue
            study = enrollment.get("study")
            offering = offerings.get(study) if isinstance(study, str) else None  # s.find()
            expected = integer(offering, "studyYear") if offering else None
            if year is not None and expected is not None and year != expected:
                yield hit(
                    ctx,
                    s,
                    "enrollments",
                    index,
                    enrollment,
                    "/studyYear",
                    value=year,
                    study=enrollment.get("study"),
                    offering_year=expected,
                )


def _enrolled_study(s: SchoolIndex, enrollment: JsonObject) -> JsonObject | None:
    return s.find("studyOfferings", enrollment.get("study"))


# Which check each rule of this domain is bound to.
CHECKS: dict[str, DatasetCheck] = {
    "EDUV-ENROL-010": missing_refs(
        "enrollments", "study", "studyOfferings", of_type("enrollmentType", "study")
    ),
    "EDUV-ENROL-011": missing_refs(
        "enrollments", "subject", "subjectOfferings", of_type("enrollmentType", "subject")
    ),
    "EDUV-ENROL-012": unknown_people("enrollments", "student", students=True),
    "EDUV-ENROL-013": missing_refs("enrollments", "schoolPeriod", "schoolPeriods"),
    "EDUV-ENROL-014": _location_of_school,
    "EDUV-ENROL-015": _year_matches_offering,
    "EDUV-ENROL-016": years_fit_level("enrollments", _enrolled_study),
}
