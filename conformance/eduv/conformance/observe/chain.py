"""Observe mode: the chain rules over what the chain reads served.

The objects read in the current versions of the chain APIs (the catalogue's products
and product summaries, each school's delivery orders and entitlements, the grouped
entitlements of the contracts read, the usage reports of the delivery orders read) are
assembled into a chain dataset, with the
configured schools as its schools; the rule engine's chain rules then check them
against each other, and every finding points at the answer and the object it came from.

A chain rule is judged only when everything it looks at can be read here
(``OBSERVED_RULES``): a rule that also concerns what observe mode does not read
(requests and confirmations, orders, activation codes, first activations) or the school
facts no message carries (pupils, staff, study years) is not applicable, rather than failing on
data it was never shown or passing on data it never saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from eduv import spec
from eduv.conformance.config import CHAIN_READ_APIS
from eduv.conformance.observe.consents import CONSENT_API, compare_consent_versions
from eduv.conformance.observe.judging import compare_versions, nearest, rule_finding
from eduv.conformance.reads import (
    ID_MEMBERS,
    JsonObject,
    ObserveContext,
    Observed,
    open_lists,
    school_params,
    where,
)
from eduv.conformance.session import list_operations
from eduv.conformance.tally import Tally
from eduv.dataset.chain import (
    ChainDataset,
    SchoolFacts,
    chain_object_in,
)
from eduv.rules import Rule, check_chain_dataset, load_catalogue
from eduv.rules.binding import CHAIN_CHECKS

# The chain rules over nothing but what the chain reads serve: products and product
# summaries, delivery orders, entitlements, the contract views and usage reports. The
# others also look at requests and confirmations, orders, activation codes, first
# activations, consents, or at school facts no message carries (pupils, staff, study
# years), which observe mode never reads.
OBSERVED_RULES = frozenset(
    {
        "EDUV-PRODUCT-008",
        "EDUV-PRODUCT-009",
        "EDUV-PRODUCT-016",
        "EDUV-PRODUCT-024",
        "EDUV-CHAIN-003",
        "EDUV-CHAIN-013",
        "EDUV-CHAIN-018",
        "EDUV-CHAIN-025",
        "EDUV-CHAIN-027",
        "EDUV-CHAIN-028",
        "EDUV-CHAIN-029",
        "EDUV-CHAIN-055",
        "EDUV-CHAIN-024",
        "EDUV-CHAIN-044",
    }
)

# Per collection of the chain dataset: the reads whose answers fill it.
SOURCES = {
    "products": ("catalogue-api", "get-all-products"),
    "productInfo": ("catalogue-api", "get-all-products-info"),
    "deliveryOrders": ("delivery-api", "get-delivery-orders-for-school"),
    "entitlements": ("entitlement-api", "get-entitlements-for-school"),
    "deliveryOrderEntitlements": ("entitlement-api", "get-entitlements-by-contract"),
    # Per delivery order: the school's usage combines its delivery orders' reports.
    "deliveryOrderUsage": ("usage-api", "get-usage-by-deliveryorder"),
}
ID_MEMBER = {
    "products": "productId",
    "productInfo": "productId",
    "deliveryOrders": "deliveryOrderId",
    "entitlements": "entitlementId",
    "deliveryOrderEntitlements": "deliveryOrderId",
    "deliveryOrderUsage": "deliveryOrderId",
}


def is_chain_rule(rule: Rule) -> bool:
    return rule.id in CHAIN_CHECKS


def judged(rule: Rule, ctx: ObserveContext) -> bool:
    """Whether observe mode judges a chain rule: it reads everything the rule looks at."""
    read = {a for a, v in ctx.pairs if a in CHAIN_READ_APIS and v == spec.api(a).current}
    return rule.id in OBSERVED_RULES and set(rule.applies_to) <= read


@dataclass
class ChainObservation:
    dataset: ChainDataset
    origins: dict[str, tuple[Observed, int]] = field(default_factory=dict)


def observed_chain(ctx: ObserveContext) -> ChainObservation | None:
    """What the chain reads served in the current versions, as a chain dataset."""
    shapes = {
        a: spec.api(a).current for a in CHAIN_READ_APIS if (a, spec.api(a).current) in ctx.pairs
    }
    if not shapes:
        return None
    schools = [
        SchoolFacts(sector=s.sector or "PO", organisationMasterIdentifier=s.id) for s in ctx.schools
    ]
    found = ChainObservation(ChainDataset(shapes=shapes, schools=schools))
    for name, (api, operation_id) in SOURCES.items():
        if api not in shapes:
            continue
        seen: set[str] = set()
        items = found.dataset.items(name)
        for item in ctx.reads(api, shapes[api], operation_id):
            if not item.ok or _filtered(item):
                continue
            for index, obj in enumerate(item.objects()):
                key = str(obj.get(ID_MEMBER[name]))
                if key in seen:
                    continue
                seen.add(key)
                found.origins[f"/{name}/{len(items)}"] = (item, index)
                items.append(obj)
    return found


def _filtered(item: Observed) -> bool:
    return any(k not in {"orgMasterId", "id"} for k in item.params)


def record_chain_rules(ctx: ObserveContext, tallies: dict[str, Tally]) -> None:
    """Run the chain rules observe mode judges over what was read; report each finding
    in the answer the object came from."""
    seen = observed_chain(ctx)
    if seen is None:
        return
    rules = load_catalogue().by_id
    for violation in check_chain_dataset(seen.dataset, ctx.cfg.lang, message_rules=False):
        rule = rules.get(violation.rule or "")
        if rule is None or not judged(rule, ctx):
            continue
        origin = nearest(seen.origins, violation.instance_path)
        if origin is None:
            continue
        (item, index), rest = origin
        place = where(item, index, rest)
        rule_finding(tallies[rule.id], violation, item.op.api, item.op.version, place, item.school)


def compare_chain_versions(ctx: ObserveContext, tally: Tally) -> None:
    """EDUV-CONF-VER-002 for the chain reads: each t-1 list holds the t list converted
    with the chain conversion table (an object t-1 cannot express is not expected)."""
    for api in CHAIN_READ_APIS:
        current, previous = spec.api(api).current, spec.api(api).previous
        if (api, current) not in ctx.pairs or (api, previous) not in ctx.pairs:
            continue
        schools = [s for s in ctx.testable(api, current) if s in ctx.testable(api, previous)]
        for op in [*open_lists(api, previous), *list_operations(api, previous)]:
            body = op.success[1]
            if body is None or (not body.array and body.message not in ID_MEMBERS):
                continue  # an answer that is no object of the chain (a verification)
            down = partial(_down, api, body.message)
            named = [s.id for s in schools] if school_params(op, "-") else [None]
            for school in named:
                compare_versions(ctx, tally, op, current, school, down)
    compare_consent_versions(ctx, tally, partial(_down, CONSENT_API, "ConsentStatus"))


def _down(api: str, component: str, obj: JsonObject) -> JsonObject | None:
    found = chain_object_in(api, spec.api(api).previous, component, obj)
    return found[0] if len(found) == 1 else None
