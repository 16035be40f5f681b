"""Every Python sample of README.md and docs/*.md runs against the embedded reference
provider and passes mypy --strict (docs/sdk.md, "Running the samples", says how)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


@dataclass(frozen=True)
class Sample:
    page: str
    line: int
    code: str

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


def samples() -> list[Sample]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            found.append(Sample(page.name, line, match.group(1)))
    return found


SAMPLES = samples()


@dataclass(frozen=True)
class Provider:
    url: str
    secret: str
    school: str


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    from eduv.provider.embedded import running

    with running() as embedded:
        yield Provider(embedded.url, embedded.secret, embedded.dataset.schools[0].key)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files the samples name: a client key, a CA bundle, a client certificate."""
    folder = tmp_path_factory.mktemp("samples")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from eduv import keys

    (folder / "client.pem").write_bytes(keys.generate("ES256").private_pem())
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eduv sample")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (folder / "pkioverheid.pem").write_bytes(pem)
    (folder / "portal-cert.pem").write_bytes(pem)
    (folder / "portal-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder


def substituted(code: str, provider: Provider, client_id: str) -> str:
    """The one documented substitution of placeholders."""
    return (
        code.replace("https://las.example.org", provider.url)
        .replace("my-client-id", client_id)
        .replace("my-client-secret", provider.secret)
        .replace("104A158", provider.school)
    )


def run(
    sample: Sample, provider: Provider, workdir: Path, monkeypatch: pytest.MonkeyPatch, client: str
) -> str:
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("EDUV_BASE_URL", provider.url)
    monkeypatch.setenv("EDUV_TOKEN_URL", provider.url + "/oauth2/token")
    monkeypatch.setenv("EDUV_CLIENT_ID", client)
    monkeypatch.setenv("EDUV_CLIENT_SECRET", provider.secret)
    monkeypatch.delenv("EDUV_PRIVATE_KEY", raising=False)
    code = compile(substituted(sample.code, provider, client), sample.name, "exec")
    out = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "__sample__"}
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        exec(code, namespace)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_every_sample_runs_against_the_reference_provider(
    sample: Sample, provider: Provider, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = run(sample, provider, workdir, monkeypatch, "conformance")
    if "def sync_school" in sample.code:
        assert f"{provider.school}: " in out and "groups" in out
        assert "999A999: unknown to this provider" in out
        refused = run(sample, provider, workdir, monkeypatch, "conformance-no-consent")
        assert f"{provider.school}: no consent yet" in refused


def test_the_docs_have_samples() -> None:
    pages = {s.page for s in SAMPLES}
    assert {"README.md", "sdk.md"} <= pages
    assert len(SAMPLES) >= 10


@pytest.mark.slow
def test_every_sample_passes_mypy_strict(tmp_path: Path) -> None:
    files = []
    for index, sample in enumerate(SAMPLES):
        path = tmp_path / f"sample_{index:02d}.py"
        path.write_text(f"# {sample.name}\n{sample.code}", encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "--strict", *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": ""},
    )
    names = {f"sample_{i:02d}.py": s.name for i, s in enumerate(SAMPLES)}
    report = re.sub(r"\S*(sample_\d\d\.py)", lambda m: names[m.group(1)], result.stdout)
    assert result.returncode == 0, report
