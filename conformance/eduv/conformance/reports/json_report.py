"""The JSON report (``spec/conformance-report/1/report.json`` describes it), with its
SHA-256 digest and an optional JWS signature by the tester's key.

The digest covers the canonical JSON (sorted keys, no spaces) of the whole report
except its ``integrity`` member. The signature is a compact JWS whose payload is that
digest; its header carries the public key, and a customer verifies against the key the
tester published (``eduv conformance verify report.json --key tester.jwks.json``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from eduv import spec
from eduv.conformance.model import Outcome, Result, worst
from eduv.conformance.runner import Run

REPORT_VERSION = 1


REPORT_SCHEMA = "conformance-report/1/report.json"


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


def summary(run: Run) -> dict[str, Any]:
    folded = check_outcomes(run)
    by_check = Counter(o.value for o in folded.values())
    by_result = Counter(r.outcome.value for r in run.results)
    return {
        "passed": run.passed,
        "checks": {o.value: by_check.get(o.value, 0) for o in Outcome},
        "results": {o.value: by_result.get(o.value, 0) for o in Outcome},
        "failedChecks": sorted(run.failed_ids()),
    }


def build(run: Run) -> dict[str, Any]:
    info = run.info
    folded = check_outcomes(run)
    checks = []
    for check_id in sorted(folded):
        spec = run.checks.get(check_id)
        entry: dict[str, Any] = spec.to_json() if spec else {"id": check_id}
        entry["outcome"] = folded[check_id].value
        checks.append(entry)
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
        },
        "summary": summary(run),
        "checks": checks,
        "results": [r.to_json() for r in _ordered(run.results)],
    }
    if run.extra:
        doc["scenario"] = run.extra
    return doc


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
