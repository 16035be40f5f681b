"""The reference provider's commands: ``eduv serve``, ``eduv load`` and ``eduv example``.

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
    docs: Annotated[
        Path | None,
        typer.Option(
            "--docs",
            help="Serve this built documentation site (eduv docs build) under /docs/site/. "
            "Default: one built on start into the cache folder (EDUV_CACHE_DIR), reused "
            "while the spec and eduv stay the same.",
        ),
    ] = None,
    no_docs: Annotated[
        bool, typer.Option("--no-docs", help="Do not serve the documentation site.")
    ] = False,
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
    from eduv.provider.faults import fault_names
    from eduv.provider.private import KeyFileError

    chosen_faults = fault_names(fault or [])
    site = None if no_docs else _docs_site(docs)
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
    if site is not None:
        typer.echo(f"documentation site: {url.rstrip('/')}/docs/site/ (from {site})", err=True)
    settings = Settings(settings_config, url, chosen_faults, provisioning, deliver, site)
    if chosen_faults:
        typer.echo(f"faults switched on: {', '.join(chosen_faults)}", err=True)
    try:
        application = create_app(engine, settings)
    except (ConfigError, KeyFileError) as exc:
        typer.echo(f"eduv: {exc}", err=True)
        raise typer.Exit(1) from None
    uvicorn.run(application, host=host, port=port, log_level=log_level)


def _docs_site(chosen: Path | None) -> Path | None:
    """The built site to serve: the one given, else one from the cache (None if that fails)."""
    from eduv.docsite.build import MARKER, SiteError

    if chosen is not None:
        if not (chosen / "index.html").is_file() or not (chosen / MARKER).is_file():
            raise typer.BadParameter(
                f"{chosen}: no built site here; run `eduv docs build --out {chosen}` first",
                param_hint="--docs",
            )
        return chosen
    from eduv.docsite.cache import cached_site

    try:
        return cached_site()
    except (OSError, SiteError) as exc:
        # The provider is still of use without its documentation site.
        typer.echo(f"warning: the documentation site is not served: {exc}", err=True)
        return None


def _load(engine: Engine, path: Path, *, notify: bool) -> None:
    from eduv.provider.chain.store import chain_format, load_chain
    from eduv.provider.datasets import read_dataset
    from eduv.provider.store import load_dataset

    if chain_format(path):
        from eduv.dataset.chain import load_chain_dataset

        done = load_chain(engine, load_chain_dataset(path))
        counts = ", ".join(f"{n} {name}" for name, n in done.objects.items() if n)
        typer.echo(f"loaded the chain of {done.schools} schools: {counts}", err=True)
        return
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


@app.command("example")
def example_command(
    folder: Annotated[Path, typer.Argument(help="Folder to write into (made when missing).")],
    port: Annotated[
        int,
        typer.Option(min=1, max=65535, help="Port the provider will be served on (eduv serve)."),
    ] = 8000,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the generated dataset.")] = 0,
    force: Annotated[bool, typer.Option(help="Overwrite the example files already there.")] = False,
) -> None:
    """Write a folder to try eduv with: payloads, a dataset, traffic, clients, a target.

    Sample payloads (valid and invalid), a seeded dataset, a HAR file, a provider
    configuration with registered clients and a conformance target configuration. Files
    holding a key or a token are readable by the owner only; existing files are never
    overwritten without --force.
    """
    _require_server_extra()
    from eduv.cli.common import fail
    from eduv.provider.example import ExampleError, write_example

    try:
        written = write_example(folder, port=port, seed=seed, force=force)
    except ExampleError as exc:
        fail(str(exc))
    for name in written.names:
        typer.echo(str(folder / name))
    typer.echo(
        f"serve it:  eduv serve --config {folder / 'provider.json'} --load "
        f"{folder / 'dataset'} --provisioning --port {port}\n"
        f"test it:   eduv conformance run --config {folder / 'target.toml'}",
        err=True,
    )


def register(root: typer.Typer) -> None:
    """Add ``serve``, ``load`` and ``example`` to the ``eduv`` command (entry point
    ``eduv.commands``)."""
    root.command("serve")(serve)
    root.command("load")(load_command)
    root.command("example")(example_command)


def main() -> None:  # pragma: no cover - `python -m eduv.provider.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
