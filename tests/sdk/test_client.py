"""The typed client against a mock provider built from the spec: every operation of every
supported API version, strict and lenient, sync and async; auth with real signed JWTs
(checked by PyJWT), token caching, retries, error mapping, version and payload checks."""

from __future__ import annotations

import asyncio
import random
import ssl
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from eduv import keys, spec
from eduv.client import (
    ApiError,
    ApiVersionMismatchError,
    ApiVersionWarning,
    AsyncClient,
    AuthenticationError,
    BearerToken,
    Client,
    ClientSecret,
    ConnectError,
    ConsentRequiredError,
    ConsumerReferenceUnknownError,
    ConsumerReferenceUsedError,
    OtherReasonError,
    PrivateKeyJwt,
    ProviderReferenceUnknownError,
    ProviderReferenceUsedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
    ResponseValidationWarning,
    RetryPolicy,
    SchemaIncorrectError,
    SchemaVersionNotSupportedError,
    ScopeError,
    ScopeRequiredError,
    ServerError,
    TimedOutError,
    TokenError,
    UnexpectedResponseError,
    UnknownOrganisationError,
)
from eduv.models.types import UnknownValue
from eduv.parsing import dump
from tests.sdk.mock_provider import (
    BASE_URL,
    TOKEN_URL,
    Answer,
    DisconnectError,
    MockProvider,
    example,
)

OPERATIONS = [
    (a.id, v, op.operation_id)
    for a in spec.apis()
    for v in a.versions
    for op in spec.operations(a.id, v)
]
ALL_SCOPES = {s for a in spec.apis() for v in a.versions for s in spec.api_version(a.id, v).scopes}
ALL_SCOPES |= {s for a, v, o in OPERATIONS for s in spec.operation(a, v, o).scopes}
CLIENT_ID = "urn:example:client-1"
# A client of every role: the scopes without which role-scoped operations cannot be asked.
EVERY_ROLE = sorted(ALL_SCOPES)


@pytest.fixture(scope="module")
def key() -> keys.KeyPair:
    return keys.generate("ES256")


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def provider(key: keys.KeyPair, clock: Clock) -> MockProvider:
    mock = MockProvider(clock)
    mock.register_jwk(CLIENT_ID, key.public_jwk(), ALL_SCOPES)
    return mock


@pytest.fixture
def slept() -> list[float]:
    return []


MakeClient = Callable[..., Client]


@pytest.fixture
def make_client(
    provider: MockProvider, key: keys.KeyPair, clock: Clock, slept: list[float]
) -> MakeClient:
    def make(**options: Any) -> Client:
        options.setdefault(
            "auth", PrivateKeyJwt(client_id=CLIENT_ID, private_key=key, token_url=TOKEN_URL)
        )
        options.setdefault("retry", RetryPolicy(random=random.Random(7)))
        return Client(
            BASE_URL, transport=provider.transport(), sleep=slept.append, clock=clock, **options
        )

    return make


def _arguments(api: str, version: str, operation_id: str) -> dict[str, Any]:
    op = spec.operation(api, version, operation_id)
    arguments = dict(example(api, version, op.parameters))
    if op.request is not None:
        body = example(api, version, op.request.message)
        arguments["body"] = [body] if op.request.array else body
    return arguments


def _expected(api: str, version: str, operation_id: str) -> Any:
    _, body = spec.operation(api, version, operation_id).success
    if body is None:
        return None
    payload = example(api, version, body.message)
    return [payload] if body.array else payload


def _dumped(result: Any) -> Any:
    if isinstance(result, list):
        return [dump(item) for item in result]
    return None if result is None else dump(result)


def _method(api: str, version: str, operation_id: str) -> str:
    from tools.gen_client import snake

    return snake(operation_id)


@pytest.mark.parametrize("validation", ["strict", "lenient"])
def test_every_operation_sync(make_client: MakeClient, validation: str) -> None:
    covered = 0
    with make_client(validation=validation, version_check="error", scopes=EVERY_ROLE) as client:
        for api, version, operation_id in OPERATIONS:
            facade = client.api(api, version)
            method = getattr(facade, _method(api, version, operation_id))
            result = method(**_arguments(api, version, operation_id))
            assert _dumped(result) == _expected(api, version, operation_id), operation_id
            covered += 1
    assert covered == len(OPERATIONS) > 100


@pytest.mark.parametrize("validation", ["strict", "lenient"])
def test_every_operation_async(
    provider: MockProvider, key: keys.KeyPair, clock: Clock, validation: str
) -> None:
    async def main() -> int:
        covered = 0
        auth = PrivateKeyJwt(client_id=CLIENT_ID, private_key=key, token_url=TOKEN_URL)
        async with AsyncClient(
            BASE_URL,
            auth=auth,
            transport=provider.transport(),
            validation=validation,
            version_check="error",
            scopes=EVERY_ROLE,
            clock=clock,
        ) as client:
            for api, version, operation_id in OPERATIONS:
                method = getattr(client.api(api, version), _method(api, version, operation_id))
                result = await method(**_arguments(api, version, operation_id))
                assert _dumped(result) == _expected(api, version, operation_id), operation_id
                covered += 1
        return covered

    assert asyncio.run(main()) == len(OPERATIONS)


def test_typed_accessors_pick_versions(make_client: MakeClient) -> None:
    with make_client() as client:
        current = client.association()
        previous = client.association("t-1")
        assert (current.version, previous.version) == ("1.1.0", "1.0.2")
        assert client.association("1.0.2").version == "1.0.2"
        groups = current.get_groups_for_school(orgMasterId="104A158", filterByOrgId=False)
        assert type(groups[0]).__module__ == "eduv.models.association_api.v1_1_0"
        assert type(groups[0]).__name__ == "Group"
        with pytest.raises(spec.SpecLookupError, match="not supported"):
            client.association("0.9.1")  # type: ignore[call-overload]


def test_sync_and_async_send_the_same_requests(
    provider: MockProvider, key: keys.KeyPair, clock: Clock
) -> None:
    def shape(requests: list[httpx.Request]) -> list[tuple[str, str, str | None, bytes]]:
        return [(r.method, str(r.url), r.headers.get("API-Version"), r.content) for r in requests]

    arguments = _arguments("association-api", "1.1.0", "get-enrollments-for-student-at-school")
    provider.script("get-groups-for-school", Answer(503), Answer(200, []))
    with Client(
        BASE_URL,
        auth=PrivateKeyJwt(client_id=CLIENT_ID, private_key=key, token_url=TOKEN_URL),
        transport=provider.transport(),
        sleep=lambda _: None,
        clock=clock,
    ) as client:
        client.association().get_groups_for_school(orgId="09QQ", orgIdType="OIE_CODE")
        client.association().get_enrollments_for_student_at_school(**arguments)
    sync_requests = shape(provider.requests)
    provider.requests.clear()
    provider.script("get-groups-for-school", Answer(503), Answer(200, []))

    async def main() -> None:
        async def no_wait(_: float) -> None:
            return None

        async with AsyncClient(
            BASE_URL,
            auth=PrivateKeyJwt(client_id=CLIENT_ID, private_key=key, token_url=TOKEN_URL),
            transport=provider.transport(),
            sleep=no_wait,
            clock=clock,
        ) as client:
            await client.association().get_groups_for_school(orgId="09QQ", orgIdType="OIE_CODE")
            await client.association().get_enrollments_for_student_at_school(**arguments)

    asyncio.run(main())
    assert shape(provider.requests) == sync_requests
    assert len(sync_requests) == 3


def test_requests_follow_the_url_layout_and_send_the_full_version(
    make_client: MakeClient, provider: MockProvider
) -> None:
    with make_client() as client:
        client.association("t-1").get_group("a/b", orgMasterId="104A158")
        client.association().get_groups_for_school(orgMasterId="104A158", filterByOrgId=False)
    first, second = provider.requests
    assert (
        str(first.url) == f"{BASE_URL}/association-api/v1/groups/school/a%2Fb?orgMasterId=104A158"
    )
    assert first.headers["API-Version"] == "1.0.2"
    assert second.url.params["filterByOrgId"] == "false"
    assert second.headers["Authorization"].startswith("Bearer token-")


def test_a_base_url_per_api(provider: MockProvider, key: keys.KeyPair) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return provider.handle(request)

    client = Client(
        base_urls={"association": "https://other.test/assoc/"},
        auth=BearerToken("fixed"),
        transport=httpx.MockTransport(handler),
        version_check="ignore",
    )
    with client:
        with pytest.raises(ApiError) as caught:
            client.association().get_group("x", orgMasterId="104A158")
        with pytest.raises(ValueError, match="no base URL for education-api"):
            client.education().get_organisations_by_school_search(orgMasterId="104A158")
    assert caught.value.status_code == 404
    assert seen[-1] == "https://other.test/assoc/groups/school/x?orgMasterId=104A158"


# -- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
def test_client_assertions_verify_with_an_independent_library(
    alg: str, provider: MockProvider, clock: Clock
) -> None:
    pair = keys.generate(alg, bits=2048) if alg != "ES256" else keys.generate(alg)
    provider.register_jwk("rsa-client", pair.public_jwk(), ALL_SCOPES)
    auth = PrivateKeyJwt(
        client_id="rsa-client", private_key=pair.private_pem(), token_url=TOKEN_URL, alg=alg
    )
    with Client(BASE_URL, auth=auth, transport=provider.transport(), clock=clock) as client:
        client.association().get_school_periods_for_school(orgMasterId="104A158")
        client.education().get_organisations_by_school_search(orgMasterId="104A158")
    first, second = provider.assertions
    claims = first["claims"]
    assert first["header"] == {"alg": alg, "kid": pair.kid, "typ": "JWT"}
    assert claims["iss"] == claims["sub"] == "rsa-client"
    assert claims["aud"] == TOKEN_URL
    assert claims["exp"] - claims["iat"] == 60 and claims["iat"] == int(clock.now)
    assert first["claims"]["jti"] != second["claims"]["jti"]


def test_a_foreign_key_is_refused(provider: MockProvider, clock: Clock) -> None:
    stranger = keys.generate("ES256")
    provider.register_jwk("stranger", stranger.public_jwk(), ALL_SCOPES)
    right = PrivateKeyJwt(client_id="stranger", private_key=stranger, token_url=TOKEN_URL)
    with Client(BASE_URL, auth=right, transport=provider.transport(), clock=clock) as client:
        client.association().get_school_periods_for_school(orgMasterId="104A158")
    other = keys.generate("ES256", kid=stranger.kid)  # right kid, wrong key
    auth = PrivateKeyJwt(client_id="stranger", private_key=other, token_url=TOKEN_URL)
    with (
        Client(BASE_URL, auth=auth, transport=provider.transport(), clock=clock) as client,
        pytest.raises(TokenError, match="invalid_client") as caught,
    ):
        client.association().get_school_periods_for_school(orgMasterId="104A158")
    assert caught.value.status_code == 401 and caught.value.error == "invalid_client"


def test_each_call_asks_for_its_scopes_and_tokens_are_cached(
    make_client: MakeClient, provider: MockProvider, clock: Clock
) -> None:
    with make_client() as client:
        client.association().get_school_periods_for_school(orgMasterId="104A158")
        client.association().get_groups_for_school(orgMasterId="104A158")
        client.education().get_organisations_by_school_search(orgMasterId="104A158")
        assert [_scope(r) for r in provider.token_requests] == [
            "eduv.association",
            "eduv.education",
        ]
        clock.now += 600 - 60  # within the renewal margin before expiry
        client.association().get_groups_for_school(orgMasterId="104A158")
    assert [_scope(r) for r in provider.token_requests][-1] == "eduv.association"
    assert len(provider.token_requests) == 3


def _scope(request: httpx.Request) -> str:
    from urllib.parse import parse_qs

    return parse_qs(request.content.decode())["scope"][0]


def test_a_students_call_asks_only_for_the_basic_scope_by_default(
    make_client: MakeClient, provider: MockProvider
) -> None:
    with make_client() as client:
        client.students().get_students_for_school(orgMasterId="104A158")
        assert [_scope(r) for r in provider.token_requests] == ["eduv.student.basic"]
        wider = ["eduv.student.demographics"]
        client.students().get_students_for_school(orgMasterId="104A158", scopes=wider)
        assert _scope(provider.token_requests[-1]) == "eduv.student.basic eduv.student.demographics"
        client.with_options(scopes=wider).students().get_students_for_school(orgMasterId="x")
        client.students().get_students_for_school(orgMasterId="104A158")
    # the token cache is keyed by scope set: two sets, two tokens, each reused
    assert len(provider.token_requests) == 2


def test_wider_scopes_are_asked_only_where_the_call_accepts_them(
    make_client: MakeClient, provider: MockProvider
) -> None:
    with make_client(scopes=["eduv.student.communication", "eduv.employee.roles"]) as client:
        client.students().get_students_for_school(orgMasterId="104A158")
        client.association().get_groups_for_school(orgMasterId="104A158")
    assert [_scope(r) for r in provider.token_requests] == [
        "eduv.student.basic eduv.student.communication",
        "eduv.association",
    ]


def test_role_scopes_are_a_required_setting(
    make_client: MakeClient, provider: MockProvider
) -> None:
    with make_client() as client, pytest.raises(ScopeError, match=r"Client\(scopes=") as caught:
        client.delivery().get_delivery_order("o1")
    assert "eduv.delivery.portal" in str(caught.value)
    assert provider.token_requests == [] and provider.requests == []
    with make_client(scopes=["eduv.delivery.entitlor"]) as client:
        client.delivery().get_delivery_order("o1")
        with pytest.raises(ScopeError):
            client.entitlement().get_entitlements_for_school(orgMasterId="104A158")
    assert [_scope(r) for r in provider.token_requests] == ["eduv.delivery.entitlor"]


def test_a_revoked_token_is_renewed_once(make_client: MakeClient, provider: MockProvider) -> None:
    with make_client() as client:
        client.association().get_groups_for_school(orgMasterId="104A158")
        provider.revoke_all()
        client.association().get_groups_for_school(orgMasterId="104A158")
        assert len(provider.token_requests) == 2
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        provider.script(
            "get-groups-for-school", Answer(401, headers=challenge), Answer(401, headers=challenge)
        )
        with pytest.raises(AuthenticationError, match="WWW-Authenticate") as caught:
            client.association().get_groups_for_school(orgMasterId="104A158")
    assert caught.value.status_code == 401 and caught.value.eduv_status is None


@pytest.mark.parametrize("method", ["basic", "post"])
def test_client_secret_for_development(provider: MockProvider, method: str) -> None:
    provider.register_secret("dev", "s3cret", ALL_SCOPES)
    auth = ClientSecret(client_id="dev", client_secret="s3cret", token_url=TOKEN_URL, method=method)
    with Client(BASE_URL, auth=auth, transport=provider.transport()) as client:
        assert client.association().get_groups_for_school(orgMasterId="104A158")
    wrong = ClientSecret(client_id="dev", client_secret="guess", token_url=TOKEN_URL, method=method)
    with (
        Client(BASE_URL, auth=wrong, transport=provider.transport()) as client,
        pytest.raises(TokenError, match="invalid_client"),
    ):
        client.association().get_groups_for_school(orgMasterId="104A158")


def test_a_fixed_bearer_token(provider: MockProvider) -> None:
    provider.tokens["fixed"] = {"eduv.association"}
    with Client(BASE_URL, auth=BearerToken("fixed"), transport=provider.transport()) as client:
        assert client.association().get_groups_for_school(orgMasterId="104A158")
    assert provider.token_requests == []


def test_the_token_endpoint_is_retried_and_its_errors_reported(
    make_client: MakeClient, provider: MockProvider, slept: list[float]
) -> None:
    provider.token_script.extend([Answer(503, {"error": "temporarily_unavailable"})])
    with make_client() as client:
        client.association().get_groups_for_school(orgMasterId="104A158")
        assert len(slept) == 1
        provider.revoke_all()
        provider.token_script.extend([Answer(400, {"error": "invalid_scope"})])
        with pytest.raises(TokenError, match="invalid_scope"):
            client.education().get_organisations_by_school_search(orgMasterId="104A158")


# -- retries -----------------------------------------------------------------------------------


def test_safe_operations_are_retried_with_backoff_and_retry_after(
    make_client: MakeClient, provider: MockProvider, slept: list[float]
) -> None:
    provider.script("get-groups-for-school", Answer(503), Answer(429, headers={"Retry-After": "7"}))
    with make_client() as client:
        groups = client.association().get_groups_for_school(orgMasterId="104A158")
    assert len(groups) == 1
    assert 0 <= slept[0] <= 0.5 and slept[1] == 7.0
    assert len(provider.requests) == 3


def test_retry_after_is_capped_and_backoff_grows(
    provider: MockProvider, key: keys.KeyPair, clock: Clock
) -> None:
    slept: list[float] = []
    policy = RetryPolicy(attempts=4, backoff=1.0, max_retry_after=5.0, random=random.Random(1))
    provider.script(
        "get-groups-for-school",
        Answer(429, headers={"Retry-After": "3600"}),
        Answer(502),
        Answer(500),
        Answer(500),
    )
    with (
        Client(
            BASE_URL,
            auth=PrivateKeyJwt(client_id=CLIENT_ID, private_key=key, token_url=TOKEN_URL),
            retry=policy,
            transport=provider.transport(),
            sleep=slept.append,
            clock=clock,
        ) as client,
        pytest.raises(ServerError) as caught,
    ):
        client.association().get_groups_for_school(orgMasterId="104A158")
    assert caught.value.status_code == 500
    assert slept[0] == 5.0 and 0 <= slept[1] <= 2.0 and 0 <= slept[2] <= 4.0
    assert len(provider.requests) == 4


def test_unsafe_operations_are_not_retried(
    make_client: MakeClient, provider: MockProvider, slept: list[float]
) -> None:
    provider.script("subscribe", Answer(503))
    with make_client(scopes=["eduv.association"]) as client, pytest.raises(ServerError):
        client.notifications().subscribe("association-api")
    assert slept == [] and len(provider.requests) == 1


def test_connection_failures_are_retried_then_reported(
    make_client: MakeClient, provider: MockProvider, slept: list[float]
) -> None:
    provider.script("get-group", DisconnectError(), DisconnectError(), DisconnectError())
    with make_client() as client, pytest.raises(ConnectError, match="scripted disconnect"):
        client.association().get_group("g1", orgMasterId="104A158")
    assert len(slept) == 2


def test_timeouts_are_their_own_error(key: keys.KeyPair) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    with (
        Client(
            BASE_URL,
            auth=BearerToken("t"),
            transport=httpx.MockTransport(slow),
            retry=RetryPolicy(attempts=1),
        ) as client,
        pytest.raises(TimedOutError, match="no answer in time") as caught,
    ):
        client.association().get_group("g1", orgMasterId="104A158")
    assert caught.value.request is not None


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("http", "code", "expected"),
    [
        (400, 11, SchemaIncorrectError),
        (400, 12, SchemaVersionNotSupportedError),
        (403, 21, ScopeRequiredError),
        (403, 22, ConsentRequiredError),
        (400, 23, UnknownOrganisationError),
        (400, 99, OtherReasonError),
        (400, 1001, ProviderReferenceUnknownError),
        (400, 1002, ProviderReferenceUsedError),
        (400, 1003, ConsumerReferenceUnknownError),
        (400, 1004, ConsumerReferenceUsedError),
        (404, 99, OtherReasonError),
        (404, None, UnexpectedResponseError),
        (429, None, RateLimitError),
        (503, None, ServerError),
        (503, 99, ServerError),
        (418, None, UnexpectedResponseError),
    ],
)
def test_error_mapping(
    make_client: MakeClient,
    provider: MockProvider,
    http: int,
    code: int | None,
    expected: type[ApiError],
) -> None:
    body = {"status": code, "statusMessage": "explained"} if code is not None else None
    provider.script("get-group", Answer(http, body))
    with make_client(retry=RetryPolicy(attempts=1)) as client, pytest.raises(expected) as caught:
        client.association().get_group("g1", orgMasterId="104A158")
    error = caught.value
    assert type(error) is expected
    assert (error.status_code, error.eduv_status) == (http, code)
    assert error.eduv_message == ("explained" if code is not None else None)
    assert error.request.url.path.endswith("/groups/school/g1")


def test_the_edu_v_code_decides_the_class(make_client: MakeClient, provider: MockProvider) -> None:
    provider.script("get-group", Answer(400, {"status": 22}))
    with make_client() as client, pytest.raises(ConsentRequiredError) as caught:
        client.association().get_group("g1", orgMasterId="104A158")
    assert caught.value.status_code == 400


# -- versions and payloads ------------------------------------------------------------------------


def test_api_version_mismatch_warns_or_raises(
    make_client: MakeClient, provider: MockProvider
) -> None:
    group = example("association-api", "1.1.0", "Group")
    provider.script(
        "get-group",
        Answer(200, group, version="1.0.2"),
        Answer(200, group, version=None),
        Answer(200, group, version="1.0.2"),
        Answer(200, group, version="1.0.2"),
    )
    with (
        make_client() as client,
        pytest.warns(ApiVersionWarning, match="asked for 1.1.0, got API-Version 1.0.2"),
    ):
        client.association().get_group("g1", orgMasterId="104A158")
        with pytest.warns(ApiVersionWarning, match="no API-Version header"):
            client.association().get_group("g1", orgMasterId="104A158")
    with make_client(version_check="error") as client, pytest.raises(ApiVersionMismatchError):
        client.association().get_group("g1", orgMasterId="104A158")
    with make_client(version_check="ignore") as client, warnings.catch_warnings():
        warnings.simplefilter("error")
        client.association().get_group("g1", orgMasterId="104A158")


def test_parameters_and_bodies_are_checked_before_sending(
    make_client: MakeClient, provider: MockProvider
) -> None:
    with make_client() as client, pytest.raises(RequestValidationError) as caught:
        client.association().get_groups_for_school(orgIdType="BRIN")  # type: ignore[arg-type]
        pointers = {f.instance_path for f in caught.value.findings}
        assert pointers == {"", "/orgIdType"}
        with pytest.raises(RequestValidationError, match="filterByOrgId"):
            client.association().get_groups_for_school(orgMasterId="104A158", filterByOrgId=True)
        body = example("association-api", "1.1.0", "get-enrollments-for-student-at-school.request")
        del body["school"]
        with pytest.raises(RequestValidationError, match='"school" is missing'):
            client.association().get_enrollments_for_student_at_school(body=body)
    assert provider.requests == [] and provider.token_requests == []


def test_models_are_accepted_as_bodies(make_client: MakeClient, provider: MockProvider) -> None:
    from eduv.models import model

    message = "get-enrollments-for-student-at-school.request"
    request_cls = model("association-api", "1.1.0", message)
    body = request_cls.model_validate(example("association-api", "1.1.0", message))
    with make_client() as client:
        client.association().get_enrollments_for_student_at_school(body=body)
    assert orjson.loads(provider.requests[0].content) == example(
        "association-api", "1.1.0", message
    )


def test_strict_mode_refuses_what_lenient_mode_keeps(
    make_client: MakeClient, provider: MockProvider
) -> None:
    extended = {**example("association-api", "1.1.0", "Group"), "newField": 1}
    provider.script("get-group", Answer(200, extended), Answer(200, extended))
    with make_client(validation="lenient") as client, warnings.catch_warnings():
        warnings.simplefilter("error")
        group = client.association().get_group("g1", orgMasterId="104A158")
    assert group.model_extra == {"newField": 1}
    with (
        make_client(validation="strict") as client,
        pytest.raises(ResponseValidationError, match='"newField"') as caught,
    ):
        client.association().get_group("g1", orgMasterId="104A158")
    assert caught.value.findings[0].keyword == "unevaluatedProperties"


def test_invalid_answers_raise_in_strict_and_warn_in_lenient(
    make_client: MakeClient, provider: MockProvider
) -> None:
    broken = {**example("association-api", "1.1.0", "Group"), "groupType": "club"}
    provider.script("get-groups-for-school", Answer(200, [broken]), Answer(200, [broken]))
    with (
        make_client(validation="lenient") as client,
        pytest.warns(ResponseValidationWarning, match="/0/groupType") as caught,
    ):
        groups = client.association().get_groups_for_school(orgMasterId="104A158")
    assert isinstance(groups[0].groupType, UnknownValue) and groups[0].groupType == "club"
    assert caught[0].filename == __file__  # the caller's line, not the SDK's
    assert [f.instance_path for f in caught[0].message.findings] == ["/0/groupType"]  # type: ignore[union-attr]
    with (
        make_client(validation="strict") as client,
        pytest.raises(ResponseValidationError, match="/0/groupType"),
    ):
        client.association().get_groups_for_school(orgMasterId="104A158")


def test_lenient_mode_leaves_out_items_no_model_can_hold(
    make_client: MakeClient, provider: MockProvider
) -> None:
    good = example("association-api", "1.1.0", "Group")
    nameless = {k: v for k, v in good.items() if k != "groupName"}
    provider.script("get-groups-for-school", Answer(200, [good, nameless]))
    with make_client() as client, pytest.warns(ResponseValidationWarning, match="/1"):
        raw = client.association().with_raw_response.get_groups_for_school(orgMasterId="x")
    assert [dump(g) for g in raw.parse()] == [good]
    assert {f.instance_path for f in raw.problems} >= {"/1", "/1/groupName"}
    assert all("left out" in f.message or f.instance_path.startswith("/1") for f in raw.problems)


@pytest.mark.parametrize("validation", ["strict", "lenient"])
def test_an_answer_that_is_no_value_of_the_promised_type_raises(
    make_client: MakeClient, provider: MockProvider, validation: str
) -> None:
    nameless = {
        k: v for k, v in example("association-api", "1.1.0", "Group").items() if k != "groupName"
    }
    provider.script(
        "get-groups-for-school",
        Answer(200, raw=b"<html>", headers={"Content-Type": "text/html"}),
        Answer(200, {"not": "a list"}),
    )
    provider.script("get-group", Answer(200, nameless))
    with make_client(validation=validation) as client, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ResponseValidationError, match=r"not JSON \(text/html\)"):
            client.association().get_groups_for_school(orgMasterId="104A158")
        with pytest.raises(ResponseValidationError, match="a list is expected"):
            client.association().get_groups_for_school(orgMasterId="104A158")
        with pytest.raises(ResponseValidationError, match="groupName"):
            client.association().get_group("g1", orgMasterId="104A158")


def test_a_ca_bundle_is_trusted(tmp_path: Path) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Staat der Nederlanden Root")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    bundle = tmp_path / "pkio.pem"
    bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    from eduv.runtime import tls_context

    context = tls_context(str(bundle), True)
    assert isinstance(context, ssl.SSLContext)
    subjects = [dict(x[0] for x in c["subject"]) for c in context.get_ca_certs()]
    assert {"commonName": "Test Staat der Nederlanden Root"} in subjects
    with pytest.raises(FileNotFoundError):
        tls_context(str(tmp_path / "missing.pem"), True)
