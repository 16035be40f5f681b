"""How schools and people are recognised from the references the APIs carry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MASTER = "master"


def school_keys(ref: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(type, value) pairs of a SchoolReference or Organisation, the RIO code first."""
    found: list[tuple[str, str]] = []
    master = ref.get("organisationMasterIdentifier")
    if isinstance(master, str) and master:
        found.append((MASTER, master))
    for item in _dicts(ref.get("organisationIds")):
        kind, value = item.get("organisationIdType"), item.get("organisationId")
        if isinstance(kind, str) and isinstance(value, str) and value:
            found.append((kind, value))
    return found


def board_keys(organisation: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The board identifiers of an Organisation, typed 'board:master' or 'board:<type>'."""
    found: list[tuple[str, str]] = []
    for board in _dicts(organisation.get("boards")):
        found += [(f"board:{kind}", value) for kind, value in school_keys(board)]
    return found


def branch_keys(organisation: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The school's teaching locations by their BRIN6 code, filed as V_ID.

    A V_ID names a branch (vestiging) in BRIN6 form, and so does the VE_CODE of a
    location; a client may address the school through any of its branches.
    """
    found = [
        ("V_ID", code)
        for loc in _dicts(organisation.get("locations"))
        if (code := location_branch(loc))
    ]
    known = set(school_keys(organisation))
    return [key for key in dict.fromkeys(found) if key not in known]


def person_keys(ref: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(type, value) pairs of a UserReference, Student or Employee, the master id first.

    An ECK iD given as a secondary identifier of type eckId is the same key as an ECK iD
    in userMasterIdentifier, so both are filed under 'master'.
    """
    found: list[tuple[str, str]] = []
    master = ref.get("userMasterIdentifier")
    if isinstance(master, str) and master:
        found.append((MASTER, master))
    for item in _dicts(ref.get("userIds")):
        kind, value = item.get("userIdType"), item.get("userId")
        if isinstance(kind, str) and isinstance(value, str) and value:
            found.append((MASTER if kind == "eckId" else kind, value))
    return found


def person_object_id(person: Mapping[str, Any]) -> str:
    """The identifier a notification uses for a person: the master id, else the first id."""
    keys = person_keys(person)
    return keys[0][1] if keys else ""


def location_branch(location: Any) -> str | None:
    """The BRIN6 code (VE_CODE) of a LocationReference: what a V_ID names."""
    if not isinstance(location, Mapping):
        return None
    for item in _dicts(location.get("locationIds")):
        if item.get("locationIdType") == "VE_CODE" and isinstance(item.get("locationId"), str):
            return str(item["locationId"])
    return None


def _dicts(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, Mapping))
