"""Dutch names and school vocabulary for realistic generated data.

Plain tables, so that the hypothesis strategies and the bulk generator draw from the
same lists. Names are common Dutch given and family names; school names are made up.
"""

from __future__ import annotations

# fmt: off

GIVEN_NAMES: tuple[str, ...] = (
    "Daan", "Sem", "Lucas", "Levi", "Noah", "Finn", "Bram", "Jesse", "Thijs", "Ruben",
    "Milan", "Luuk", "Sven", "Gijs", "Stijn", "Mohammed", "Ayoub", "Adam", "Teun", "Joep",
    "Emma", "Julia", "Tess", "Sophie", "Mila", "Zoë", "Fenna", "Noor", "Saar", "Anna",
    "Lotte", "Sanne", "Femke", "Lieke", "Yasmin", "Amira", "Evi", "Roos", "Isa", "Fleur",
)

# (prefix, family name): the prefix is the familyNamePrefix ("tussenvoegsel").
FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("de", "Jong"), ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"),
    ("", "Bakker"), ("", "Janssen"), ("", "Visser"), ("", "Smit"), ("", "Meijer"),
    ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"),
    ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"),
    ("de", "Wit"), ("", "Dijkstra"), ("de", "Graaf"), ("van der", "Meer"), ("", "Kok"),
    ("van der", "Linden"), ("de", "Haan"), ("", "Vermeulen"), ("van den", "Heuvel"),
    ("van der", "Veen"), ("van 't", "Hof"), ("ter", "Horst"), ("", "Yilmaz"),
    ("El", "Amrani"), ("", "Nguyen"), ("", "Bouzid"), ("", "Willems"), ("", "Schouten"),
)

PLACES: tuple[str, ...] = (
    "Zwolle", "Deventer", "Amersfoort", "Haarlem", "Leiden", "Tilburg", "Nijmegen",
    "Groningen", "Delft", "Alkmaar", "Apeldoorn", "Enschede", "Breda", "Assen", "Venlo",
)

PO_SCHOOL_NAMES: tuple[str, ...] = (
    "De Regenboog", "De Zonnewijzer", "Het Kompas", "De Wilgenhoek", "De Klimop",
    "Het Palet", "De Vlinderhof", "De Toermalijn", "Sint Jozef", "De Kleine Beer",
    "Het Tweespan", "De Springplank", "De Notenkraker", "Het Vogelnest",
)

VO_SCHOOL_NAMES: tuple[str, ...] = (
    "Stedelijk Lyceum", "Het Baken College", "Scholengemeenschap De Dijk",
    "Montessori College", "Christelijk Lyceum", "Het Rijnlands", "Vechtdal College",
    "Oostlander College", "Gymnasium Celeanum",
)

BOARD_KINDS: tuple[str, ...] = (
    "Stichting Openbaar Onderwijs", "Stichting Katholiek Onderwijs",
    "Vereniging Christelijk Onderwijs", "Stichting Primair Onderwijs",
    "Stichting Voortgezet Onderwijs",
)

LOCATION_KINDS: tuple[str, ...] = ("hoofdlocatie", "locatie Noord", "locatie Zuid", "dependance")

# VO subjects: (name, abbreviation).
SUBJECTS: tuple[tuple[str, str], ...] = (
    ("Nederlands", "ne"), ("Engels", "en"), ("wiskunde", "wi"), ("geschiedenis", "gs"),
    ("aardrijkskunde", "ak"), ("biologie", "bi"), ("Frans", "fa"), ("Duits", "du"),
    ("natuurkunde", "na"), ("scheikunde", "sk"), ("economie", "ec"),
    ("lichamelijke opvoeding", "lo"),
)

# Subject offerings that belong to no study at all (flexibility case C7).
LOOSE_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("werkweek Ardennen", "ww"), ("project duurzaamheid", "pd"), ("excursie Rijksmuseum", "ex"),
)

# VO study levels: name, number of years, SLO level prefix of year 1, erkende
# opleidingscode (lower years, upper years), first upper year.
VO_LEVELS: tuple[tuple[str, int, int, str, str, int], ...] = (
    ("vmbo-tl", 4, 3013, "0400", "0400", 3),
    ("havo", 5, 4201, "0300", "0370", 4),
    ("vwo", 6, 4501, "0100", "0170", 4),
)

STUDY_CHARACTERISTICS: tuple[str, ...] = (
    "versneld", "tweetalig onderwijs", "Technasium", "Montessori", "sportklas",
)

# A characteristic naming a target group rather than a way of teaching (case C8).
TARGET_GROUPS: tuple[str, ...] = ("nieuwkomers", "hoogbegaafden", "topsport")

EMPLOYEE_ROLES: tuple[str, ...] = ("leraar", "mentor", "begeleider", "onderwijsdirecteur")
# fmt: on
