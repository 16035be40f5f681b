"""The checks of scenario mode (evaluated by :mod:`eduv.conformance.scenario.run`).

Scenario mode also reports under EDUV-CONF-SCHEMA-001, EDUV-CONF-VER-002 and the rule
checks (EDUV-CONF-RULE-...), with the subject ``scenario``: the same assertion, made
over data the suite loaded itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from eduv.conformance.observe.conventions import ADMIN_APIS
from eduv.conformance.registry import register, spec_of

ASSOCIATION = {"association-api": ADMIN_APIS["association-api"][:1]}
CURRENT = {api: versions[:1] for api, versions in ADMIN_APIS.items()}
NOTIFY = {"notifications-api": ("0.9.1",), **ASSOCIATION}

COMPLETE = "EDUV-CONF-SCN-001"
DATES = "EDUV-CONF-SCN-002"
VALUES = "EDUV-CONF-SCN-003"
MIXED_CLASS = "EDUV-CONF-SCN-010"
SUBSTITUTE = "EDUV-CONF-SCN-011"
SIDE_ENROLMENT = "EDUV-CONF-SCN-012"
TWO_BOARDS = "EDUV-CONF-SCN-013"
MOVE = "EDUV-CONF-SCN-020"
END = "EDUV-CONF-SCN-021"
DELETE = "EDUV-CONF-SCN-022"
ADD_PERIOD = "EDUV-CONF-SCN-023"
NOTIFIED = "EDUV-CONF-SCN-030"
DELETE_NOTIFIED = "EDUV-CONF-SCN-031"
ORDERED = "EDUV-CONF-SCN-032"

# (id, title, explanation, what it cites, where it applies); titles and explanations in
# English and Dutch.
Row = tuple[str, tuple[str, str], tuple[str, str], tuple[str, ...], Mapping[str, tuple[str, ...]]]
TABLE: tuple[Row, ...] = (
    (
        COMPLETE,
        ("Nothing loaded is lost", "Niets wat geladen is gaat verloren"),
        (
            "Every object loaded for a school is served in the school's list in the current "
            "version: groups of every type, enrolments, assignments, periods, offerings, and "
            "the pupils and staff the school's enrolments and assignments name.",
            "Elk object dat voor een school geladen is staat in de lijst van de school in de "
            "huidige versie: groepen van elk type, inschrijvingen, aanstellingen, periodes, "
            "aanbod, en de leerlingen en medewerkers die de inschrijvingen en aanstellingen "
            "noemen.",
        ),
        ("completeness", "flexibility:A1-E5"),
        CURRENT,
    ),
    (
        DATES,
        ("Dates are served as loaded", "Datums worden geleverd zoals geladen"),
        (
            "beginDate, startDate and endDate come back exactly as loaded; endDate is the "
            "first day an object no longer applies (exclusive), never the last day.",
            "beginDate, startDate en endDate komen precies zo terug als geladen; endDate is "
            "de eerste dag dat een object niet meer geldt (exclusief), nooit de laatste dag.",
        ),
        ("association-api#/components/schemas/Enrollment/properties/endDate", "EDUV-TIME-003"),
        CURRENT,
    ),
    (
        VALUES,
        ("Other values are served as loaded", "Overige waarden worden geleverd zoals geladen"),
        (
            "Apart from dates, every member of every loaded object comes back unchanged in "
            "the current version (objects that fail their schema are left to "
            "EDUV-CONF-SCHEMA-001).",
            "Behalve datums komt elk veld van elk geladen object ongewijzigd terug in de "
            "huidige versie (objecten die niet aan hun schema voldoen zijn voor "
            "EDUV-CONF-SCHEMA-001).",
        ),
        ("fidelity",),
        CURRENT,
    ),
    (
        MIXED_CLASS,
        ("A mixed class stays mixed (D3)", "Een combinatieklas blijft gemengd (D3)"),
        (
            "A class whose pupils follow different studies or years is served with exactly "
            "those pupils.",
            "Een klas met leerlingen van verschillende opleidingen of leerjaren wordt "
            "geleverd met precies die leerlingen.",
        ),
        ("flexibility:D3",),
        ASSOCIATION,
    ),
    (
        SUBSTITUTE,
        ("A substitute keeps the end date (B3)", "Een invaller houdt de einddatum (B3)"),
        (
            "An assignment that ends before its school period ends (a substitute) is served "
            "with that end date.",
            "Een aanstelling die eindigt voor het einde van de schoolperiode (een invaller) "
            "wordt geleverd met die einddatum.",
        ),
        ("flexibility:B3",),
        ASSOCIATION,
    ),
    (
        SIDE_ENROLMENT,
        ("Side enrolments stay (A6)", "Neveninschrijvingen blijven (A6)"),
        (
            "A pupil enrolled at several schools or locations keeps every enrolment.",
            "Een leerling die op meerdere scholen of locaties staat ingeschreven houdt elke "
            "inschrijving.",
        ),
        ("flexibility:A6",),
        ASSOCIATION,
    ),
    (
        TWO_BOARDS,
        (
            "A school under two boards keeps both (E1)",
            "Een school onder twee besturen houdt beide (E1)",
        ),
        (
            "An organisation loaded with several boards is served with all of them.",
            "Een organisatie die met meerdere besturen is geladen wordt met al die besturen "
            "geleverd.",
        ),
        ("flexibility:E1",),
        {"education-api": ADMIN_APIS["education-api"][:1]},
    ),
    (
        MOVE,
        (
            "A pupil moved to another class is served there",
            "Een verplaatste leerling staat in de nieuwe klas",
        ),
        (
            "After a pupil moves from one class to another, the old class no longer lists "
            "the pupil and the new one does.",
            "Na verplaatsing van een leerling naar een andere klas noemt de oude klas de "
            "leerling niet meer en de nieuwe wel.",
        ),
        ("association-api#/components/schemas/Group/properties/students", "EDUV-GROUP-015"),
        ASSOCIATION,
    ),
    (
        END,
        (
            "An ended assignment is served with its end",
            "Een beeindigde aanstelling heeft haar einde",
        ),
        (
            "After an assignment gets an end date, it is served with exactly that end date.",
            "Nadat een aanstelling een einddatum krijgt, wordt zij met precies die "
            "einddatum geleverd.",
        ),
        ("association-api#/components/schemas/Assignment/properties/endDate",),
        ASSOCIATION,
    ),
    (
        DELETE,
        ("A deleted pupil is gone", "Een verwijderde leerling is weg"),
        (
            "After a pupil is deleted, looking the pupil up answers 404 and the school's "
            "list no longer has the pupil.",
            "Na verwijdering geeft het opzoeken van de leerling 404 en staat de leerling "
            "niet meer in de lijst van de school.",
        ),
        ("students-api#/paths/~1students/post/responses/404",),
        {"students-api": ADMIN_APIS["students-api"][:1]},
    ),
    (
        ADD_PERIOD,
        ("An added period is served", "Een toegevoegde periode wordt geleverd"),
        (
            "A school period added during the year is served by id and in the school's list.",
            "Een schoolperiode die in de loop van het jaar is toegevoegd wordt geleverd op id "
            "en in de lijst van de school.",
        ),
        ("flexibility:D1",),
        ASSOCIATION,
    ),
    (
        NOTIFIED,
        ("Every change is notified", "Elke wijziging wordt gemeld"),
        (
            "Each object a step adds, changes or deletes gets a notification with its type "
            "and id (GET /notifications since the step).",
            "Elk object dat een stap toevoegt, wijzigt of verwijdert krijgt een notificatie "
            "met zijn type en id (GET /notifications sinds de stap).",
        ),
        ("notifications-api#/components/schemas/Notification",),
        NOTIFY,
    ),
    (
        DELETE_NOTIFIED,
        ("A deletion is notified last", "Een verwijdering wordt als laatste gemeld"),
        (
            "Deleting an object produces a notification with isDeleteNotification true, and "
            "it is the last notification for that object.",
            "Een verwijdering levert een notificatie met isDeleteNotification true op, en dat "
            "is de laatste notificatie voor dat object.",
        ),
        ("notifications-api#/components/schemas/Notification/properties/isDeleteNotification",),
        NOTIFY,
    ),
    (
        ORDERED,
        ("Notifications come oldest first", "Notificaties komen oudste eerst"),
        (
            "GET /notifications returns the notifications sorted by created, oldest first.",
            "GET /notifications geeft de notificaties gesorteerd op created, oudste eerst.",
        ),
        ("notifications-api#/components/schemas/Notification/properties/created",),
        NOTIFY,
    ),
)

for _id, _title, _explain, _cites, _applies in TABLE:
    register(spec_of(_id, "scenario", _title, _explain, _cites, _applies))

ALL = tuple(row[0] for row in TABLE)
