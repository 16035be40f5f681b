"""The reference provider's commands: ``eduv serve`` and ``eduv load``.

The ``eduv`` command finds :func:`register` through the ``eduv.commands`` entry point
group; ``app`` runs the same commands on its own (``python -m eduv.provider.cli``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

    from eduv.provider.config import ProviderConfig

app = typer.Typer(help="The eduv reference provider.", no_args_is_help=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL: sqlite:///file.db or postgresql://user:pass@host/db. "
        "Default: eduv-provider.db (SQLite) in the working folder.",
    ),
]


def _require_server_extra() -> None:
    """Refuse clearly when the optional server dependencies are not installed."""
    import importlib.util

    missing = [
        m for m in ("fastapi", "uvicorn", "sqlalchemy") if importlib.util.find_spec(m) is None
    ]
    if missing:
        raise typer.BadParameter(
            f"the reference provider needs {', '.join(missing)}: pip install 'eduv[server]' "
            "(and 'eduv[postgres]' for PostgreSQL)"
        )


def _engine(database: str | None) -> Engine:
    from sqlalchemy.exc import SQLAlchemyError

    from eduv.provider.db import DatabaseError, default_url, make_engine, migrate

    url = database or default_url()
    try:
        engine = make_engine(url)
        migrate(engine)
    except (DatabaseError, SQLAlchemyError, ImportError) as exc:
        # A wrong URL or an unreachable server is the user's to fix, not a crash.
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        typer.echo(f"eduv: the database cannot be used: {first_line}", err=True)
        raise typer.Exit(1) from None
    return engine


def _dev_config(secret: str) -> ProviderConfig:
    from eduv.provider.config import config_from_json
    from eduv.provider.versions import served_scopes

    scopes = served_scopes()
    client = {"clientId": "dev", "secret": secret, "scopes": scopes, "consents": [{"school": "*"}]}
    return config_from_json({"configVersion": 1, "clients": [client]}, "--dev")


def _faults(names: list[str]) -> tuple[str, ...]:
    from eduv.provider.faults import Faults

    flat = tuple(n.strip() for name in names for n in name.split(",") if n.strip())
    Faults(flat)  # refuses unknown names before anything starts
    return flat


def _print_faults() -> None:
    from eduv.provider.faults import FAULTS

    for fault in FAULTS.values():
        typer.echo(f"{fault.name}\n    does:   {fault.summary}\n    breaks: {fault.breaks}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: DatabaseOption = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Provider configuration file (clients, consents, ...)."),
    ] = None,
    load: Annotated[
        Path | None, typer.Option("--load", help="Load this dataset (file or folder) first.")
    ] = None,
    provisioning: Annotated[
        bool, typer.Option("--provisioning", help="Serve the provisioning API.")
    ] = False,
    provisioning_token: Annotated[
        str | None,
        typer.Option(
            "--provisioning-token",
            envvar="EDUV_PROVISIONING_TOKEN",
            help="Bearer token of the provisioning API (else the configuration's).",
        ),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option("--fault", help="Switch on a named fault (repeat, or comma-separated)."),
    ] = None,
    list_faults: Annotated[
        bool, typer.Option("--list-faults", help="List the named faults and exit.")
    ] = False,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url", help="Base URL clients use (token audience, notification urls)."
        ),
    ] = None,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev",
            help="Register a development client 'dev' with a client secret, every scope and "
            "consent for every school (printed at start-up).",
        ),
    ] = False,
    deliver: Annotated[
        bool, typer.Option("--deliver/--no-deliver", help="Run the notification worker.")
    ] = True,
    max_body_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-body-bytes",
            min=1024,
            help="Largest request body accepted (else the configuration's, else 32 MiB).",
        ),
    ] = None,
    token_rate_limit: Annotated[
        int | None,
        typer.Option(
            "--token-rate-limit",
            min=0,
            help="Token requests per minute per client and address (0: no limit; default 600).",
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Start the reference provider (FastAPI under uvicorn)."""
    _require_server_extra()
    if list_faults:
        _print_faults()
        return
    import dataclasses

    import uvicorn

    from eduv.provider.app import Settings, create_app
    from eduv.provider.config import (
        ConfigError,
        ProviderConfig,
        load_config,
        provisioning_token_problem,
    )
    from eduv.provider.private import KeyFileError

    chosen_faults = _faults(fault or [])
    settings_config = load_config(config) if config else ProviderConfig()
    if dev:
        secret = os.environ.get("EDUV_DEV_SECRET") or secrets.token_urlsafe(18)
        dev_clients = _dev_config(secret).clients
        settings_config = dataclasses.replace(
            settings_config, clients={**settings_config.clients, **dev_clients}
        )
        typer.echo(f"development client: client_id=dev client_secret={secret}", err=True)
    if provisioning_token:
        # The option and the variable meet the same rule as the configuration file.
        weak = provisioning_token_problem(provisioning_token)
        if weak:
            raise typer.BadParameter(f"{weak} (--provisioning-token / EDUV_PROVISIONING_TOKEN)")
        settings_config = dataclasses.replace(
            settings_config, provisioning_token=provisioning_token
        )
    if max_body_bytes is not None:
        settings_config = dataclasses.replace(settings_config, max_body_bytes=max_body_bytes)
    if token_rate_limit is not None:
        settings_config = dataclasses.replace(settings_config, token_rate_limit=token_rate_limit)
    if provisioning and not settings_config.provisioning_token:
        raise typer.BadParameter(
            "the provisioning API needs a token: --provisioning-token, EDUV_PROVISIONING_TOKEN "
            "or provisioning.token in the configuration"
        )
    if not settings_config.clients:
        typer.echo("warning: no clients are registered; pass --config or --dev", err=True)
    engine = _engine(database)
    if load is not None:
        _load(engine, load, notify=True)
    url = public_url or settings_config.public_url or f"http://{host}:{port}"
    if host in ("0.0.0.0", "::") and not (public_url or settings_config.public_url):
        typer.echo(
            f"warning: clients cannot reach {url}; pass --public-url (it is the token "
            "audience and the base of notification urls)",
            err=True,
        )
    settings = Settings(settings_config, url, chosen_faults, provisioning, deliver)
    if chosen_faults:
        typer.echo(f"faults switched on: {', '.join(chosen_faults)}", err=True)
    try:
        application = create_app(engine, settings)
    except (ConfigError, KeyFileError) as exc:
        typer.echo(f"eduv: {exc}", err=True)
        raise typer.Exit(1) from None
    uvicorn.run(application, host=host, port=port, log_level=log_level)


def _load(engine: Engine, path: Path, *, notify: bool) -> None:
    from eduv.provider.datasets import read_dataset
    from eduv.provider.store import load_dataset

    dataset = read_dataset(path)
    summary = load_dataset(engine, dataset, notify=notify)
    counts = ", ".join(f"{n} {name}" for name, n in summary.objects.items() if n)
    typer.echo(f"loaded {summary.schools} schools: {counts}", err=True)


@app.command("load")
def load_command(
    dataset: Annotated[Path, typer.Argument(help="Dataset file or folder.")],
    database: DatabaseOption = None,
    notify: Annotated[
        bool,
        typer.Option("--notify/--no-notify", help="Write bulk notifications for subscribers."),
    ] = True,
) -> None:
    """Replace the provider's data with a dataset, in one transaction."""
    _require_server_extra()
    _load(_engine(database), dataset, notify=notify)


def register(root: typer.Typer) -> None:
    """Add ``serve`` and ``load`` to the ``eduv`` command (entry point ``eduv.commands``)."""
    root.command("serve")(serve)
    root.command("load")(load_command)


def main() -> None:  # pragma: no cover - `python -m eduv.provider.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
