"""Reading the source: what was read, and the one door every read goes through.

Preflight and observe mode never change anything at the source:
:meth:`ObserveContext.read` refuses any operation that is not on the read-only
allow-list (the operations the spec marks read-only: lists, lookups by id and the POST
searches that only read), and records every answer for the checks to judge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from eduv import spec
from eduv.conformance.config import OBSERVED_APIS, RunConfig, SchoolTarget
from eduv.conformance.http import Answer
from eduv.conformance.mask import Masker
from eduv.conformance.model import Where
from eduv.conformance.session import Grant, Session, list_operations
from eduv.conformance.tally import Tally
from eduv.dataset.model import school_key
from eduv.spec import Operation

JsonObject = dict[str, Any]

# The id member of the message each lookup-by-id operation returns.
ID_MEMBERS = {
    "SchoolPeriod": "schoolPeriodId",
    "Enrollment": "enrollmentId",
    "Assignment": "assignmentId",
    "Group": "groupId",
    "StudyOffering": "studyOfferingId",
    "SubjectOffering": "subjectOfferingId",
    "Product": "productId",
    "ProductInfo": "productId",
    "DeliveryOrder": "deliveryOrderId",
    "Entitlement": "entitlementId",
    "DeliveryOrderEntitlements": "deliveryOrderId",
    "DeliveryOrderUsage": "deliveryOrderId",
    "EntitlementUsage": "entitlementId",
    "Agreement": "agreementId",
}


class NotAllowedError(RuntimeError):
    """A check tried an operation that observe mode may not call."""


def allowed(op: Operation) -> bool:
    return op.read_only and op.api in OBSERVED_APIS


def probe_operation(api: str, version: str) -> Operation | None:
    """The operation a probe calls: the first list of a school's objects, else (an API
    about no school, such as the Catalogue API) its first list, else its first read
    whose path :func:`read_params` can fill (Consent 0.0.2)."""
    found = [op for op in list_operations(api, version) if allowed(op)]
    found = found or [op for op in open_lists(api, version) if allowed(op)]
    found = found or [op for op in path_lists(api, version) if allowed(op)]
    return found[0] if found else None


def open_lists(api: str, version: str) -> list[Operation]:
    """The GET lists of an API version that name no school and no object (the catalogue)."""
    return [
        op
        for op in spec.operations(api, version)
        if op.method == "GET"
        and op.read_only
        and not ({"orgMasterId", "orgId"} & set(op.parameter_in))
        and "path" not in op.parameter_in.values()
    ]


def school_params(op: Operation, school: str | None) -> dict[str, Any]:
    """The parameters that name ``school`` in a call of ``op`` (none when it takes none)."""
    if school is None or "orgMasterId" not in op.parameter_in:
        return {}
    return {"orgMasterId": school}


DPA_API = "dpa-api"


def agreement_params(cfg: RunConfig, board: str | None = None) -> dict[str, Any]:
    """What a read of the DPA API asks about: the configured supplier and ``board`` (the
    first configured one by default), in the Edu-V ecosystem."""
    agreements = cfg.agreements
    if not agreements.named:
        return {}
    chosen = board or agreements.boards[0]
    return {"supplierOin": agreements.supplier_oin, "boardId": chosen, "ecosystem": "Edu-V"}


# Path parameters a read can name without an object to look up: the API whose consents
# a Consent 0.0.2 read asks for, and the school it names (by its RIO code).
PATH_NAMES = frozenset({"api", "edu_org_id"})


def parameter_values(op: Operation, name: str) -> list[str]:
    """The values a parameter's schema lists, or its items' for a list (the APIs of
    Consent 0.0.2, the data services of the DPA API), in the schema's order."""
    prop = spec.schema(op.api, op.version, op.parameters)["properties"].get(name, {})
    return [str(v) for v in prop.get("enum") or prop.get("items", {}).get("enum", ())]


def path_lists(api: str, version: str) -> list[Operation]:
    """The GET reads of an API version whose path names only what :data:`PATH_NAMES`
    holds (Consent 0.0.2 puts the API and the school in the path)."""
    return [
        op
        for op in spec.operations(api, version)
        if op.method == "GET"
        and op.read_only
        and any(where == "path" for where in op.parameter_in.values())
        and {n for n, where in op.parameter_in.items() if where == "path"} <= PATH_NAMES
    ]


def read_params(cfg: RunConfig, op: Operation, school: str | None) -> dict[str, Any]:
    """The parameters of a plain read of ``op`` for ``school``: the school where ``op``
    names one (in the query or, as ``edu_org_id``, in the path), the first API a path
    can name, and what the DPA API's reads ask about."""
    if op.api == DPA_API:
        return agreement_params(cfg)
    params = school_params(op, school)
    if op.parameter_in.get("api") == "path":
        params["api"] = parameter_values(op, "api")[0]
    if op.parameter_in.get("edu_org_id") == "path" and school is not None:
        params["edu_org_id"] = school
    return params


@dataclass(frozen=True, slots=True)
class Observed:
    """One call made in observe mode: which operation, for which school, and the answer."""

    op: Operation
    school: str | None
    params: Mapping[str, Any]
    answer: Answer
    requested_version: str | None
    purpose: str = "read"  # read, or the probe that made it (auth, scope, ...)
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    body: Any = field(default=None, compare=False, repr=False)  # what a POST read sent

    def objects(self) -> list[JsonObject]:
        """The objects of a successful answer (a list, or the one object), parsed once."""
        return list(self._parsed()[1])

    @property
    def is_list(self) -> bool:
        return self._parsed()[0]

    def _parsed(self) -> tuple[bool, tuple[JsonObject, ...]]:
        cached: tuple[bool, tuple[JsonObject, ...]] | None = self._cache.get("parsed")
        if cached is None:
            cached = _objects(self.answer)
            self._cache["parsed"] = cached
        return cached

    @property
    def ok(self) -> bool:
        status = self.answer.status
        return status is not None and 200 <= status < 300


def _objects(answer: Answer) -> tuple[bool, tuple[JsonObject, ...]]:
    if answer.status is None or not 200 <= answer.status < 300:
        return False, ()
    try:
        body = answer.json()
    except ValueError:
        return False, ()
    if isinstance(body, list):
        return True, tuple(o for o in body if isinstance(o, dict))
    return False, (body,) if isinstance(body, dict) else ()


# Messages with no id of their own, whose members together are the identity: a consent
# registration (its references may be empty, and one school has one per API).
WHOLE_IDENTITY = frozenset({"ConsentStatus"})


def object_id(message: str, obj: JsonObject) -> str:
    """The identity of an object in a list: its id member, or a person's identifiers."""
    member = ID_MEMBERS.get(message)
    if member is not None:
        return str(obj.get(member))
    if message in WHOLE_IDENTITY:
        return canonical(obj).decode()
    if "userMasterIdentifier" in obj:
        return str(obj["userMasterIdentifier"])
    if "organisationMasterIdentifier" in obj or "organisationIds" in obj:
        return school_key(obj)
    return orjson.dumps(obj.get("userIds"), option=orjson.OPT_SORT_KEYS).decode()


def canonical(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def where(item: Observed, index: int | None = None, pointer: str = "") -> Where:
    """Where a finding in ``item``'s answer is: in its object number ``index`` at
    ``pointer`` (inside that object), or in the answer as a whole."""
    if index is None:
        return Where(operation=item.op.operation_id, evidence=item.answer.exchange, at=pointer)
    obj = item.objects()[index]
    body = item.op.success[1]
    message = body.message if body else ""
    return Where(
        operation=item.op.operation_id,
        evidence=item.answer.exchange,
        component=message or None,
        object_id=object_id(message, obj),
        pointer=pointer,
        at=(f"/{index}" if item.is_list else "") + pointer,
        item=obj,
    )


def judge(
    tally: Tally,
    item: Observed,
    key: str | None,
    params: dict[str, Any] | None = None,
    *,
    index: int | None = None,
    pointer: str = "",
    distinct: str | None = None,
) -> None:
    """Count one answer (or its object number ``index``) as fine, or report the problem
    ``key`` with the answer as its evidence."""
    if key is None:
        tally.ok(item.op.api, item.op.version)
    else:
        tally.problem(
            item.op.api,
            item.op.version,
            key,
            params,
            where=where(item, index, pointer),
            subject=item.school,
            distinct=distinct,
        )


@dataclass
class ObserveContext:
    cfg: RunConfig
    session: Session
    masker: Masker
    grant: Grant | None
    pairs: list[tuple[str, str]]  # the (api, version) pairs observe mode covers
    observed: list[Observed] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # why a part could not be read
    # Schools configured with consent that the source refused for want of it, per pair:
    # preflight finds them (EDUV-CONF-PRE-003) and they are left out of that pair.
    refused: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    @property
    def schools(self) -> tuple[SchoolTarget, ...]:
        """The schools whose data the run reads: those configured with consent."""
        return tuple(s for s in self.cfg.schools if s.consent)

    @property
    def without_consent(self) -> tuple[SchoolTarget, ...]:
        """The schools configured without consent: only EDUV-CONF-CONSENT-001 calls them."""
        return tuple(s for s in self.cfg.schools if not s.consent)

    def testable(self, api: str, version: str) -> tuple[SchoolTarget, ...]:
        """The schools with consent whose data the source serves in this API version."""
        refused = self.refused.get((api, version), set())
        return tuple(s for s in self.schools if s.id not in refused)

    def read(
        self,
        op: Operation,
        school: str | None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        token: str | bool | None = True,
        version_header: str | None = None,
        purpose: str = "read",
    ) -> Observed:
        """Call an allow-listed operation; ``token=True`` uses the run's full token."""
        if not allowed(op):
            raise NotAllowedError(f"observe mode does not call {op.operation_id}")
        bearer = self.grant.token if token is True and self.grant else token
        answer = self.session.call(
            op,
            token=bearer if isinstance(bearer, str) else None,
            params=params,
            body=body,
            version_header=version_header,
        )
        found = Observed(
            op, school, dict(params or {}), answer, version_header or op.version, purpose, body=body
        )
        self.observed.append(found)
        return found

    def reads(self, api: str, version: str, operation_id: str | None = None) -> Iterator[Observed]:
        for item in self.observed:
            if item.purpose != "read" or item.op.api != api or item.op.version != version:
                continue
            if operation_id is None or item.op.operation_id == operation_id:
                yield item

    def reads_of(self, api: str, operation_id: str, school: str | None) -> Iterator[Observed]:
        """The successful unfiltered reads of ``operation_id`` for ``school``, any version."""
        for item in self.observed:
            if (
                item.purpose == "read"
                and item.op.api == api
                and item.op.operation_id == operation_id
                and item.school == school
                and item.ok
                and not _filtered(item)
            ):
                yield item

    def listing(
        self, api: str, version: str, operation_id: str, school: str | None
    ) -> Observed | None:
        """The unfiltered list answer of ``operation_id`` for ``school``, when read."""
        for item in self.reads(api, version, operation_id):
            if item.school == school and not _filtered(item):
                return item
        return None

    def listed(
        self, api: str, version: str, operation_id: str, school: str | None
    ) -> list[JsonObject]:
        item = self.listing(api, version, operation_id, school)
        return [] if item is None else item.objects()


# What a plain read names, as against the filters that narrow it: the school, or the
# supplier, board and ecosystem the DPA API is asked about.
UNFILTERED = frozenset({"orgMasterId", "supplierOin", "boardId", "ecosystem"})


def _filtered(item: Observed) -> bool:
    return any(k not in UNFILTERED for k in item.params)


def observable_pairs(cfg: RunConfig) -> list[tuple[str, str]]:
    return [(a, v) for a, v in cfg.plan() if a in OBSERVED_APIS and not cfg.left_out(a, v)]


def operation(api: str, version: str, operation_id: str) -> Operation | None:
    for op in spec.operations(api, version):
        if op.operation_id == operation_id:
            return op
    return None
