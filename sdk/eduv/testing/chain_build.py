"""Building consistent learning-materials chains, for any chooser.

A :class:`ChainDraft` follows the chain the way the texts describe it: a supplier's
catalogue; per school orders (some declined, some credited), activation codes, delivery
orders handed to the entitlement manager, entitlements sent to the licence registry and
the portals, first activations, usage reports, results and progress for schools that
consented, and the processing agreements their boards signed. Every object refers to
objects that exist, every confirmation answers a request that was sent, so each dataset
is valid by construction. The hypothesis strategies (:mod:`eduv.testing.chain`) and the
seeded bulk generator (:mod:`eduv.testing.chain_bulk`) both build with it.

``within_previous`` keeps to what the previous API versions can express as well (one
line per order, no tier prices, no delivery to school officials, ...), so that such a
dataset survives a round trip to the previous shapes unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import orjson

from eduv.dataset.chain.model import ChainDataset
from eduv.dataset.model import JsonObject
from eduv.testing.chain_base import ADMIN_SERVICES, SMALL_CHAIN, ChainScale, SchoolState, day, stamp
from eduv.testing.chain_deliveries import DeliveryDraft
from eduv.testing.chain_vocab import ASSESSMENTS, SIGNALS
from eduv.testing.chooser import Chooser, pick
from eduv.testing.ids import Ids

__all__ = ["SMALL_CHAIN", "ChainDraft", "ChainScale", "build_chain", "chain_for_schools"]


class ChainDraft(DeliveryDraft):
    """Adds the objects of a chain one step at a time, keeping every reference right."""

    # ------------------------------------------------------------------ results and progress

    def add_results(self, school: SchoolState) -> None:
        if "results-api" not in school.consents or not school.facts.students:
            return
        name, prefix, subject = pick(self.choose, ASSESSMENTS)
        sitting = dt.date(self.year, 11, 1) + dt.timedelta(days=self.choose.integer(0, 60))
        assessment_id = self.ids.uuid()
        parts = [
            {"id": f"{assessment_id}-d{i}", "name": f"Onderdeel {i}", "index": i} for i in (1, 2)
        ]
        definition: JsonObject = {
            "id": assessment_id,
            "name": name,
            "subjects": [{"subjectPrefix": prefix, "subjectName": subject}],
            "parts": parts,
        }
        if not self.previous_only:
            definition["version"] = f"{self.year}.1"
        scale_id = f"{assessment_id}-schaal"
        rows = (
            [{"LHS": "0", "RHS": "onvoldoende"}]
            if self.previous_only
            else [
                {"LHS": "0-19", "RHS": "onvoldoende"},
                {"LHS": "20-31", "RHS": "voldoende"},
                {"LHS": "32", "RHS": "goed"},
            ]
        )
        statements = []
        for person in self.some(school.facts.students, 1, 6):
            written = stamp(sitting, 15)
            statement: JsonObject = {
                "id": self.ids.uuid(),
                "student": {"userMasterIdentifier": person["userMasterIdentifier"]},
                "status": "Final",
                "dateCreated": written,
                "dateLastModified": written,
            }
            if self.choose.chance(10):
                statement["missing"] = True
                statement["additionalInfo"] = "afwezig"
            else:
                points = self.choose.integer(0, 40)
                grade = f"{max(1.0, points / 4):.1f}"
                statement["scores"] = [
                    {
                        "scoreValue": str(points),
                        "scoreType": "ScorePoints",
                        "scoreMaximum": "40",
                        "assessmentId": assessment_id,
                        "scoreScaleIds": [scale_id],
                    }
                ]
                statement["results"] = [
                    {
                        "resultValue": grade,
                        "resultType": "Grade0.0-10.0",
                        "assessmentId": assessment_id,
                    },
                    {
                        "resultValue": str(self.choose.integer(1, 10)),
                        "resultType": "Grade0-10",
                        "assessmentId": assessment_id,
                        "assessmentPartId": parts[0]["id"],
                    },
                ]
                if not self.previous_only and self.choose.chance(30):
                    statement["results"].append(
                        {"resultValue": "E5", "resultType": "AVI", "assessmentId": assessment_id}
                    )
            statements.append(statement)
        self.add(
            "results",
            {
                "id": self.ids.uuid(),
                "assessmentDateTime": stamp(sitting, 9),
                "assessmentDefinition": definition,
                "school": school.facts.reference(),
                "schoolPeriod": f"{self.year}-{self.year + 1}",
                "scoreScaleDefinitions": [
                    {"id": scale_id, "name": "Punten naar oordeel", "scoreScaleEntries": rows}
                ],
                "studentScoresAndResults": statements,
                "timestamp": stamp(sitting, 16),
                "toolName": "Toetsomgeving Waalkant",
            },
        )

    def add_progress(self, school: SchoolState) -> None:
        if "progress-api" not in school.consents:
            return
        for entitlement, user in school.licensed[:4]:
            used = dt.date.fromisoformat(entitlement["_firstUse"])
            report_id = self.ids.uuid()
            course = f"course-{entitlement['productId'][-6:]}"
            student: JsonObject = {"userMasterIdentifier": user["userMasterIdentifier"]}
            if "userMasterIdentifier" not in user:
                continue
            facts_student = next(
                (
                    s
                    for s in school.facts.students
                    if s.get("userMasterIdentifier") == user["userMasterIdentifier"]
                ),
                None,
            )
            if facts_student and "userIds" in facts_student and self.choose.chance(50):
                student["userIds"] = [dict(i) for i in facts_student["userIds"]]
            base: JsonObject = {
                "id": report_id,
                "student": student,
                "school": school.facts.reference(),
                "assignableUnitId": f"{course}-au{self.choose.integer(1, 20)}",
                "courseId": course,
            }
            self.add("progress", {**base, "status": "started", "timestamp": stamp(used, 10)})
            end = pick(self.choose, ("completed", "completed", "abandoned", None))
            if end is not None:
                report: JsonObject = {
                    **base,
                    "status": end,
                    "timestamp": stamp(used + dt.timedelta(days=2), 11),
                }
                if self.choose.chance(30):
                    report.update(
                        additionalInfo=pick(self.choose, SIGNALS),
                        detailsUrl=f"https://app.example.org/voortgang/{report_id}",
                        pleaseFollowup=True,
                    )
                self.add("progress", report)

    # ------------------------------------------------------------------ agreements

    def add_agreements(self) -> None:
        """One processing agreement per board, covering what its schools consented to."""
        oin = "00000003" + self.ids.number(8) + "0000"
        for board, needed in sorted(self.board_services.items()):
            # chain services first, then the administration ones in register order
            listed = sorted(needed)
            if self.choose.chance(50):
                listed += ADMIN_SERVICES
            self.add(
                "agreements",
                {
                    "agreementId": self.ids.uuid(),
                    "supplierOin": oin,
                    "boardId": board,
                    "ecosystem": "Edu-V",
                    "dataServices": listed,
                    "valid": True,
                    "startDate": day(dt.date(self.year - 1, 1, 1)),
                    "endDate": day(dt.date(self.year + 3, 12, 31)),
                },
            )

    # ------------------------------------------------------------------ whole chains

    def add_school_chain(self) -> SchoolState:
        """One school with everything that happens for it in the chain."""
        school = self.add_school()
        deliverable = self.add_orders(school)
        self.add_deliveries(school, deliverable)
        self.add_results(school)
        self.add_progress(school)
        return school

    def finish(self) -> ChainDataset:
        self.add_agreements()
        return self.dataset


def build_chain(
    chooser: Chooser,
    *,
    within_previous: bool = False,
    scale: ChainScale = SMALL_CHAIN,
) -> ChainDataset:
    """A whole chain: a catalogue, some schools and all that follows."""
    seed = chooser.integer(0, 2**31 - 1)
    year = chooser.integer(2023, 2026)
    draft = ChainDraft(chooser, Ids(seed), year, within_previous=within_previous, scale=scale)
    draft.add_catalogue()
    for _ in range(draft.integer(scale.schools)):
        draft.add_school_chain()
    return draft.finish()


def chain_for_schools(codes: Sequence[str], seed: int = 0) -> ChainDataset:
    """A chain whose schools carry the RIO codes ``codes``, in that order: the chain of
    known schools, for a provider that serves both halves of the standard and for a
    suite that sends a target requests about the schools it was told of."""
    from eduv.dataset.chain.io import chain_dataset_from_json
    from eduv.testing.chooser import RandomChooser

    size = max(len(codes), 1)
    chain = build_chain(RandomChooser(seed), scale=ChainScale(schools=(size, size)))
    text = orjson.dumps(chain.to_json()).decode()
    for school, code in zip(chain.schools, codes, strict=False):
        old = school.organisationMasterIdentifier
        if old:
            text = text.replace(f'"{old}"', f'"{code}"')
    return chain_dataset_from_json(orjson.loads(text), "generated chain dataset")
