"""The provider's documentation: the /docs page, the index and the OpenAPI documents.

The OpenAPI documents served here describe this provider, not the standard in general:
they are the spec's documents with what the provider really does written in, so that a
tool generating requests from them (Schemathesis, a client generator) meets no surprise.

* ``API-Version`` takes this document's version only, and is required in the document
  of an older version (without it the newest version under the prefix answers).
* ``401`` has no body: the provider answers it with ``WWW-Authenticate`` only, as the
  ``unauthenticated-401`` convention asks.
* A lookup of a person by the body (POST) needs that body.
* Subscriptions are possible to the APIs served here only, and ``since`` is a
  date-time (RFC 3339), as its description says.
* Rules between parameters (``orgId`` needs ``orgIdType``, ``filterByOrgId`` only with
  ``orgId``...) cannot be stated between OpenAPI 3.1 parameters; each operation carries
  them in ``x-eduv-parameter-rules``: JSON Schema (2020-12) over the object of its query
  and path parameters by name, with integers and booleans decoded, taken from the spec's
  parameter schema of the operation.
"""

from __future__ import annotations

import copy
import html
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from eduv import spec
from eduv.params import parameter_rules
from eduv.provider.routes import NOT_SERVED, ROUTES
from eduv.provider.versions import data_apis, mounts

TOKEN_PATH = "/oauth2/token"
RULES_EXTENSION = "x-eduv-parameter-rules"
UNAUTHENTICATED = {
    "description": "Unauthorized: no token, or one that is not valid. No body; "
    "WWW-Authenticate says why.",
    "headers": {
        "API-Version": {"$ref": "#/components/headers/API-Version"},
        "WWW-Authenticate": {
            "description": "The Bearer challenge (RFC 6750).",
            "schema": {"type": "string"},
        },
    },
}

# The docs page works without internet access: Swagger UI's files come from the
# fastapi-offline package (Swagger UI 5, which reads OpenAPI 3.1), served under /docs/assets.
SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eduv reference provider</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<style>nav {{font: 14px sans-serif; padding: 8px 16px; border-bottom: 1px solid #ddd}}
nav a {{margin-right: 12px}} nav a.on {{font-weight: bold}} nav a.site {{float: right}}</style>
</head><body><nav>{links}</nav><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({{dom_id: "#ui", url: {url}}});</script>
</body></html>
"""


def _swagger_assets() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).with_name("static")


SITE = "/docs/site/"


def add_docs(app: FastAPI, site: Path | None = None) -> None:
    served = {(m.api, v) for m in mounts() for v in m.versions}
    documents = [
        {"name": f"{api} {version}", "url": f"/specs/{api}/{version}/openapi.json"}
        for api, version in sorted(served)
    ]

    async def docs(request: Request) -> HTMLResponse:
        chosen = request.query_params.get("doc", documents[0]["name"])
        current = next((d for d in documents if d["name"] == chosen), documents[0])
        links = " ".join(
            f'<a class="{"on" if d is current else ""}" href="/docs?doc={quote(d["name"])}">'
            f"{html.escape(d['name'])}</a>"
            for d in documents
        )
        if site is not None:
            links += f' <a class="site" href="{SITE}">documentation site</a>'
        url = orjson.dumps(current["url"]).decode()
        return HTMLResponse(SWAGGER.format(links=links, url=url))

    async def spec_file(request: Request) -> Response:
        api, version, name = (request.path_params[k] for k in ("api", "version", "name"))
        if (api, version) not in served or not name.endswith(".json") or "/" in name:
            raise StarletteHTTPException(404)
        folder = spec.openapi_path(api, version).parent
        path = (folder / name).resolve()
        if path.parent != folder.resolve() or not path.is_file():
            raise StarletteHTTPException(404)
        if name == "openapi.json":
            return Response(served_openapi(api, version), media_type="application/json")
        return Response(path.read_bytes(), media_type="application/json")

    async def index(_request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "apis": [
                    {"api": m.api, "url": m.prefix, "versions": list(m.versions)} for m in mounts()
                ],
                "tokenUrl": TOKEN_PATH,
                "docs": "/docs",
                "openapi": documents,
            }
            | ({"site": SITE} if site is not None else {})
        )

    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
    app.mount("/docs/assets", StaticFiles(directory=_swagger_assets()), name="docs-assets")
    if site is not None:
        from eduv.docsite import docs_app

        app.mount(SITE.rstrip("/"), docs_app(site), name="docs-site")
    app.add_api_route(
        "/specs/{api}/{version}/{name}", spec_file, methods=["GET"], include_in_schema=False
    )
    app.add_api_route("/", index, methods=["GET"], include_in_schema=False)


@cache
def served_openapi(api: str, version: str) -> bytes:
    """The OpenAPI document of ``api`` ``version`` as this provider serves it."""
    # The newest revision's document, beside the schema files served with it.
    source = spec.openapi_path(api, version)
    doc: dict[str, Any] = orjson.loads(source.read_bytes())
    for item in doc.get("paths", {}).values():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            _describe_operation(api, version, op)
            if op["operationId"] in NOT_SERVED:
                item[method] = None
        for method in [m for m, op in item.items() if op is None]:
            del item[method]
    doc["paths"] = {path: item for path, item in doc.get("paths", {}).items() if item}
    _version_header(doc, api, version)
    return orjson.dumps(doc)


def _version_header(doc: dict[str, Any], api: str, version: str) -> None:
    """The API-Version request header as the provider reads it: this document describes
    the answers to its own version only, and without the header the newest version under
    the prefix answers, so the older version's document requires it."""
    parameter = doc.get("components", {}).get("parameters", {}).get("API-Version")
    if parameter is None:
        return
    mount = next(m for m in mounts() if m.api == api and version in m.versions)
    parameter["schema"] = {"type": "string", "enum": [version]}
    parameter["required"] = version != mount.versions[0]


def _describe_operation(api: str, version: str, op: dict[str, Any]) -> None:
    responses = op.setdefault("responses", {})
    if "401" in responses:
        responses["401"] = copy.deepcopy(UNAUTHENTICATED)
    route = ROUTES.get(op["operationId"])
    if route is not None and route.needs_body and "requestBody" in op:
        op["requestBody"]["required"] = True
    if op["operationId"] == "subscribe":
        # A subscription is only possible to an API this provider serves with data.
        for parameter in op.get("parameters", []):
            if parameter.get("name") == "api":
                parameter["schema"] = {"type": "string", "enum": sorted(data_apis())}
    if op["operationId"] == "get-notifications":
        for parameter in op.get("parameters", []):
            if parameter.get("name") == "since":
                parameter["schema"] = {"type": "string", "format": "date-time"}
    rules = parameter_rules(spec.operation(api, version, op["operationId"]))
    if rules:
        op[RULES_EXTENSION] = {"allOf": rules}
