"""Fingerprints: one stable name per problem, the same in every run that finds it.

A fingerprint is a digest of what identifies a problem: the check, the message key, the
API, version and operation, the school, the offending object's own identifier and the
place inside it. List items in that place are named by what they are (their own id),
never by their index, so that a source that reorders a list does not turn old findings
into new ones. Nothing that changes from run to run enters: no ports, times, tokens or
pseudonyms (masking keys are drawn per run, so fingerprints are computed from the values
as served, before anything is masked).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from eduv.pointer import escape, tokens

# Members that identify an object in a list, in order of preference.
ID_MEMBERS = (
    "id",
    "groupId",
    "enrollmentId",
    "assignmentId",
    "schoolPeriodId",
    "studyOfferingId",
    "subjectOfferingId",
    "userMasterIdentifier",
    "organisationMasterIdentifier",
    "locationMasterIdentifier",
    "objectId",
    "userId",
)
LENGTH = 20  # hexadecimal characters: 80 bits, no collision in any realistic run


def identity(item: Any) -> str:
    """What names a list item independently of its position."""
    if isinstance(item, dict):
        for member in ID_MEMBERS:
            value = item.get(member)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return f"{member}={value}"
    if isinstance(item, str):
        return item
    return "sha256:" + hashlib.sha256(orjson.dumps(item, option=orjson.OPT_SORT_KEYS)).hexdigest()


def stable_pointer(document: Any, pointer: str) -> str:
    """``pointer`` inside ``document`` with every list index replaced by its item's identity.

    A token that cannot be followed (the place does not exist, as for a missing member)
    is kept as it is.
    """
    node, out = document, []
    for token in tokens(pointer):
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
            out.append("[" + escape(identity(node)) + "]")
        elif isinstance(node, dict) and token in node:
            node = node[token]
            out.append(escape(token))
        else:
            node = None
            out.append(escape(token))
    return "".join("/" + t for t in out)


def of(*parts: str | None) -> str:
    """The fingerprint of the identifying parts, in a fixed order."""
    text = "\x1f".join("" if p is None else p for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:LENGTH]
