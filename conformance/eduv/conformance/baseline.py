"""Comparing a run with an earlier one: which findings are new, which are gone.

A finding is the same finding in two runs when its fingerprint is the same
(:mod:`eduv.conformance.fingerprint`), so the comparison needs nothing but the earlier
``report.json``. ``--fail-on new`` then lets a pipeline fail on what a change of the
source broke, while problems it already had are listed without failing the build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

# The first report format with findings and their fingerprints.
FIRST_VERSION = 2


class BaselineError(ValueError):
    """The baseline report cannot be read or has no findings to compare with."""


@dataclass(frozen=True)
class Baseline:
    """The findings of an earlier report, by fingerprint."""

    source: str
    findings: dict[str, dict[str, Any]]
    digest: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        where = str(path)
        try:
            doc = orjson.loads(Path(path).read_bytes())
        except OSError as exc:
            reason = exc.strerror or exc
            raise BaselineError(f"{where}: cannot read the baseline report ({reason})") from None
        except orjson.JSONDecodeError as exc:
            raise BaselineError(f"{where}: the baseline report is not JSON ({exc})") from None
        if not isinstance(doc, dict) or "reportVersion" not in doc:
            raise BaselineError(f"{where}: not an eduv conformance report (no reportVersion)")
        version = doc["reportVersion"]
        if not isinstance(version, int) or version < FIRST_VERSION:
            raise BaselineError(
                f"{where}: report format {version} has no findings with fingerprints; "
                f"a baseline needs format {FIRST_VERSION} or later (run the suite again "
                "with this version and use that report)"
            )
        listed = doc.get("findings")
        if not isinstance(listed, list):
            raise BaselineError(f"{where}: the report has no findings list")
        found = {
            str(f["fingerprint"]): f for f in listed if isinstance(f, dict) and "fingerprint" in f
        }
        integrity = doc.get("integrity")
        digest = integrity.get("digest") if isinstance(integrity, dict) else None
        return cls(where, found, digest if isinstance(digest, str) else None)

    def compare(self, listed: list[dict[str, Any]]) -> dict[str, Any]:
        """Mark each finding of this run ``new`` or ``unchanged`` and list those gone."""
        now = {f["fingerprint"] for f in listed}
        new: list[str] = []
        unchanged: list[str] = []
        new_errors = 0
        for found in listed:
            if found["fingerprint"] in self.findings:
                found["baseline"] = "unchanged"
                unchanged.append(found["fingerprint"])
            else:
                found["baseline"] = "new"
                new.append(found["fingerprint"])
                if found["severity"] == "error" and not found.get("knownIssue"):
                    new_errors += 1
        gone = [
            {
                k: old[k]
                for k in ("fingerprint", "checkId", "severity", "api", "version", "message")
                if k in old
            }
            for fp, old in sorted(self.findings.items())
            if fp not in now
        ]
        out: dict[str, Any] = {
            "report": self.source,
            "new": new,
            "gone": gone,
            "unchanged": unchanged,
            "newErrors": new_errors,
        }
        if self.digest:
            out["digest"] = self.digest
        return out
