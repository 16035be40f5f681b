"""The JSON report (``spec/conformance-report/2/report.json`` describes it), with its
SHA-256 digest and an optional JWS signature by the tester's key.

The digest covers the canonical JSON (sorted keys, no spaces) of the whole report
except its ``integrity`` member. The signature is a compact JWS whose payload is that
digest; its header carries the public key, and a customer verifies against the key the
tester published (``eduv conformance verify report.json --key tester.jwks.json``).
"""

from __future__ import annotations

import hashlib
import shlex
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from eduv import spec
from eduv.conformance.baseline import Baseline
from eduv.conformance.catalogue import load
from eduv.conformance.model import Exchange, Finding, Outcome, Result, worst
from eduv.conformance.runner import Run

REPORT_VERSION = 2
REPORT_SCHEMA = "conformance-report/2/report.json"
# How much of an offending object a finding shows as evidence.
OBJECT_EXCERPT_CHARS = 1200


def report_schema_path() -> Path:
    return spec.root() / REPORT_SCHEMA


def report_schema() -> dict[str, Any]:
    return dict(spec.document(REPORT_SCHEMA))


def check_outcomes(run: Run) -> dict[str, Outcome]:
    """Each check's outcome over all its results (the worst one wins)."""
    grouped: dict[str, list[Outcome]] = {}
    for result in run.results:
        grouped.setdefault(result.check_id, []).append(result.outcome)
    return {check_id: worst(found) for check_id, found in grouped.items()}


def findings(run: Run) -> list[Finding]:
    """Every finding of the run, once, in a stable order."""
    seen: dict[str, Finding] = {}
    for result in run.results:
        for found in result.findings:
            seen.setdefault(found.fingerprint, found)
    return sorted(
        seen.values(),
        key=lambda f: (f.check_id, f.api or "", f.version or "", f.subject or "", f.fingerprint),
    )


def finding_counts(found: list[Finding]) -> dict[str, int]:
    excused = sum(1 for f in found if f.known_issue)
    errors = sum(1 for f in found if f.is_error)
    return {
        "total": len(found),
        "errors": errors,
        "warnings": sum(1 for f in found if f.severity != "error" and not f.known_issue),
        "excused": excused,
        "occurrences": sum(f.count for f in found),
    }


def summary(run: Run, found: list[Finding]) -> dict[str, Any]:
    folded = check_outcomes(run)
    by_check = Counter(o.value for o in folded.values())
    by_result = Counter(r.outcome.value for r in run.results)
    return {
        "passed": run.passed,
        "checks": {o.value: by_check.get(o.value, 0) for o in Outcome},
        "results": {o.value: by_result.get(o.value, 0) for o in Outcome},
        "findings": finding_counts(found),
        "failedChecks": sorted(run.failed_ids()),
    }


class _Exchanges:
    """The exchanges findings point at, each listed once under a short id."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.ids: dict[int, str] = {}
        self.docs: dict[str, dict[str, Any]] = {}

    def ref(self, exchange: Exchange | None) -> str | None:
        if exchange is None:
            return None
        key = id(exchange)
        if key not in self.ids:
            ident = f"x{len(self.ids) + 1}"
            self.ids[key] = ident
            doc = exchange.to_json()
            hint = token_command(self.run, exchange)
            if hint:
                doc["tokenCommand"] = hint
            self.docs[ident] = doc
        return self.ids[key]


def token_command(run: Run, exchange: Exchange) -> str | None:
    """How to get the token the curl line reads from $EDUV_TOKEN."""
    if exchange.token is None:
        return None
    words = ["eduv", "conformance", "token"]
    if run.info.config:
        words += ["--config", run.info.config]
    words += ["--credential", exchange.token.credential]
    for scope in exchange.token.scopes or ():
        words += ["--scope", scope]
    return "export EDUV_TOKEN=$(" + " ".join(shlex.quote(w) for w in words) + ")"


def render(run: Run, found: Finding) -> str:
    """A finding's sentence with its values, in the run's language."""
    if found.message is not None:
        return found.message
    return load().render(found.check_id, found.key, found.params, run.info.lang)


def note_text(run: Run, result: Result) -> str:
    return load().render(result.check_id, result.note.key, result.note.params, run.info.lang)


def _finding(run: Run, found: Finding, exchanges: _Exchanges) -> dict[str, Any]:
    place = found.where
    out: dict[str, Any] = {
        "fingerprint": found.fingerprint,
        "checkId": found.check_id,
        "key": found.key,
        "severity": found.severity,
        "message": render(run, found),
        "params": _plain(found.params),
        "count": found.count,
    }
    optional = {
        "api": found.api,
        "version": found.version,
        "subject": found.subject,
        "operation": place.operation,
        "component": place.component,
        "objectId": place.object_id,
        "pointer": place.pointer if place.object_id or place.pointer else None,
        "at": place.at,
        "exchange": exchanges.ref(place.evidence),
        "rule": found.rule,
        "sourceKind": found.source_kind,
        "knownIssue": found.known_issue,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    if found.interval is not None:
        out["interval"] = {"from": found.interval[0], "to": found.interval[1]}
    if place.item is not None:
        out["object"] = _excerpt(run.masker.json(place.item))
    return out


def _excerpt(value: Any) -> str:
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    cut = OBJECT_EXCERPT_CHARS
    return text if len(text) <= cut else text[:cut] + f"\n... ({len(text) - cut} more)"


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    """Message values as JSON: anything that is not a JSON scalar becomes its text."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None or isinstance(value, str | int | float | bool):
            out[key] = value
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            out[key] = list(value)
        else:
            out[key] = str(value)
    return out


def _result(run: Run, result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {
        "checkId": result.check_id,
        "outcome": result.outcome.value,
        "message": note_text(run, result),
        "note": {"key": result.note.key, "params": _plain(result.note.params)},
        "checked": result.checked,
        "findings": sorted({f.fingerprint for f in result.findings}),
    }
    optional = {
        "api": result.api,
        "version": result.version,
        "subject": result.subject,
        "knownIssue": result.known_issue,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def build(run: Run, baseline: Baseline | None = None) -> dict[str, Any]:
    """The report as a JSON document, masked: every format is rendered from it."""
    info = run.info
    folded = check_outcomes(run)
    found = findings(run)
    per_check = Counter(f.check_id for f in found)
    checks = []
    for check_id in sorted(folded):
        chk = run.checks.get(check_id)
        entry: dict[str, Any] = chk.to_json() if chk else {"id": check_id}
        entry["outcome"] = folded[check_id].value
        entry["findings"] = per_check.get(check_id, 0)
        checks.append(entry)
    exchanges = _Exchanges(run)
    listed = [_finding(run, f, exchanges) for f in found]
    doc: dict[str, Any] = {
        "reportVersion": REPORT_VERSION,
        "run": {
            "suiteVersion": info.suite_version,
            "specVersions": info.spec_versions,
            "seed": info.seed,
            "target": info.target,
            "modes": info.modes,
            "started": info.started,
            "finished": info.finished,
            "seconds": info.seconds,
            "requests": info.requests,
            "waitingSeconds": info.waiting_seconds,
            "lang": info.lang,
            "personalDataMasked": run.masker.personal,
        },
        "summary": summary(run, found),
        "checks": checks,
        "results": [_result(run, r) for r in _ordered(run.results)],
        "findings": listed,
        "exchanges": exchanges.docs,
    }
    if run.extra:
        doc["scenario"] = run.extra
    if baseline is not None:
        compared = baseline.compare(listed)
        doc["baseline"] = compared
        doc["summary"]["baseline"] = {k: len(compared[k]) for k in ("new", "gone", "unchanged")}
        doc["summary"]["baseline"]["newErrors"] = compared["newErrors"]
    # The last net: personal values the source served, wherever they ended up in text.
    return dict(run.masker.scrub(doc))


def _ordered(results: list[Result]) -> list[Result]:
    return sorted(
        results, key=lambda r: (r.check_id, r.api or "", r.version or "", r.subject or "")
    )


def canonical(doc: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "integrity"}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def digest(doc: Mapping[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical(doc)).hexdigest()


def seal(doc: dict[str, Any], key_path: str | None = None) -> dict[str, Any]:
    """Add the digest, and a signature when a private key (PEM) is given."""
    integrity: dict[str, Any] = {"algorithm": "sha256", "digest": digest(doc)}
    if key_path is not None:
        integrity.update(_sign(integrity["digest"], key_path))
    doc["integrity"] = integrity
    return doc


def _sign(value: str, key_path: str) -> dict[str, Any]:
    from joserfc import jws

    from eduv import keys

    pair = keys.load(key_path)
    header = {"alg": pair.alg, "kid": pair.kid, "jwk": pair.public_jwk()}
    token = jws.serialize_compact(header, value.encode(), pair.key, algorithms=[pair.alg])
    return {"signature": token, "kid": pair.kid}


class VerificationError(ValueError):
    pass


def verify(doc: Mapping[str, Any], trusted_jwks: Mapping[str, Any] | None = None) -> str:
    """Check the digest, and the signature when there is one; returns what was verified."""
    integrity = doc.get("integrity")
    if not isinstance(integrity, Mapping):
        raise VerificationError("the report has no integrity member")
    expected = digest(doc)
    if integrity.get("digest") != expected:
        raise VerificationError("the digest does not match the report: it was changed")
    token = integrity.get("signature")
    if token is None:
        return "digest matches (the report is not signed)"
    if trusted_jwks is None:
        raise VerificationError("the report is signed: give the tester's public key to verify it")
    return _verify_signature(str(token), expected, trusted_jwks)


def _verify_signature(token: str, expected: str, trusted: Mapping[str, Any]) -> str:
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        keyset = KeySet.import_key_set(dict(trusted))  # type: ignore[arg-type]
        found = jws.deserialize_compact(token, keyset)
    except (JoseError, ValueError) as exc:
        raise VerificationError(f"the signature is not valid for the given key: {exc}") from None
    if found.payload.decode() != expected:
        raise VerificationError("the signature covers another digest")
    kid = found.headers().get("kid", "?")
    return f"digest matches and the signature by key {kid} is valid"


def write(doc: Mapping[str, Any], path: Path) -> None:
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
