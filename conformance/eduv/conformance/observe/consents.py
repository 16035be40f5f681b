"""Observe mode and the Consent API: a school's consents are among all consents.

The Consent API has no lookup by id. What a source answers for one school
(``GET /consent/statuses/school``) is held against what it answers without one
(``GET /consent/statuses``), read with the same token: every consent answered for the
school must name that school, and be one of the consents of the whole list.
"""

from __future__ import annotations

from eduv.conformance.reads import ObserveContext, Observed, canonical, judge
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
    everything = ctx.listing(op.api, op.version, ALL, None)
    registered = {canonical(o) for o in everything.objects()} if everything is not None else None
    for index, consent in enumerate(item.objects()):
        school = consent.get("school")
        named = school_label(school) if isinstance(school, dict) else None
        params = {"operation": op.operation_id, "school": item.school}
        if named != item.school:
            judge(tally, item, "other-school", {**params, "named": named or "-"}, index=index)
        elif registered is not None and canonical(consent) not in registered:
            api = str(consent.get("api"))
            judge(tally, item, "not-registered", {**params, "api": api}, index=index)
        else:
            judge(tally, item, None)
