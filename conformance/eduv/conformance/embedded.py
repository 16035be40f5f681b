"""The suite's view of the embedded reference provider: a run configured to test it.

``eduv conformance run`` without a target starts :mod:`eduv.provider.embedded` and points
the run at it with :func:`configure`: its root and token endpoint, both of its clients
(the one without consent marked so), every school of its dataset (the one without consent
marked so) and its provisioning API.
"""

from __future__ import annotations

from eduv.conformance.config import Credential, Provisioning, RunConfig, SchoolTarget
from eduv.provider.embedded import CLIENT, CLIENT_WITHOUT_CONSENT, Embedded


def configure(base: RunConfig, provider: Embedded) -> RunConfig:
    """``base`` pointed at ``provider``, with its clients and schools."""
    return base.with_changes(
        root=provider.url,
        token_url=provider.url + "/oauth2/token",
        credentials=(
            Credential("conformance", CLIENT, secret=provider.secret),
            Credential(
                "without-consent", CLIENT_WITHOUT_CONSENT, secret=provider.secret, consent=False
            ),
        ),
        schools=tuple(
            SchoolTarget(
                s.key,
                provider.dataset.facts[s.key].sector,
                consent=s.key not in provider.without_consent,
            )
            for s in provider.dataset.schools
        ),
        provisioning=Provisioning(url=provider.url, token=provider.provisioning_token),
        target_label=base.target_label or f"reference provider (embedded) at {provider.url}",
        as_of=base.as_of,
    )
