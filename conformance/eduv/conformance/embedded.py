"""The suite's view of the embedded reference provider: a run configured to test it.

``eduv conformance run`` without a target starts :mod:`eduv.provider.embedded` and points
the run at it with :func:`configure`: its root and token endpoint, both of its clients
(the one without consent marked so), every school of its dataset (the one without consent
marked so), its provisioning API, and the supplier and boards of the processing
agreements it registers. :func:`embedded` also starts the suite's callback
listener first, so that the provider knows where to send the confirmations of the
chain's requests, and lets the chain's writing checks run: the reference provider is
there to be written to, pre-1.0 chain APIs included.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eduv import spec
from eduv.conformance.chain.listener import Listener
from eduv.conformance.config import (
    CHAIN_READ_APIS,
    CHAIN_WRITE_APIS,
    Agreements,
    Credential,
    Provisioning,
    RunConfig,
    SchoolTarget,
    is_pre_release,
)
from eduv.provider.embedded import CLIENT, CLIENT_WITHOUT_CONSENT, Embedded, running


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
        agreements=_agreements(provider),
        target_label=base.target_label or f"reference provider (embedded) at {provider.url}",
        as_of=base.as_of,
    )


def _agreements(provider: Embedded) -> Agreements:
    """The supplier of the provider's registered agreements and the boards it has them with."""
    registered = provider.chain.objects.get("agreements", []) if provider.chain else []
    if not registered:
        return Agreements()
    oin = str(registered[0]["supplierOin"])
    boards = tuple(sorted({str(a["boardId"]) for a in registered if a["supplierOin"] == oin}))
    return Agreements(oin, boards)


def with_chain_writes(cfg: RunConfig) -> RunConfig:
    """The run set to write to the chain: consumer mode on, and every pre-1.0 chain API
    the provider serves tested all the same."""
    modes = cfg.modes if "consumer" in cfg.modes else (*cfg.modes, "consumer")
    served = dict.fromkeys((*CHAIN_READ_APIS, *CHAIN_WRITE_APIS))
    early = tuple(
        api
        for api in served
        if any(is_pre_release(v) for v in spec.versions(api)) and api not in cfg.pre_release
    )
    return cfg.with_changes(chain_writes=True, modes=modes, pre_release=(*cfg.pre_release, *early))


@contextmanager
def embedded(
    cfg: RunConfig,
    *,
    database: str | None = None,
    faults: Sequence[str] = (),
    default_modes: bool = True,
) -> Iterator[tuple[RunConfig, Listener]]:
    """The embedded provider with the suite's listener; ``default_modes`` adds consumer
    mode (a run that chose its modes keeps them)."""
    callback = cfg.callback
    with Listener(client_id=callback.client_id, secret=callback.secret) as listener:
        confirmations: dict[str, Any] = {
            "url": listener.url,
            "auth": {
                "type": "client-credentials",
                "tokenUrl": listener.token_url,
                "clientId": listener.client_id,
                "secret": listener.secret,
            },
        }
        with running(
            database=database, faults=faults, seed=cfg.seed, confirmations=confirmations
        ) as emb:
            chosen = (
                with_chain_writes(cfg) if default_modes else cfg.with_changes(chain_writes=True)
            )
            yield configure(chosen, emb), listener
