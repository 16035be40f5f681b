"""The reference provider as a FastAPI application.

Routes are generated from the spec: every operation of the served API versions gets a
route under ``/{api-id}/v{major}``, and one route serves all versions that share that
prefix (the ``API-Version`` header picks one). The request path, in order: version,
token (401), scopes (403/21), parameters and body (400/11), then the service: school
(400/23), consent (403/22), the query, and shaping by version and scopes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from eduv import spec
from eduv.provider import shaping
from eduv.provider.auth import Authority, TokenError, claimed_client
from eduv.provider.chain.refusals import add_refusals
from eduv.provider.chain.sender import ConfirmationSender
from eduv.provider.config import ConfigError, ProviderConfig, provisioning_token_problem
from eduv.provider.db import migrate
from eduv.provider.delivery import DeliveryWorker
from eduv.provider.documents import TOKEN_PATH, add_docs
from eduv.provider.errors import (
    OTHER,
    SCOPE_REQUIRED,
    VERSION_NOT_SUPPORTED,
    Answer,
    RefusalError,
)
from eduv.provider.faults import (
    BAD_VERSION_HEADER,
    PADDED_STATUS,
    PARAMETER_TIES_IGNORED,
    PREVIOUS_AS_CURRENT,
    SKIP_SCOPE_CHECK,
    UNAUTHENTICATED_WITH_BODY,
    Faults,
)
from eduv.provider.faults_writes import WRITES_UNVALIDATED
from eduv.provider.inputs import decode_body, decode_params, loose_body
from eduv.provider.limits import TOKEN_BODY_LIMIT, BodyLimit, RateLimiter
from eduv.provider.routes import NOT_SERVED, ROUTES
from eduv.provider.service import Call, Service, refused
from eduv.provider.versions import Mount, mounts, negotiate, unsupported_message
from eduv.spec import Operation

log = logging.getLogger("eduv.provider")

ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that shapes one provider instance."""

    config: ProviderConfig
    public_url: str
    faults: tuple[str, ...] = ()
    provisioning: bool = False
    deliver: bool = True  # send notifications to subscribers
    # a built documentation site (``eduv docs build``), served under /docs/site
    docs_site: Path | None = None


class Provider:
    """The pieces of one running provider, shared by its routes."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        migrate(engine)
        self.engine = engine
        self.settings = settings
        self.config = settings.config
        self.public_url = settings.public_url.rstrip("/")
        self.faults = Faults(settings.faults)
        self.authority = Authority(engine, self.config)
        self.service = Service(engine, self.config, self.faults, self.public_url)
        self.worker = DeliveryWorker(engine, self.config, self.faults, self.public_url)
        self.sender = ConfirmationSender(engine, self.config, self.faults)
        self.token_rate = RateLimiter(self.config.token_rate_limit)

    # -- answers -------------------------------------------------------------------------

    def respond(
        self, answer: Answer, version: str, mount: Mount, op: Operation | None = None
    ) -> Response:
        body = answer.body
        if answer.status_code is not None and self.faults.has(PADDED_STATUS):
            body = orjson.dumps(
                {"status": f"{answer.status_code:04d}", "statusMessage": answer.status_message}
            )
        refusal = body is not None and answer.status_code is not None
        if refusal and op is not None and _listed(op, answer.http):
            # Some APIs (Results) document their StatusResponse as a list, one entry per
            # statement: the refusal is then that list's only entry.
            body = b"[" + (body or b"") + b"]"
        headers = {**answer.headers, "API-Version": self.version_header(version, mount)}
        media = "application/json" if body is not None else None
        return Response(body, status_code=answer.http, headers=headers, media_type=media)

    def version_header(self, version: str, mount: Mount) -> str:
        if self.faults.has(BAD_VERSION_HEADER):
            return f"v{mount.major}"
        if self.faults.has(PREVIOUS_AS_CURRENT):
            return mount.versions[0]  # the newest version under the prefix: t
        return version

    def unauthenticated(self, version: str, mount: Mount, presented: bool) -> Response:
        if self.faults.has(UNAUTHENTICATED_WITH_BODY):
            answer = refused(RefusalError(401, SCOPE_REQUIRED, "not authorised"))
            return self.respond(answer, version, mount)
        challenge = 'Bearer realm="eduv"'
        if presented:
            challenge += ', error="invalid_token", error_description="the token is not valid"'
        answer = Answer(401, None, headers={"WWW-Authenticate": challenge})
        return self.respond(answer, version, mount)

    def scope_refusal(
        self, op: Operation, version: str, scopes: frozenset[str]
    ) -> RefusalError | None:
        if self.faults.has(SKIP_SCOPE_CHECK):
            return None
        # An operation whose document names no scope (Consent 0.0.2's consent request)
        # takes any valid token.
        if op.scopes and not set(op.scopes) & scopes:
            needed = ", ".join(op.scopes)
            return RefusalError(
                403, SCOPE_REQUIRED, f"this operation needs one of the scopes: {needed}"
            )
        body = op.success[1]
        if body is None:
            return None
        missing = shaping.lacks_required(op.api, version, body.message, scopes)
        if not missing:
            return None
        grants = sorted(
            set().union(*(shaping.field_scopes(op.api, version, body.message)[m] for m in missing))
        )
        return RefusalError(
            403,
            SCOPE_REQUIRED,
            f"a {body.message} cannot be served without its required fields "
            f"({', '.join(missing)}); they need the scope {' or '.join(grants)}",
        )

    # -- routes --------------------------------------------------------------------------

    def endpoint(self, mount: Mount, ops: dict[str, Operation]) -> Endpoint:
        async def handle(request: Request) -> Response:
            requested = request.headers.get("api-version")
            version = negotiate(mount, requested)
            if version is None or version not in ops:
                message = unsupported_message(mount, requested or "")
                if version is not None:
                    message = f"this operation is not part of version {version}"
                answer = refused(RefusalError(400, VERSION_NOT_SUPPORTED, message))
                any_op = next(iter(ops.values()))
                return self.respond(answer, mount.versions[0], mount, any_op)
            op = ops[version]
            authorization = request.headers.get("authorization")
            grant = self.authority.grant(authorization)
            if grant is None:
                return self.unauthenticated(version, mount, presented=bool(authorization))
            refusal = self.scope_refusal(op, version, grant.scopes)
            if refusal is not None:
                return self.respond(refused(refusal), version, mount, op)
            route = ROUTES[op.operation_id]
            try:
                ties = not self.faults.has(PARAMETER_TIES_IGNORED)
                query, path = request.query_params, request.path_params
                params = decode_params(op, version, query, path, ties=ties)
                raw = await request.body()
                if route.kind == "chain-write" and self.faults.has(WRITES_UNVALIDATED):
                    body = loose_body(raw)
                else:
                    body = decode_body(op, version, raw, required=route.needs_body)
            except RefusalError as bad:
                return self.respond(refused(bad), version, mount, op)
            client = self.config.clients[grant.client_id]
            call = Call(op, version, route, grant, client, params, body)
            answer = await run_in_threadpool(self.service.handle, call)
            return self.respond(answer, version, mount, op)

        return handle

    async def token(self, request: Request) -> Response:
        no_store = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if content_type != "application/x-www-form-urlencoded":
            error = TokenError("invalid_request", "send the token request as a form body")
            return JSONResponse(error.body(), status_code=400, headers=no_store)
        pairs = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        names = [name for name, _ in pairs]
        twice = sorted({n for n in names if names.count(n) > 1})
        audiences = {self.public_url + TOKEN_PATH, self.public_url}
        address = request.client.host if request.client else ""
        wait = self.token_rate.retry_after((address, _presented_client(dict(pairs), request)))
        if wait:
            error = TokenError("too_many_requests", f"too many token requests; retry in {wait} s")
            headers = {**no_store, "Retry-After": str(wait)}
            return JSONResponse(error.body(), status_code=429, headers=headers)
        try:
            if twice:
                raise TokenError("invalid_request", f"parameters given twice: {', '.join(twice)}")
            result = await run_in_threadpool(
                self.authority.issue, dict(pairs), request.headers.get("authorization"), audiences
            )
        except TokenError as error:
            if error.error == "invalid_client":
                # The client gets one answer for every failure; the reason is logged.
                log.warning("client authentication failed from %s: %s", address, error.description)
            headers = dict(no_store)
            if error.status == 401:
                headers["WWW-Authenticate"] = 'Basic realm="eduv"'
            return JSONResponse(error.body(), status_code=error.status, headers=headers)
        return JSONResponse(result, headers=no_store)


@cache
def _listed_status(api: str, version: str, message: str, array: bool) -> bool:
    return array or spec.schema(api, version, message).get("type") == "array"


def _listed(op: Operation, http: int) -> bool:
    """Whether ``op`` documents its answer with status ``http`` as a list."""
    documented = op.responses.get(str(http))
    if documented is None:
        return False
    return _listed_status(op.api, op.version, documented.message, documented.array)


def _presented_client(form: dict[str, str], request: Request) -> str:
    """The client id a token request claims (unverified: it only keys the rate limit)."""
    return claimed_client(form, request.headers.get("authorization"))


def create_app(engine: Engine, settings: Settings) -> FastAPI:
    if settings.provisioning and settings.config.provisioning_token is not None:
        weak = provisioning_token_problem(settings.config.provisioning_token)
        if weak:
            raise ConfigError(weak)
    provider = Provider(engine, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Notifications go out only when asked for; confirmations are owed to whoever
        # sent a request, so their sender always runs.
        workers = (provider.worker, provider.sender) if settings.deliver else (provider.sender,)
        tasks = [asyncio.create_task(w.run()) for w in workers]
        try:
            yield
        finally:
            for worker in workers:
                worker.stop()
            for task in tasks:
                await task

    app = FastAPI(
        title="eduv reference provider",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.provider = provider
    _add_api_routes(app, provider)
    app.add_api_route(TOKEN_PATH, provider.token, methods=["POST"], include_in_schema=False)
    add_docs(app, settings.docs_site)
    if settings.provisioning:
        from eduv.provider.provisioning import add_provisioning

        add_provisioning(app, engine, provider.config, provider.faults, provider.service)
    _add_error_handlers(app)
    # Outermost but for Starlette's error handler: nothing else runs on a body that is
    # too large.
    app.add_middleware(
        BodyLimit,
        default=settings.config.max_body_bytes,
        limits={TOKEN_PATH: TOKEN_BODY_LIMIT},
    )
    return app


def _add_api_routes(app: FastAPI, provider: Provider) -> None:
    for mount in mounts():
        grouped: dict[tuple[str, str], dict[str, Operation]] = {}
        for version in mount.versions:
            for op in spec.operations(mount.api, version):
                if op.operation_id in NOT_SERVED:
                    continue
                grouped.setdefault((op.method, op.path), {})[version] = op
        # Fixed paths before templated ones: /products/info is no product id.
        for (method, path), ops in sorted(grouped.items(), key=lambda kv: "{" in kv[0][1]):
            app.add_api_route(
                mount.prefix + path,
                provider.endpoint(mount, ops),
                methods=[method],
                include_in_schema=False,
            )
    add_refusals(app, provider.faults)  # the chain roles' 405s, before the catch-all below
    for api in sorted({m.api for m in mounts()}):
        # Every method, so that a method an operation does not take lands here too and
        # gets its 405 with API-Version.
        app.add_route(
            f"/{api}/{{major}}/{{rest:path}}",
            _other_major(api),
            methods=list(ALL_METHODS),
            include_in_schema=False,
        )


def _other_major(api: str) -> Callable[[Request], Awaitable[Response]]:
    """Paths under an API that no operation matches: a version problem (status 12) when
    the major version is not served, else an unknown path (404)."""
    served = [m for m in mounts() if m.api == api]

    async def answer(request: Request) -> Response:
        major = request.path_params["major"]
        mount = next((m for m in served if major == f"v{m.major}"), None)
        allowed = _methods_served(request)
        if allowed:
            version = negotiate(mount, request.headers.get("api-version")) if mount else None
            version = version or (mount.versions[0] if mount else spec.api(api).current)
            headers = {"Allow": ", ".join(allowed), "API-Version": version}
            raise StarletteHTTPException(405, headers=headers)
        if mount is None:
            prefixes = ", ".join(m.prefix for m in served)
            status, code = 400, VERSION_NOT_SUPPORTED
            message = f"{api} is not served in version {major}; served: {prefixes}"
            version = spec.api(api).current
        else:
            status, code, message = 404, OTHER, "no such operation under " + mount.prefix
            version = mount.versions[0]
        body = orjson.dumps({"status": code, "statusMessage": message})
        return Response(
            body,
            status_code=status,
            media_type="application/json",
            headers={"API-Version": version},
        )

    return answer


def _methods_served(request: Request) -> list[str]:
    """The methods other routes take on this path (an empty list: no route has it)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is Match.PARTIAL:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _add_error_handlers(app: FastAPI) -> None:
    async def http_error(_request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        message = {404: "no such resource", 405: "method not allowed here"}.get(
            status, "the request cannot be served"
        )
        # Starlette's own 405 names the allowed methods in Allow (RFC 9110); keep it.
        headers = getattr(exc, "headers", None) or {}
        body = orjson.dumps({"status": OTHER, "statusMessage": message})
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    async def crash(_request: Request, exc: Exception) -> Response:
        # Never a stack trace to the client; the log has it.
        log.error("unexpected error", exc_info=exc)
        body = orjson.dumps({"status": OTHER, "statusMessage": "internal error of the provider"})
        return Response(body, status_code=500, media_type="application/json")

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, crash)


__all__ = ["Provider", "Settings", "create_app"]
