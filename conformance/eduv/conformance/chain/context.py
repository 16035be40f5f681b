"""What the chain's writing checks share in one run: the pairs they test, a token, the
callback listener, the request bodies and the log of everything exchanged.

The suite sends a target orders, delivery orders and the like only when the tester asked
for it: with a ``[callback]`` table (the address the target sends confirmations to), or
by running without a target, against the embedded reference provider. A real ordering
system must never receive an order from a run that was only meant to read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from eduv import spec
from eduv.conformance.chain.bodies import Bodies
from eduv.conformance.chain.exchange import Log, Requester
from eduv.conformance.chain.listener import Listener
from eduv.conformance.config import CHAIN_WRITE_APIS, Credential, RunConfig
from eduv.conformance.model import Note
from eduv.conformance.session import Session, TokenFailedError
from eduv.conformance.state import SuiteState
from eduv.dataset.chain import SchoolFacts

Pair = tuple[str, str]
LISTENER = "chain-listener"
CONTEXT = "chain-context"


@dataclass
class ChainContext:
    cfg: RunConfig
    session: Session
    pairs: list[Pair]
    requester: Requester | None = None
    bodies: Bodies | None = None
    why_not: Note | None = None  # why nothing can be sent, when nothing can
    log: Log = field(default_factory=lambda: Log([]))
    # Pairs found not served (the first valid request answered 404 or 405).
    not_served: set[Pair] = field(default_factory=set)
    credential: Credential | None = None
    scopes: frozenset[str] = frozenset()  # what the run's token was granted

    def narrow_token(self, needed: tuple[str, ...]) -> str | None:
        """A token of the run's client that holds none of ``needed``: one other scope
        it was granted (``None`` when it holds no other)."""
        others = sorted(self.scopes - set(needed))
        if self.credential is None or not others:
            return None
        try:
            return self.session.grant(self.credential, [others[0]]).token
        except TokenFailedError:
            return None

    def open_pairs(self, apis: tuple[str, ...] | None = None) -> Iterator[Pair]:
        for pair in self.pairs:
            if pair not in self.not_served and (apis is None or pair[0] in apis):
                yield pair


def write_pairs(cfg: RunConfig) -> list[Pair]:
    """(api, version) of the chain's writing APIs the run covers."""
    found: list[Pair] = []
    for api in CHAIN_WRITE_APIS:
        if api not in cfg.apis:
            continue
        for version in cfg.versions:
            pair = spec.resolve_version(api, version)
            if pair not in found and not cfg.left_out(*pair):
                found.append(pair)
    return found


def listener(state: SuiteState) -> Listener | None:
    """The run's callback listener: the one given (the embedded run starts it before
    the provider, which must know its address), else one started from ``[callback]``."""
    given = state.extra.get(LISTENER)
    if isinstance(given, Listener):
        return given
    if not state.cfg.chain_writes:
        return None
    callback = state.cfg.callback
    host, _, port = callback.listen.rpartition(":")
    started = Listener(
        host=host,
        port=int(port),
        public_url=callback.url,
        client_id=callback.client_id,
        secret=callback.secret,
    )
    started.start()
    state.extra[LISTENER] = started
    state.closing.append(started.stop)
    return started


def context(state: SuiteState) -> ChainContext:
    """The run's chain context, made once and shared by consumer and scenario mode."""
    found = state.extra.get(CONTEXT)
    if isinstance(found, ChainContext):
        return found
    ctx = ChainContext(state.cfg, state.session, write_pairs(state.cfg))
    state.extra[CONTEXT] = ctx
    if not ctx.pairs:
        ctx.why_not = Note("chain-no-pairs")
        return ctx
    heard = listener(state)
    if heard is None:
        ctx.why_not = Note("chain-writes-off")
        return ctx
    cred = state.session.credential(consent=True)
    if cred is None:
        ctx.why_not = Note("no-credential")
        return ctx
    try:
        grant = state.session.grant(cred)
    except TokenFailedError as exc:
        ctx.why_not = Note("chain-no-token", {"reason": exc.reason})
        return ctx
    token = grant.token
    ctx.credential, ctx.scopes = cred, grant.scopes
    ctx.requester = Requester(state.session, heard, token, state.cfg.callback.timeout)
    schools = [s.id for s in state.cfg.schools if s.consent]
    ctx.bodies = Bodies.build(schools or ["000A000"], _products(ctx, token), state.cfg.seed)
    ctx.log = Log(
        [
            SchoolFacts(sector=s.sector or "PO", organisationMasterIdentifier=s.id)
            for s in state.cfg.schools
        ]
    )
    return ctx


def _products(ctx: ChainContext, token: str) -> list[str]:
    """The product ids the target's catalogue serves, when it serves one."""
    api = "catalogue-api"
    try:
        op = spec.operation(api, spec.api(api).current, "get-all-products")
        answer = ctx.session.call(op, token=token)
    except (ValueError, KeyError, spec.SpecLookupError):
        return []
    if answer.status != 200:
        return []
    try:
        found = answer.json()
    except ValueError:
        return []
    if not isinstance(found, list):
        return []
    return [str(p["productId"]) for p in found if isinstance(p, dict) and p.get("productId")]
