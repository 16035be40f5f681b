"""The operations a chain role must refuse: 405, as the texts say.

Both parties of a request-confirmation exchange offer endpoints under the same API, so
a component that receives a call meant for the other side answers 405 (Method Not
Allowed). The provider plays the components of ``roles.ROLES``; for each operation
that none of them serves and one of them must refuse, a route answers 405 with a StatusResponse, the
API-Version of the request (or t) and the methods the path does serve.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from fastapi import FastAPI, Request, Response

from eduv import spec
from eduv.provider.errors import OTHER
from eduv.provider.faults import Faults
from eduv.provider.faults_writes import OTHER_SIDE_ACCEPTED
from eduv.provider.roles import ROLES, played, refuses, serves
from eduv.provider.versions import Mount, mounts, negotiate


def add_refusals(app: FastAPI, faults: Faults) -> None:
    """Route every operation the provider's chain roles refuse (before the catch-all)."""
    for mount in mounts():
        if mount.api not in ROLES:
            continue
        refused: dict[tuple[str, str], set[str]] = {}
        allowed: dict[str, set[str]] = {}
        for version in mount.versions:
            for op in spec.operations(mount.api, version):
                if refuses(op):
                    refused.setdefault((op.method, op.path), set()).add(version)
                elif serves(op):
                    allowed.setdefault(op.path, set()).add(op.method)
        for (method, path), _versions in refused.items():
            app.add_api_route(
                mount.prefix + path,
                _refusal(mount, sorted(allowed.get(path, ())), faults),
                methods=[method],
                include_in_schema=False,
            )


def _refusal(
    mount: Mount, allow: list[str], faults: Faults
) -> Callable[[Request], Awaitable[Response]]:
    role = played(mount.api)

    async def answer(request: Request) -> Response:
        version = negotiate(mount, request.headers.get("api-version")) or mount.versions[0]
        if faults.has(OTHER_SIDE_ACCEPTED):
            return Response(status_code=202, headers={"API-Version": version})
        message = (
            f"this operation is served by the other party of the {mount.api}; "
            f"this source plays {role}"
        )
        return Response(
            orjson.dumps({"status": OTHER, "statusMessage": message}),
            status_code=405,
            media_type="application/json",
            headers={"API-Version": version, "Allow": ", ".join(allow)},
        )

    return answer
