"""Client key pairs for ``private_key_jwt``: generate, load, and publish as a JWKS.

An Edu-V client proves who it is to an authorisation server by signing a short JWT
with its private key; the server checks the signature with the public key the client
registered (as a JWKS, usually behind a ``jwks_uri``). The key id (``kid``) defaults
to the RFC 7638 thumbprint of the public key, so it is stable for a key.

>>> pair = generate("ES256")
>>> sorted(pair.jwks()["keys"][0])
['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwk

Algorithm = Literal["RS256", "PS256", "ES256"]
ALGORITHMS: tuple[Algorithm, ...] = ("RS256", "PS256", "ES256")
DEFAULT_RSA_BITS = 3072

SigningKey = jwk.RSAKey | jwk.ECKey


class InvalidKeyError(ValueError):
    """A key that cannot be generated, read or used for the chosen algorithm."""


@dataclass(frozen=True)
class KeyPair:
    """A private signing key with its algorithm and key id."""

    key: SigningKey
    alg: Algorithm
    kid: str

    def private_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM (keep it secret)."""
        pem: bytes = self.key.as_pem(private=True)
        return pem

    def public_jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = dict(self.key.as_dict(private=False))
        public.update({"kid": self.kid, "alg": self.alg, "use": "sig"})
        return public

    def jwks(self) -> dict[str, Any]:
        """The public JWKS to register with a provider (or serve at a ``jwks_uri``)."""
        return {"keys": [self.public_jwk()]}


def _check_alg(alg: str) -> Algorithm:
    if alg not in ALGORITHMS:
        raise InvalidKeyError(f"unsupported algorithm {alg!r}; use one of {', '.join(ALGORITHMS)}")
    return alg


def generate(
    alg: str = "RS256", *, kid: str | None = None, bits: int = DEFAULT_RSA_BITS
) -> KeyPair:
    """A new key pair: RSA (``bits``, at least 2048) for RS256/PS256, P-256 for ES256."""
    chosen = _check_alg(alg)
    if chosen == "ES256":
        key: SigningKey = jwk.ECKey.generate_key("P-256")
    else:
        if bits < 2048:
            raise InvalidKeyError(f"an RSA key needs at least 2048 bits, not {bits}")
        key = jwk.RSAKey.generate_key(bits)
    return KeyPair(key, chosen, kid or key.thumbprint())


def _default_alg(key: SigningKey) -> Algorithm:
    return "ES256" if isinstance(key, jwk.ECKey) else "RS256"


def load(
    source: str | bytes | os.PathLike[str],
    *,
    alg: str | None = None,
    kid: str | None = None,
    password: bytes | None = None,
) -> KeyPair:
    """Read a private key from PEM bytes or a PEM file (PKCS#1, PKCS#8 or SEC1).

    A PKIoverheid key is usually RSA; its certificate is registered separately.
    """
    data = source if isinstance(source, bytes) else _read(Path(source))
    try:
        raw = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise InvalidKeyError(f"not a usable private key in PEM form: {exc}") from None
    key: SigningKey
    if isinstance(raw, rsa.RSAPrivateKey):
        key = jwk.RSAKey.import_key(raw)
    elif isinstance(raw, ec.EllipticCurvePrivateKey) and raw.curve.name == "secp256r1":
        key = jwk.ECKey.import_key(raw)
    else:
        raise InvalidKeyError("client assertions need an RSA key or an EC key on curve P-256")
    chosen = _check_alg(alg) if alg else _default_alg(key)
    if (chosen == "ES256") != isinstance(key, jwk.ECKey):
        raise InvalidKeyError(f"{chosen} does not fit a {key.key_type} key")
    return KeyPair(key, chosen, kid or key.thumbprint())


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidKeyError(f"cannot read the key file {path}: {exc.strerror or exc}") from None


def save_private(pair: KeyPair, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
    """Write the private key, readable by the owner only; never replace a file silently."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise InvalidKeyError(f"{target} exists; refusing to overwrite a key (use --force)")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(target, flags, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pair.private_pem())
