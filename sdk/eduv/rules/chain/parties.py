"""Rules on the messages between parties: consent, agreements, notifications, status, people.

Batch rules look at the whole list that ``POST /notifications`` carries (``LIST_CHECKS``);
the others at one message or one reference inside it (``CHECKS``). Scope prefixes,
consent-bound object types and patterns come from the rule's ``parameters``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eduv.rules.catalogue import Rule
from eduv.rules.hits import Hit, JsonObject, ListCheck, MessageCheck
from eduv.rules.values import as_list, compiled, dicts, school_label, text

# --- consent -----------------------------------------------------------------------


def _provider_reference(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    status, ref = c.get("providerStatus"), c.get("providerReferenceId")
    if not isinstance(status, str) or not isinstance(ref, str):
        return
    if (status in ("accepted", "revoked") and ref == "") or (status == "pending" and ref != ""):
        state = "empty" if ref == "" else "filled"
        yield (
            "/providerReferenceId",
            {"api": c.get("api"), "providerStatus": status, "state": state},
        )


def _consumer_reference(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    status, ref = c.get("consumerStatus"), c.get("consumerReferenceId", "")
    if status in ("accepted", "revoked") and ref == "":
        yield "/consumerReferenceId", {"api": c.get("api"), "consumerStatus": status}


def _scopes_belong(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    api = c.get("api")
    prefixes = tuple(rule.parameters["prefixes"].get(api, ())) if isinstance(api, str) else ()
    for index, scope in enumerate(as_list(c.get("scopes"))):
        if prefixes and isinstance(scope, str) and not scope.startswith(prefixes):
            yield f"/scopes/{index}", {"scope": scope, "api": api}


def _has_scope(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    if "scopes" in c and not as_list(c.get("scopes")):
        yield "/scopes", {"api": c.get("api")}


# --- agreements --------------------------------------------------------------------


def _full_dates(a: JsonObject, rule: Rule) -> Iterator[Hit]:
    form = compiled(rule.parameters["pattern"])
    for name in ("startDate", "endDate"):
        value = text(a, name)
        if value and not form.search(value):
            yield f"/{name}", {"field": name, "value": value}


def _agreement_order(a: JsonObject, rule: Rule) -> Iterator[Hit]:
    form = compiled(rule.parameters["pattern"])
    start, end = text(a, "startDate"), text(a, "endDate")
    if start and end and form.search(start) and form.search(end) and end < start:
        yield "/endDate", {"endDate": end, "startDate": start}


def member_form(member: str) -> MessageCheck:
    """A text member matches one of the rule's ``patterns``."""

    def check(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
        value = text(obj, member)
        forms = [compiled(p) for p in rule.parameters["patterns"]]
        if value and not any(f.search(value) for f in forms):
            yield f"/{member}", {member: value}

    return check


# --- notifications -----------------------------------------------------------------


def _one_school(batch: list[Any], rule: Rule) -> Iterator[Hit]:
    bound = set(rule.parameters["objectTypes"])
    schools: set[str] = set()
    kinds: set[str] = set()
    for _, item in dicts(batch):
        if item.get("objectType") not in bound:
            continue
        # t names the school with a SchoolReference, t-1 with a schoolId.
        label = school_label(item["school"]) if "school" in item else text(item, "schoolId")
        if label:
            schools.add(label)
            kinds.add(str(item.get("objectType")))
    if len(schools) > 1:
        yield "", {"objectType": ", ".join(sorted(kinds)), "count": len(schools)}


def _oldest_first(batch: list[Any], rule: Rule) -> Iterator[Hit]:
    latest: str | None = None
    for index, item in dicts(batch):
        created = text(item, "created")
        if created is None:
            continue
        if latest is not None and created < latest:
            yield f"/{index}", {"id": item.get("id"), "created": created}
        latest = max(latest or created, created)


def _nothing_after_delete(batch: list[Any], rule: Rule) -> Iterator[Hit]:
    deleted: set[Any] = set()
    for index, item in dicts(batch):
        if item.get("objectId") in deleted:
            yield f"/{index}", {"id": item.get("id"), "objectId": item.get("objectId")}
        if item.get("isDeleteNotification") is True:
            deleted.add(item.get("objectId"))


def _object_named(n: JsonObject, rule: Rule) -> Iterator[Hit]:
    if n.get("notificationType") == "object" and not n.get("objectId"):
        yield "", {"id": n.get("id")}


def _fetch_url(n: JsonObject, rule: Rule) -> Iterator[Hit]:
    about_object = n.get("notificationType", "object") == "object"
    if n.get("isDeleteNotification") is not True and about_object and not n.get("url"):
        yield "", {"id": n.get("id")}


def _school_id(n: JsonObject, rule: Rule) -> Iterator[Hit]:
    if n.get("objectType") in rule.parameters["objectTypes"] and not n.get("schoolId"):
        yield "", {"id": n.get("id"), "objectType": n.get("objectType")}


def _user_id_type(n: JsonObject, rule: Rule) -> Iterator[Hit]:
    if n.get("objectType") in ("Student", "Employee") and not n.get("userIdType"):
        yield "", {"id": n.get("id"), "objectType": n.get("objectType")}


# --- status and people -------------------------------------------------------------


def _status_99(s: JsonObject, rule: Rule) -> Iterator[Hit]:
    if s.get("status") == 99 and not s.get("statusMessage"):
        yield "", {}


def _declined(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    if c.get("success") is False and not c.get("statusMessage"):
        yield "", {}


def _eck_in_master(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, entry in dicts(ref.get("userIds")):
        if entry.get("userIdType") == "eckId":
            yield f"/userIds/{index}", {}


def _staff_not_pupil_ids(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, entry in dicts(ref.get("userIds")):
        kind = entry.get("userIdType")
        if kind in rule.parameters["types"]:
            yield f"/userIds/{index}/userIdType", {"userIdType": kind}


# Which check each message rule of this module is bound to.
CHECKS: dict[str, MessageCheck] = {
    "EDUV-CONSENT-001": _provider_reference,
    "EDUV-CONSENT-002": _consumer_reference,
    "EDUV-CONSENT-003": _scopes_belong,
    "EDUV-CONSENT-004": _has_scope,
    "EDUV-DPA-001": _full_dates,
    "EDUV-DPA-002": _agreement_order,
    "EDUV-DPA-003": member_form("supplierOin"),
    "EDUV-DPA-004": member_form("boardId"),
    "EDUV-NOTIFY-004": _object_named,
    "EDUV-NOTIFY-005": _fetch_url,
    "EDUV-NOTIFY-006": _school_id,
    "EDUV-NOTIFY-007": _user_id_type,
    "EDUV-STATUS-001": _status_99,
    "EDUV-STATUS-002": _declined,
    "EDUV-ID-101": _eck_in_master,
    "EDUV-ID-102": _staff_not_pupil_ids,
}

# Which check each rule on a whole request body list is bound to.
LIST_CHECKS: dict[str, ListCheck] = {
    "EDUV-NOTIFY-001": _one_school,
    "EDUV-NOTIFY-002": _oldest_first,
    "EDUV-NOTIFY-003": _nothing_after_delete,
}
