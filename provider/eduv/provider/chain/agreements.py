"""The DPA API, as the processor register (Verwerkersregister, VR) serves it.

The register holds the data processing agreements of the loaded chain (``agreements``).
``GET /agreements/self`` answers the agreement between the supplier and the board asked
for, under the ecosystem asked for and covering every data service asked for (404 when
there is none); ``GET /agreements`` answers a verification, without the agreement
itself: valid when such an agreement is registered and in force. The verification
repeats what was asked, so the data services in it are those of the request.

The previous version (0.0.1) names data services from an older, coarser list: its
agreements are served converted down with the chain conversion table, and what a
request asks for is compared with the agreement as that version serves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import Connection

from eduv import spec
from eduv.dataset.chain import chain_object_in
from eduv.provider.chain.store import Stored, chain_objects_where
from eduv.provider.errors import OTHER, Answer, RefusalError
from eduv.provider.faults import Faults
from eduv.provider.faults_chain import SERVICES_IGNORED

API = "dpa-api"
KINDS = frozenset({"agreement", "agreement-check"})
# The query parameters both reads take; the route kind handles them all.
PARAMS = frozenset({"supplierOin", "boardId", "ecosystem", "data_services"})
ECOSYSTEM = "Edu-V"


def matching(
    conn: Connection, params: Mapping[str, Any], version: str, faults: Faults
) -> list[Stored]:
    """The registered agreements of the supplier and board asked for, under the asked
    ecosystem, that cover every data service asked for, as the version asked for names
    them (so that an agreement found covers what it is served with)."""
    wanted = set() if faults.has(SERVICES_IGNORED) else set(params.get("data_services") or ())
    found = []
    for stored in chain_objects_where(conn, "agreements", []):
        shaped = chain_object_in(API, version, "Agreement", orjson.loads(stored.doc))
        doc = shaped[0] if shaped else None
        if (
            doc is not None
            and doc.get("supplierOin") == params.get("supplierOin")
            and doc.get("boardId") == params.get("boardId")
            and doc.get("ecosystem", ECOSYSTEM) == params.get("ecosystem", ECOSYSTEM)
            and wanted <= set(doc.get("dataServices") or ())
        ):
            found.append(stored)
    return found


def own(conn: Connection, params: Mapping[str, Any], version: str, faults: Faults) -> list[Stored]:
    """GET /agreements/self: the agreement, or 404."""
    found = matching(conn, params, version, faults)
    if not found:
        raise RefusalError(
            404,
            OTHER,
            f"no agreement of supplier {params.get('supplierOin')!r} with board "
            f"{params.get('boardId')!r} covers what was asked",
        )
    return found[:1]


def verification(
    conn: Connection, params: Mapping[str, Any], version: str, faults: Faults
) -> Answer:
    """GET /agreements: whether a registered agreement in force covers what was asked."""
    found = [orjson.loads(s.doc) for s in matching(conn, params, version, faults)]
    answer: dict[str, Any] = {
        "supplierOin": params.get("supplierOin"),
        "boardId": params.get("boardId"),
        "ecosystem": params.get("ecosystem", ECOSYSTEM),
        "valid": any(doc.get("valid") is True for doc in found),
    }
    if params.get("data_services"):
        answer["dataServices"] = list(params["data_services"])
    if version != spec.api(API).current:
        answer["schemaVersion"] = version
    return Answer(200, orjson.dumps(answer))
