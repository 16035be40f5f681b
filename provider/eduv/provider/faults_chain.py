"""The object transforms of the Usage and Consent API faults (see ``eduv.provider.faults``).

Each takes the message about to be served and its objects, and returns the objects as
the faulty source would serve them; any other message passes unchanged.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]

# The Usage messages and where each holds its entries (EntitlementUsage).
USAGE_MESSAGES = frozenset({"DeliveryOrderUsage", "SchoolUserUsage"})


def usage_status_active(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Every usage entry is served with a status the Usage API does not list."""
    if message == "EntitlementUsage":
        return [{**d, "entitlementStatus": "active"} for d in docs]
    if message not in USAGE_MESSAGES:
        return docs
    return [
        {**d, "entitlements": [{**e, "entitlementStatus": "active"} for e in d["entitlements"]]}
        for d in docs
    ]


def usage_totals_off(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Usage totals count one licence more than the entries hold (a stale counter)."""
    if message not in USAGE_MESSAGES:
        return docs
    return [{**d, "totalLicensed": int(d.get("totalLicensed", 0)) + 1} for d in docs]


def consent_status_granted(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Consents are served with a providerStatus the Consent API does not list."""
    granted = [{**d, "providerStatus": "granted"} for d in docs]
    return granted if message == "ConsentStatus" else docs


def consent_reference_dropped(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Accepted consents are served without the provider's reference."""
    accepted = ("accepted", "ConsentStatus")
    return [
        {**d, "providerReferenceId": ""} if (d.get("providerStatus"), message) == accepted else d
        for d in docs
    ]


# The register checks an agreement against the supplier, board and ecosystem asked for,
# but not against the data services.
SERVICES_IGNORED = "agreement-services-ignored"


def agreement_dates_with_time(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Agreements are served with a moment where the text asks for a date."""
    if message != "Agreement":
        return docs
    return [
        {**d, **{k: f"{d[k]}T00:00:00Z" for k in ("startDate", "endDate") if k in d}} for d in docs
    ]
