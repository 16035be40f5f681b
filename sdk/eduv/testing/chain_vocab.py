"""Names and values for generated chains: method families, publishers, assessments.

Plain tables shared by the hypothesis strategies and the bulk generator. Publisher,
reseller and method names are made up; subject prefixes and names follow the SLO
vakleergebied style without claiming to be the official list.
"""

from __future__ import annotations

# fmt: off

PUBLISHERS: tuple[str, ...] = (
    "Uitgeverij Waalkant", "Educatieve Uitgeverij Dommel", "Uitgeverij Het Leerhuis",
    "Uitgeverij Noorderlicht Educatief",
)

RESELLERS: tuple[str, ...] = ("Leermiddelenhuis Oost", "Schoolboekenservice Delta")

# (method name, subject name, subject prefix, sector): one method family per entry.
FAMILIES: tuple[tuple[str, str, str, str], ...] = (
    ("Taalkompas", "Nederlands", "NE", "PO"),
    ("Rekenroute", "Rekenen-wiskunde", "RW", "PO"),
    ("Wereldwijs", "Aardrijkskunde", "AK", "PO"),
    ("Natuurlab", "Natuur en techniek", "NT", "PO"),
    ("Histoscoop", "Geschiedenis", "GS", "VO"),
    ("Getallenlijn", "Wiskunde", "WI", "VO"),
    ("Engels Direct", "Engels", "EN", "VO"),
    ("Biologie in Beeld", "Biologie", "BI", "VO"),
)

# Study names and SLO level prefixes per sector: (study name, level prefix, level name, years).
STUDIES: dict[str, tuple[tuple[str, int, str, int], ...]] = {
    "PO": (("Basisonderwijs", 1001, "groep", 8),),
    "VO": (("havo", 4201, "havo", 5), ("vwo", 4501, "vwo", 6), ("vmbo-tl", 3013, "vmbo-tl", 4)),
}

ASSESSMENTS: tuple[tuple[str, str, str], ...] = (
    ("Methodetoets hoofdstuk 3", "WI", "Wiskunde"),
    ("Leestoets begrijpend lezen", "NE", "Nederlands"),
    ("Woordenschattoets", "EN", "Engels"),
    ("Proefwerk ecologie", "BI", "Biologie"),
)

STREETS: tuple[str, ...] = ("Schoolstraat", "Kerkplein", "Stationsweg", "Dorpsstraat", "Molenlaan")

SIGNALS: tuple[str, ...] = ("goed", "matig", "!", "8", "veel hulp")

# fmt: on
