"""``eduv keys``: client key pairs for OAuth2 private_key_jwt."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from eduv.cli.common import stdout

app = typer.Typer(help="Client keys for OAuth2 private_key_jwt.", no_args_is_help=True)


@app.command("generate")
def keys_generate(
    private_key: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the private key (PEM, mode 600).")
    ],
    alg: Annotated[str, typer.Option(help="RS256, PS256 or ES256.")] = "RS256",
    kid: Annotated[str | None, typer.Option(help="Key id (default: RFC 7638 thumbprint).")] = None,
    bits: Annotated[int, typer.Option(help="RSA key size.")] = 3072,
    force: Annotated[bool, typer.Option(help="Overwrite an existing key file.")] = False,
) -> None:
    """Create a key pair; prints the public JWKS to register with a provider."""
    from eduv import keys

    pair = keys.generate(alg, kid=kid, bits=bits)
    keys.save_private(pair, private_key, overwrite=force)
    stdout(orjson.dumps(pair.jwks(), option=orjson.OPT_INDENT_2) + b"\n")


@app.command("show")
def keys_show(
    private_key: Annotated[Path, typer.Argument(help="A private key file (PEM).")],
    alg: Annotated[str | None, typer.Option(help="RS256, PS256 or ES256.")] = None,
    kid: Annotated[str | None, typer.Option(help="Key id (default: RFC 7638 thumbprint).")] = None,
) -> None:
    """Print the public JWKS of an existing private key."""
    from eduv import keys

    pair = keys.load(private_key, alg=alg, kid=kid)
    stdout(orjson.dumps(pair.jwks(), option=orjson.OPT_INDENT_2) + b"\n")
