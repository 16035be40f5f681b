"""Mutual TLS with a real handshake on 127.0.0.1: a server that demands a client certificate
signed by its CA, in front of the spec-built mock provider (token endpoint included).

The certificates are made per test session: a CA, a server certificate for 127.0.0.1 and
localhost, a client certificate from that CA and one from an unrelated CA.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from eduv.client import (
    AsyncClient,
    BearerToken,
    Client,
    ClientSecret,
    ConnectError,
    RetryPolicy,
    TokenError,
)
from eduv.conformance.config import load
from eduv.conformance.http import SafeHttp
from eduv.conformance.mask import Masker
from eduv.models import model
from eduv.notifications import read_body
from eduv.provider.embedded import serve_in_thread
from eduv.runtime import tls_context
from tests.sdk.mock_provider import BASE_URL, TOKEN_URL, MockProvider, example

PASSWORD = "correct horse"
TOKEN = "token-for-mtls-tests"
ONCE = RetryPolicy(attempts=1)  # a refused handshake is not worth retrying in a test
GROUP = example("association-api", "1.1.0", "Group")  # what the mock answers


# -- certificates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca: str
    server_cert: str
    server_key: str
    client_cert: str
    client_key: str
    client_both: str  # certificate and key in one PEM file
    client_key_encrypted: str
    stranger_cert: str  # from another CA
    stranger_key: str


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    *,
    usage: x509.ObjectIdentifier | None = None,
    names: list[x509.GeneralName] | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    issuer_name = issuer[0].subject if issuer else _name(subject)
    signer = issuer[1] if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False
        )
    )
    if issuer is None:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey, password: str | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")

    def write(name: str, data: bytes) -> str:
        path = folder / name
        path.write_bytes(data)
        return str(path)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (_issue("Test School Network CA", ca_key, None), ca_key)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _issue(
        "provider.test",
        server_key,
        ca,
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        names=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")],
    )
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _issue("leermiddelenportaal", client_key, ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_ca = (_issue("Some Other CA", other_key, None), other_key)
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    stranger = _issue("stranger", stranger_key, other_ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    return Pki(
        ca=write("ca.pem", _pem(ca[0])),
        server_cert=write("server.pem", _pem(server)),
        server_key=write("server.key", _key_pem(server_key)),
        client_cert=write("client.pem", _pem(client)),
        client_key=write("client.key", _key_pem(client_key)),
        client_both=write("client-both.pem", _pem(client) + _key_pem(client_key)),
        client_key_encrypted=write("client-encrypted.key", _key_pem(client_key, PASSWORD)),
        stranger_cert=write("stranger.pem", _pem(stranger)),
        stranger_key=write("stranger.key", _key_pem(stranger_key)),
    )


# -- the server -------------------------------------------------------------------------------


def mock_app(provider: MockProvider) -> Any:
    """The mock provider as an ASGI app: /oauth2/token is its token endpoint."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = await read_body(receive) or b""
        path = scope["raw_path"].decode()
        url = TOKEN_URL if path == "/oauth2/token" else BASE_URL + path
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode()
        request = httpx.Request(scope["method"], url, headers=scope["headers"], content=body)
        response = provider.handle(request)
        headers = [(k.lower(), v) for k, v in response.headers.raw]
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": headers}
        )
        await send({"type": "http.response.body", "body": response.content})

    return app


@dataclass
class Server:
    url: str
    provider: MockProvider


@pytest.fixture
def server(pki: Pki) -> Iterator[Server]:
    """The mock provider over HTTPS on a free loopback port, refusing clients without a
    certificate from the test CA."""
    provider = MockProvider()
    provider.tokens[TOKEN] = {"eduv.association"}
    provider.register_secret("portal", "portal-secret", {"eduv.association"})
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        mock_app(provider),
        lifespan="off",
        log_level="critical",  # refused handshakes are the point of several tests
        ssl_certfile=pki.server_cert,
        ssl_keyfile=pki.server_key,
        ssl_ca_certs=pki.ca,
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    )
    running, thread = serve_in_thread(config, sock, "the TLS test server")
    try:
        yield Server(f"https://127.0.0.1:{sock.getsockname()[1]}", provider)
    finally:
        running.should_exit = True
        thread.join(timeout=30)
        sock.close()
    assert not thread.is_alive()


# -- the SDK client over mutual TLS -----------------------------------------------------------


def test_the_sync_client_shows_its_certificate_and_gets_a_typed_answer(
    server: Server, pki: Pki
) -> None:
    with Client(
        server.url,
        auth=BearerToken(TOKEN),
        ca_bundle=pki.ca,
        client_cert=(pki.client_cert, pki.client_key),
    ) as client:
        groups = client.association().get_groups_for_school(orgMasterId="104A158")
    assert len(server.provider.requests) == 1
    assert isinstance(groups[0], model("association-api", "1.1.0", "Group"))
    assert groups[0].model_dump(mode="json", exclude_none=True) == GROUP


def test_a_pem_file_holding_certificate_and_key_is_enough(server: Server, pki: Pki) -> None:
    with Client(
        server.url, auth=BearerToken(TOKEN), ca_bundle=pki.ca, client_cert=pki.client_both
    ) as client:
        assert client.association().get_groups_for_school(orgMasterId="104A158")


def test_an_encrypted_key_is_opened_with_its_password(server: Server, pki: Pki) -> None:
    cert = (pki.client_cert, pki.client_key_encrypted, PASSWORD)
    with Client(server.url, auth=BearerToken(TOKEN), ca_bundle=pki.ca, client_cert=cert) as client:
        assert client.association().get_groups_for_school(orgMasterId="104A158")


def test_the_async_client_shows_its_certificate_and_gets_a_typed_answer(
    server: Server, pki: Pki
) -> None:
    async def main() -> Any:
        async with AsyncClient(
            server.url,
            auth=BearerToken(TOKEN),
            ca_bundle=pki.ca,
            client_cert=(pki.client_cert, pki.client_key),
        ) as client:
            return await client.association().get_groups_for_school(orgMasterId="104A158")

    groups = asyncio.run(main())
    assert isinstance(groups[0], model("association-api", "1.1.0", "Group"))
    assert groups[0].model_dump(mode="json", exclude_none=True) == GROUP


@pytest.mark.parametrize("who", ["no certificate", "a certificate from another CA"])
def test_the_server_refuses_and_the_client_raises_its_connect_error(
    server: Server, pki: Pki, who: str
) -> None:
    cert = None if who == "no certificate" else (pki.stranger_cert, pki.stranger_key)
    with (
        Client(
            server.url, auth=BearerToken(TOKEN), ca_bundle=pki.ca, client_cert=cert, retry=ONCE
        ) as client,
        pytest.raises(ConnectError),
    ):
        client.association().get_groups_for_school(orgMasterId="104A158")
    # Under TLS 1.3 the client learns of the refusal only when it reads: an alert or
    # just a closed connection. Either way nothing reached the provider.
    assert server.provider.requests == []


def test_the_async_client_is_refused_without_a_certificate(server: Server, pki: Pki) -> None:
    async def main() -> None:
        async with AsyncClient(
            server.url, auth=BearerToken(TOKEN), ca_bundle=pki.ca, retry=ONCE
        ) as client:
            await client.association().get_groups_for_school(orgMasterId="104A158")

    with pytest.raises(ConnectError):
        asyncio.run(main())
    assert server.provider.requests == []


def test_the_token_request_shows_the_certificate_too(server: Server, pki: Pki) -> None:
    auth = ClientSecret(
        client_id="portal", client_secret="portal-secret", token_url=server.url + "/oauth2/token"
    )
    with Client(
        server.url, auth=auth, ca_bundle=pki.ca, client_cert=(pki.client_cert, pki.client_key)
    ) as client:
        groups = client.association().get_groups_for_school(orgMasterId="104A158")
    # The token request was the first on this client, to a server that demands a certificate.
    assert len(server.provider.token_requests) == 1
    issued = server.provider.requests[0].headers["Authorization"]
    assert issued.startswith("Bearer token-") and issued != f"Bearer {TOKEN}"
    assert groups
    with (
        Client(server.url, auth=auth, ca_bundle=pki.ca, retry=ONCE) as bare,
        pytest.raises(TokenError, match="cannot be reached"),
    ):
        bare.association().get_groups_for_school(orgMasterId="104A158")
    assert len(server.provider.token_requests) == 1


def test_without_server_checks_the_certificate_is_still_shown(server: Server, pki: Pki) -> None:
    context = tls_context(None, False, (pki.client_cert, pki.client_key))
    assert isinstance(context, ssl.SSLContext)
    assert (context.check_hostname, context.verify_mode) == (False, ssl.CERT_NONE)
    with Client(
        server.url,
        auth=BearerToken(TOKEN),
        verify=False,
        client_cert=(pki.client_cert, pki.client_key),
    ) as client:
        assert client.association().get_groups_for_school(orgMasterId="104A158")


def test_the_server_is_still_checked_when_a_certificate_is_shown(server: Server, pki: Pki) -> None:
    # Not the test CA: the server's certificate must be refused, certificate or not.
    with (
        Client(
            server.url,
            auth=BearerToken(TOKEN),
            ca_bundle=pki.stranger_cert,
            client_cert=(pki.client_cert, pki.client_key),
            retry=ONCE,
        ) as client,
        pytest.raises(ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.association().get_groups_for_school(orgMasterId="104A158")


# -- unusable input ---------------------------------------------------------------------------


def test_unusable_certificate_files_are_named_with_the_reason(pki: Pki, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.pem")
    encrypted = pki.client_key_encrypted
    cases: list[tuple[Any, str]] = [
        (missing, f"client certificate '{missing}': no such file"),
        ((pki.client_cert, missing), f"client key '{missing}': no such file"),
        ((str(tmp_path), pki.client_key), f"client certificate '{tmp_path}': a folder"),
        (
            (pki.client_cert, pki.stranger_key),
            f"client certificate '{pki.client_cert}' and key '{pki.stranger_key}' do not match",
        ),
        (
            (pki.client_cert, encrypted, "wrong"),
            f"could not load client key '{encrypted}': wrong password or not a PEM key",
        ),
        ((pki.client_cert, encrypted), f"client key '{encrypted}' is encrypted and no password"),
        ((pki.client_key, pki.client_key), f"client certificate '{pki.client_key}': no PEM cert"),
        (
            (pki.client_cert, pki.client_cert),
            f"could not load client key '{pki.client_cert}': not a PEM private key",
        ),
        (pki.client_cert, f"could not load client key '{pki.client_cert}': no PEM private key"),
        ((pki.client_cert, pki.client_key, "pw", "x"), "not a tuple of 4 items"),
    ]
    for client_cert, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            Client("https://provider.test", ca_bundle=pki.ca, client_cert=client_cert)
    with pytest.raises(ValueError, match=re.escape(f"client key '{missing}': no such file")):
        AsyncClient("https://provider.test", client_cert=(pki.client_cert, missing))


def test_a_password_never_shows_in_an_error(pki: Pki) -> None:
    with pytest.raises(ValueError) as caught:
        Client(client_cert=(pki.client_cert, pki.client_key, "s3cret", "x"))  # type: ignore[arg-type]
    assert "s3cret" not in str(caught.value)


def test_an_ssl_context_of_ones_own_excludes_the_other_tls_options(pki: Pki) -> None:
    own = ssl.create_default_context()
    for options in ({"client_cert": pki.client_both}, {"ca_bundle": pki.ca}):
        with pytest.raises(ValueError, match="verify is an SSLContext"):
            Client("https://provider.test", verify=own, **options)
        with pytest.raises(ValueError, match="verify is an SSLContext"):
            AsyncClient("https://provider.test", verify=own, **options)
    assert tls_context(None, own, None) is own


def test_without_tls_options_httpx_keeps_its_defaults() -> None:
    assert tls_context() is True
    assert tls_context(None, False) is False
    assert tls_context("ignored-when-not-verifying.pem", False) is False


# -- the conformance suite's HTTP client --------------------------------------------------------


def _suite_config(folder: Path, pki: Pki, *, with_cert: bool) -> Path:
    # Relative paths: they are read relative to the configuration file's folder.
    for name in ("ca", "client_cert", "client_key"):
        source = Path(getattr(pki, name))
        (folder / source.name).write_bytes(source.read_bytes())
    lines = ["[limits]", f'ca_bundle = "{Path(pki.ca).name}"']
    if with_cert:
        lines += [
            f'client_cert = "{Path(pki.client_cert).name}"',
            f'client_key = "{Path(pki.client_key).name}"',
        ]
    path = folder / "suite.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_suite_client_shows_the_configured_certificate(
    server: Server, pki: Pki, tmp_path: Path
) -> None:
    cfg = load(_suite_config(tmp_path, pki, with_cert=True))
    assert cfg.limits.client_cert == str(tmp_path / "client.pem")
    answer = _suite_groups(server, SafeHttp(cfg.limits, Masker()))
    assert answer.error is None
    assert answer.status == 200
    assert answer.json() == [GROUP]


def _suite_groups(server: Server, http: SafeHttp) -> Any:
    """The groups of one school through the suite's client, which is closed afterwards."""
    try:
        return http.request(
            "GET",
            server.url + "/association-api/v1/groups/school",
            params={"orgMasterId": "104A158"},
            headers={"Authorization": f"Bearer {TOKEN}", "API-Version": "1.1.0"},
        )
    finally:
        http.close()


def test_the_suite_client_without_a_certificate_is_refused(
    server: Server, pki: Pki, tmp_path: Path
) -> None:
    cfg = load(_suite_config(tmp_path, pki, with_cert=False))
    http = SafeHttp(cfg.limits, Masker())
    try:
        answer = http.request("GET", server.url + "/association-api/v1/groups/school")
    finally:
        http.close()
    assert answer.status is None
    assert answer.error is not None
    assert server.provider.requests == []


def test_the_suite_opens_an_encrypted_key_with_a_password_from_the_environment(
    server: Server, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ca", "client_cert", "client_key_encrypted"):
        source = Path(getattr(pki, name))
        (tmp_path / source.name).write_bytes(source.read_bytes())
    config = tmp_path / "suite.toml"
    config.write_text(
        "[limits]\n"
        f'ca_bundle = "{Path(pki.ca).name}"\n'
        f'client_cert = "{Path(pki.client_cert).name}"\n'
        f'client_key = "{Path(pki.client_key_encrypted).name}"\n'
        'client_key_password_env = "PORTAL_KEY_PASSWORD"\n',
        encoding="utf-8",
    )
    limits = load(config).limits
    monkeypatch.delenv("PORTAL_KEY_PASSWORD", raising=False)
    with pytest.raises(ValueError, match=r"PORTAL_KEY_PASSWORD .* is not set"):
        SafeHttp(limits, Masker())
    monkeypatch.setenv("PORTAL_KEY_PASSWORD", "wrong")
    with pytest.raises(ValueError, match="wrong password"):
        SafeHttp(limits, Masker())
    monkeypatch.setenv("PORTAL_KEY_PASSWORD", PASSWORD)
    answer = _suite_groups(server, SafeHttp(limits, Masker()))
    assert answer.status == 200
    assert answer.json() == [GROUP]
