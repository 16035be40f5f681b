"""TLS for the client and the suite: which servers to trust, which certificate to show.

:func:`tls_context` turns the options a user gives (a CA bundle, a client certificate
for mutual TLS, ``verify``) into what httpx takes, and refuses unusable certificate or
key files with a ``ValueError`` that names the file and the reason, which OpenSSL's own
errors do not.
"""

from __future__ import annotations

import ssl
from typing import TypeAlias

ClientCert: TypeAlias = str | tuple[str, str] | tuple[str, str, str]


def tls_context(
    ca_bundle: str | None = None,
    verify: bool | ssl.SSLContext = True,
    client_cert: ClientCert | None = None,
) -> bool | ssl.SSLContext:
    """The ``verify`` setting for httpx: which servers to trust and which certificate to show.

    ``ca_bundle`` names a CA file to trust (e.g. the PKIoverheid roots); ``client_cert`` is
    a PEM file with certificate and key, ``(cert_file, key_file)`` or ``(cert_file,
    key_file, password)`` for mutual TLS. ``verify=False`` switches server checks off,
    also with a CA bundle; an ``SSLContext`` is used as it is. Bad certificate or key
    files raise ``ValueError`` naming the file and the reason.
    """
    if isinstance(verify, ssl.SSLContext):
        if ca_bundle is not None or client_cert is not None:
            raise ValueError(
                "verify is an SSLContext, so TLS is set up by the caller: load the CA bundle "
                "and the client certificate into that context instead of passing "
                "ca_bundle or client_cert"
            )
        return verify
    if client_cert is None and (ca_bundle is None or not verify):
        return verify
    if verify:
        # Without a bundle, trust what httpx trusts by default (certifi), so that adding a
        # client certificate does not change which servers are accepted.
        import certifi

        context = ssl.create_default_context(cafile=ca_bundle or certifi.where())
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if client_cert is not None:
        _load_client_cert(context, client_cert)
    return context


class _NoPasswordError(Exception):
    """Raised from the password callback: OpenSSL would otherwise prompt on the terminal."""


def _load_client_cert(context: ssl.SSLContext, client_cert: ClientCert) -> None:
    key: str | None = None
    password: str | None = None
    match client_cert:
        case str(cert):
            pass
        case (str(cert), str(key)):
            pass
        case (str(cert), str(key), str(password)):
            pass
        case _:
            raise ValueError(
                "client_cert is a PEM file, (cert_file, key_file) or "
                f"(cert_file, key_file, password), not {_shape(client_cert)}"
            )
    _readable("client certificate", cert)
    if key is not None:
        _readable("client key", key)
    # OpenSSL's errors do not say which of the two files is wrong; this check on the
    # certificate alone does.
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=cert)
    except ssl.SSLError:
        raise ValueError(f"client certificate '{cert}': no PEM certificate in it") from None
    asked = False

    def give_password() -> str:
        nonlocal asked
        asked = True
        if password is None:
            raise _NoPasswordError
        return password

    key_name = key or cert
    try:
        context.load_cert_chain(cert, key, give_password)
    except _NoPasswordError:
        raise ValueError(
            f"client key '{key_name}' is encrypted and no password was given"
        ) from None
    except ssl.SSLError as error:
        if error.reason == "KEY_VALUES_MISMATCH":
            raise ValueError(
                f"client certificate '{cert}' and key '{key_name}' do not match"
            ) from None
        if asked:
            reason = "wrong password or not a PEM key"
        elif key is None:
            reason = "no PEM private key in it; give the key file too"
        else:
            reason = "not a PEM private key"
        raise ValueError(f"could not load client key '{key_name}': {reason}") from None


def _shape(value: object) -> str:
    # Never the value itself: it may hold the key's password.
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _readable(what: str, path: str) -> None:
    try:
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        raise ValueError(f"{what} '{path}': no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{what} '{path}': a folder, not a file") from None
    except PermissionError:
        raise ValueError(f"{what} '{path}': permission denied") from None
    except OSError as error:
        raise ValueError(f"{what} '{path}': {error.strerror or error}") from None
