"""Observe mode and the Consent API: a school's consents are among all consents.

The Consent API has no lookup by id. What a source answers for one school
(``GET /consent/statuses/school``) is held against what it answers without one
(``GET /consent/statuses``), read with the same token: every consent answered for the
school must name that school, and be one of the consents of the whole list.

In 0.0.2 the API is part of the path (``/consentstatuses/{api}``), so there is one list
per API; each is held against the current version's list of every consent, narrowed to
that API and converted down (EDUV-CONF-VER-002).
"""

from __future__ import annotations

from collections.abc import Callable

from eduv import spec
from eduv.conformance.observe.judging import compare_lists
from eduv.conformance.reads import JsonObject, ObserveContext, Observed, canonical, judge
from eduv.conformance.tally import Tally
from eduv.rules.values import school_label

CONSENT_API = "consent-api"
ALL = "get-consent-statuses"
FOR_SCHOOL = "get-consent-statuses-by-school"


def match_consents(ctx: ObserveContext, tally: Tally) -> None:
    """EDUV-CONF-LIST-001 for the consents read per school."""
    for item in ctx.observed:
        if item.purpose != "read" or item.op.api != CONSENT_API or not item.ok:
            continue
        if item.op.operation_id != FOR_SCHOOL or item.school is None:
            continue
        _judge_school(ctx, tally, item)


def _judge_school(ctx: ObserveContext, tally: Tally, item: Observed) -> None:
    op = item.op
    everything = _everything(ctx, item)
    registered = {canonical(o) for o in everything.objects()} if everything is not None else None
    for index, consent in enumerate(item.objects()):
        school = consent.get("school")
        # 0.0.2 names the school by its one identifier, edu_org_id
        named = school_label(school) if isinstance(school, dict) else consent.get("edu_org_id")
        params = {"operation": op.operation_id, "school": item.school}
        if named != item.school:
            judge(tally, item, "other-school", {**params, "named": named or "-"}, index=index)
        elif registered is not None and canonical(consent) not in registered:
            api = str(consent.get("api"))
            judge(tally, item, "not-registered", {**params, "api": api}, index=index)
        else:
            judge(tally, item, None)


def _everything(ctx: ObserveContext, item: Observed) -> Observed | None:
    """The read of every consent for the same API as ``item`` (in 0.0.2 the API is part
    of the path, so there is one such read per API)."""
    for other in ctx.reads(item.op.api, item.op.version, ALL):
        same = other.params.get("api") == item.params.get("api")
        if other.ok and same and not set(other.params) - {"api"}:
            return other
    return None


def compare_consent_versions(
    ctx: ObserveContext, tally: Tally, down: Callable[[JsonObject], JsonObject | None]
) -> None:
    """EDUV-CONF-VER-002 for the previous version's lists per API (``down`` converts a
    current consent, ``None`` when that version cannot express it)."""
    current, previous = spec.api(CONSENT_API).current, spec.api(CONSENT_API).previous
    everything = ctx.listing(CONSENT_API, current, ALL, None)
    if everything is None or (CONSENT_API, previous) not in ctx.pairs:
        return
    for older in ctx.reads(CONSENT_API, previous, ALL):
        asked = older.params.get("api")
        if not older.ok or asked is None or set(older.params) - {"api"}:
            continue  # a list of every API is compared as any list is
        newer = [o for o in everything.objects() if (down(o) or {}).get("api") == asked]
        compare_lists(tally, older, newer, current, down)
