"""Preflight: can the suite test this target at all, per API and version?

It reports whether a token was obtained, which scopes were granted, whether the tested
schools gave consent, and whether the version is answered. What cannot run is skipped
with that reason in the later modes. Pre-1.0 versions are not applicable: the standard
makes no promise of stability for them, so no conformance can be claimed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eduv import spec
from eduv.conformance.config import SOURCE_APIS, is_pre_release
from eduv.conformance.model import Outcome, Result
from eduv.conformance.observe.context import ObserveContext
from eduv.conformance.observe.conventions import probe_operation, status_code
from eduv.conformance.registry import register, spec_of
from eduv.conformance.session import Grant, TokenFailedError

TOKEN = "EDUV-CONF-PRE-001"
SCOPES = "EDUV-CONF-PRE-002"
CONSENT = "EDUV-CONF-PRE-003"
VERSION = "EDUV-CONF-PRE-004"

for _spec in (
    spec_of(
        TOKEN,
        "preflight",
        ("An access token is obtained", "Er wordt een toegangstoken verkregen"),
        (
            "Each configured credential gets an access token from the token endpoint with "
            "the client credentials grant (private_key_jwt or a client secret).",
            "Elke ingestelde credential krijgt een toegangstoken van het tokenendpoint via "
            "de client-credentials-grant (private_key_jwt of een clientgeheim).",
        ),
        ("oauth2:client_credentials", "rfc7523"),
    ),
    spec_of(
        SCOPES,
        "preflight",
        ("The token holds a scope of the API", "Het token heeft een scope van de API"),
        (
            "The scopes granted include at least one scope of the API version's operations; "
            "otherwise the API version is skipped.",
            "De verleende scopes bevatten minstens een scope van de operaties van de "
            "API-versie; anders wordt de API-versie overgeslagen.",
        ),
        ("convention:scope-any-of",),
    ),
    spec_of(
        CONSENT,
        "preflight",
        ("The tested schools gave consent", "De geteste scholen gaven toestemming"),
        (
            "A first read for each school is not refused for want of consent (status 22); "
            "otherwise the API version is skipped for that school.",
            "Een eerste leesactie per school wordt niet geweigerd wegens ontbrekende "
            "toestemming (status 22); anders wordt de API-versie voor die school "
            "overgeslagen.",
        ),
        ("spec:StatusResponse/status=22",),
    ),
    spec_of(
        VERSION,
        "preflight",
        ("The API version is answered", "De API-versie wordt beantwoord"),
        (
            "A first read with the API-Version header of this version is answered "
            "successfully; otherwise the version is skipped as not served.",
            "Een eerste leesactie met de API-Version-header van deze versie slaagt; anders "
            "wordt de versie overgeslagen als niet geleverd.",
        ),
        ("convention:api-version-header", "convention:url-layout"),
    ),
):
    register(_spec)


@dataclass
class Preflight:
    results: list[Result] = field(default_factory=list)
    grant: Grant | None = None
    runnable: list[tuple[str, str]] = field(default_factory=list)
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)


def run(ctx: ObserveContext) -> Preflight:
    out = Preflight()
    out.grant = _tokens(ctx, out)
    ctx.grant = out.grant
    for api, version in ctx.cfg.plan():
        reason = _pair(ctx, out, api, version)
        if reason is None:
            out.runnable.append((api, version))
        else:
            out.skipped[(api, version)] = reason
    return out


def _tokens(ctx: ObserveContext, out: Preflight) -> Grant | None:
    main: Grant | None = None
    if not ctx.cfg.credentials:
        out.results.append(Result(TOKEN, Outcome.SKIP, "no credentials are configured"))
    for cred in ctx.cfg.credentials:
        try:
            grant = ctx.session.grant(cred)
        except TokenFailedError as exc:
            out.results.append(Result(TOKEN, Outcome.FAIL, str(exc), subject=cred.name))
            continue
        scopes = " ".join(sorted(grant.scopes)) or "(none stated)"
        out.results.append(
            Result(TOKEN, Outcome.PASS, f"token obtained; scopes: {scopes}", subject=cred.name)
        )
        if cred.consent and main is None:
            main = grant
    return main


def _pair(ctx: ObserveContext, out: Preflight, api: str, version: str) -> str | None:
    """Preflight of one API version; the reason it cannot run, or None."""
    if is_pre_release(version):
        reason = f"{api} {version} is a pre-1.0 version: conformance cannot be claimed"
        for check_id in (SCOPES, CONSENT, VERSION):
            out.results.append(Result(check_id, Outcome.NOT_APPLICABLE, reason, api, version))
        return reason
    if api not in SOURCE_APIS:
        reason = f"{api} is not an API the suite observes at a source"
        out.results.append(Result(VERSION, Outcome.NOT_APPLICABLE, reason, api, version))
        return reason
    return _scopes(ctx, out, api, version) or _answered(ctx, out, api, version)


def _scopes(ctx: ObserveContext, out: Preflight, api: str, version: str) -> str | None:
    wanted = set(spec.api_version(api, version).scopes)
    held = ctx.grant.scopes if ctx.grant else frozenset()
    if ctx.grant is None:
        reason = "no token with consent was obtained"
    elif held and not wanted & held:
        reason = f"the token holds none of the scopes {', '.join(sorted(wanted))}"
    else:
        granted = ", ".join(sorted(wanted & held)) or "not stated by the token endpoint"
        out.results.append(Result(SCOPES, Outcome.PASS, f"granted: {granted}", api, version))
        return None
    out.results.append(Result(SCOPES, Outcome.SKIP, reason, api, version))
    return reason


def _answered(ctx: ObserveContext, out: Preflight, api: str, version: str) -> str | None:
    op = probe_operation(api, version)
    if op is None or not ctx.schools:
        reason = "no school to test is configured" if op else "no list operation to probe"
        out.results.append(Result(VERSION, Outcome.SKIP, reason, api, version))
        return reason
    refused = []
    for school in ctx.schools:
        item = ctx.read(op, school.id, {"orgMasterId": school.id}, purpose="preflight")
        status = item.answer.status
        if status is not None and 200 <= status < 300:
            continue
        code = status_code(_json(item.answer.content))
        if status == 403 and code == 22:
            refused.append(school.id)
            continue
        reason = f"{op.operation_id} answered HTTP {status}: the version is not served"
        out.results.append(Result(VERSION, Outcome.SKIP, reason, api, version))
        return reason
    out.results.append(Result(VERSION, Outcome.PASS, f"{op.operation_id} answered", api, version))
    if refused:
        reason = f"no consent of {', '.join(refused)}"
        out.results.append(Result(CONSENT, Outcome.SKIP, reason, api, version))
        return reason
    out.results.append(
        Result(CONSENT, Outcome.PASS, "consent for every tested school", api, version)
    )
    return None


def _json(content: bytes) -> object:
    import orjson

    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None
