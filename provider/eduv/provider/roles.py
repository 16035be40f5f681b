"""Which part of the learning-materials chain the reference provider plays, per API.

Below the request path and the chain package alike (the configuration, the versions
served and the routes read it), this module reads only the registry.

The facts come from ``spec/chain/roles.json``: per operation the components that serve
it, the components that answer 405 because the call is meant for the other side, its
scopes per role and what the texts say about consent. The provider plays the supplier's
side of the chain, on one database (``ROLES``): the supplier's catalogue (LC), the order
system (OS) that takes orders, the entitlement manager (AM) that takes delivery orders
and first activations and serves entitlements, the licence registry (LR) that issues
activation codes and serves usage, the results administration (ALR) and the dashboard
(LD) that take results and progress, the consent management (CM) of the data's
source, and the processor register (VR) that answers for data processing agreements.
In the Delivery API it also plays the ordering environment (BO), whose delivery orders
the others read. Of each API it serves what one of its components serves there
(the reads, and the writing operations of ``WRITES``), and it answers 405 where none of
them serves an operation and one of them must refuse it.

The Consent API gives one component, CM, to both parties and tells them apart by
implementation profile (``PROFILES``): the source, where consents are registered, plays
the profile Bron. An operation CM serves only in other profiles (the consumer's
endpoints) is the other party's, and is refused with 405 like the ``answers405`` ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from eduv import spec

ROLES_DOCUMENT = "chain/roles.json"

# The reads by POST that the provider answers: a person's delivery orders, entitlements
# and usage at a school. The texts do not say which delivery orders are a person's; the
# provider reads those whose specification names the person (see the chain service).
POST_READS = frozenset(
    {
        "get-delivery-orders-for-user-at-school",
        "get-entitlements-for-user-at-school",
        "get-entitlementproducts-for-user-at-school",
        "get-usage-for-user-at-school",
    }
)

# The components the provider plays in each chain API it serves.
ROLES: Mapping[str, tuple[str, ...]] = {
    "catalogue-api": ("LC",),
    "order-api": ("OS",),
    "delivery-api": ("BO", "AM"),
    "entitlement-api": ("AM",),
    "activationcode-api": ("LR",),
    "usage-api": ("LR", "AM"),
    "results-api": ("ALR",),
    "progress-api": ("LD",),
    "consent-api": ("CM",),
    "dpa-api": ("VR",),
}

# The writing operations the provider takes (``eduv.provider.chain.exchanges``): the
# requests its components receive, the messages pushed to them, the confirmations that
# come back to the ordering environment (BO) and the entitlement manager (AM), and the
# consent requests and withdrawals the source's consent management (CM) takes.
WRITES = frozenset(
    {
        "accept-order-request",
        "accept-credit-order-request",
        "accept-delivery-order",
        "confirm-delivery-order",
        "confirm-entitlement",
        "accept-activation-code-request",
        "accept-activation-code-revoke-request",
        "accept-initial-activation",
        "postResults",
        "putSimpleProgress",
        # the consent management of the source: consent requests and withdrawals
        # (eduv.provider.chain.consent_writes)
        "put-consent-request",
        "put-consent-revoke",
    }
)

# The implementation profile the provider's component plays, for an API whose texts give
# one component to both parties: a source registers consents (Consent API Bron).
PROFILES: Mapping[str, str] = {"consent-api": "Bron"}
# How roles.json names the profiles a component serves an operation in, in its "as".
_PROFILE_LIST = re.compile(r"\bprofiles? ([^)]*)")


@dataclass(frozen=True, slots=True)
class Consent:
    """What an operation's texts say about consent: ``required`` (always), ``some``
    (when the caller acts as one of ``components``) or ``none`` (not stated)."""

    status: str
    components: frozenset[str] = frozenset()


@cache
def _roles() -> Mapping[str, Any]:
    return dict(spec.document(ROLES_DOCUMENT))


def _entry(api: str, version: str, operation_id: str) -> Mapping[str, Any]:
    found: Mapping[str, Any] = _roles()["apis"][api]["versions"][version]["operations"].get(
        operation_id, {}
    )
    return found


def _components(entry: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(p["component"]) for p in entry.get(key, ()))


def profiles(served_as: str) -> frozenset[str]:
    """The implementation profiles an ``as`` of roles.json names ("... (profiles Bron,
    Afnemer)"); empty when it names none."""
    found = _PROFILE_LIST.search(served_as)
    if found is None:
        return frozenset()
    return frozenset(p.strip() for p in found.group(1).split(",") if p.strip())


def _serving(api: str, entry: Mapping[str, Any]) -> frozenset[str]:
    """The components that serve an operation, in the provider's profile where the API
    has profiles (an entry that names no profile serves in every one)."""
    profile = PROFILES.get(api)
    out = set()
    for party in entry.get("serves", ()):
        named = profiles(str(party.get("as", "")))
        if profile is None or not named or profile in named:
            out.add(str(party["component"]))
    return frozenset(out)


def chain_apis() -> tuple[str, ...]:
    """The chain APIs the provider serves, in the order of ``ROLES``."""
    return tuple(ROLES)


def serves(op: spec.Operation) -> bool:
    """Whether the provider takes ``op``: one of its components serves it, and it is a
    read (GET, or one of ``POST_READS``) or one of ``WRITES``."""
    roles = set(ROLES.get(op.api, ()))
    handled = op.method == "GET" or op.operation_id in POST_READS | WRITES
    if not roles or not handled:
        return False
    return bool(roles & _serving(op.api, _entry(op.api, op.version, op.operation_id)))


def refuses(op: spec.Operation) -> bool:
    """Whether the provider must answer ``op`` with 405 (the other side's): none of its
    components serves it, and roles.json names one of them as refusing it, or one of them
    serves it only in another profile."""
    roles = set(ROLES.get(op.api, ()))
    if not roles:
        return False
    entry = _entry(op.api, op.version, op.operation_id)
    if roles & _serving(op.api, entry):
        return False
    if roles & _components(entry, "answers405"):
        return True
    return op.api in PROFILES and bool(roles & _components(entry, "serves"))


def played(api: str) -> str:
    """The components the provider plays in ``api``, with the profile where it has one."""
    profile = PROFILES.get(api)
    return " and ".join(ROLES[api]) + (f" (profile {profile})" if profile else "")


def consent(api: str, version: str, operation_id: str) -> Consent:
    found = _entry(api, version, operation_id).get("consent", {})
    status = str(found.get("status", "not-stated"))
    if status == "required":
        return Consent("required")
    if status == "required-for-some":
        return Consent("some", frozenset(str(c) for c in found.get("for", ())))
    return Consent("none")


@cache
def scope_components(api: str, version: str) -> Mapping[str, str]:
    """Per role scope of an API version, the component it names (empty when the API
    has one scope for every caller)."""
    roles = _roles()["apis"][api]["versions"][version].get("scopeRoles", {})
    return {scope: str(entry["component"]) for scope, entry in roles.items()}


def needs_consent(op: spec.Operation, scopes: frozenset[str]) -> bool:
    """Whether a caller holding ``scopes`` needs the school's consent for ``op``.

    For an operation that needs consent only for some callers, the caller acts in the
    role of each scope it holds that grants the operation; one role outside that list
    (an entitlement manager reading a delivery order) needs none.
    """
    rule = consent(op.api, op.version, op.operation_id)
    if rule.status == "required":
        return True
    if rule.status == "none":
        return False
    named = scope_components(op.api, op.version)
    acting = {named.get(s, "") for s in scopes if s in op.scopes}
    return not acting or acting <= rule.components


def consent_apis() -> tuple[str, ...]:
    """The chain APIs served whose data needs a school's consent for some caller."""
    needed = []
    for api in chain_apis():
        version = spec.api(api).current
        if any(
            consent(api, version, op.operation_id).status != "none"
            for op in spec.operations(api, version)
            if serves(op)
        ):
            needed.append(api)
    return tuple(needed)


def chain_scopes() -> list[str]:
    """Every scope of the chain APIs served, in t and t-1: those an API version lists
    and those its operations ask for (progress 0.0.1 asks for one it does not list)."""
    found: set[str] = set()
    for api in chain_apis():
        for version in spec.versions(api):
            found.update(spec.api_version(api, version).scopes)
            found.update(s for op in spec.operations(api, version) for s in op.scopes)
    return sorted(found)
