"""``eduv conformance``: run the suite, list its checks, verify a report.

Without a target, ``eduv conformance run`` starts the reference provider on a free
loopback port (SQLite in a temporary folder, or ``--database``), runs the default
suite against it and writes the reports.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from eduv.conformance.config import (
    ConfigError,
    Consumer,
    Credential,
    RunConfig,
    SchoolTarget,
    load,
    parse_lang,
    parse_modes,
)

app = typer.Typer(help="The Edu-V conformance suite.", no_args_is_help=True)

Opt = typer.Option


@app.command("run")
def run_command(
    config: Annotated[Path | None, Opt("--config", "-c", help="TOML configuration file.")] = None,
    root: Annotated[
        str | None, Opt(help="Root URL of the target: APIs at /{api}/v{major}.")
    ] = None,
    token_url: Annotated[str | None, Opt(help="The target's token endpoint.")] = None,
    client_id: Annotated[str | None, Opt(help="Client id of the credential.")] = None,
    private_key: Annotated[Path | None, Opt(help="PEM private key (private_key_jwt).")] = None,
    secret_env: Annotated[
        str | None, Opt(help="Environment variable holding the client secret.")
    ] = None,
    school: Annotated[list[str] | None, Opt(help="School to test (RIO code); repeat.")] = None,
    api: Annotated[list[str] | None, Opt(help="API to test (default: all); repeat.")] = None,
    mode: Annotated[
        list[str] | None, Opt(help="Mode: preflight, observe, scenario, consumer.")
    ] = None,
    consumer_url: Annotated[str | None, Opt(help="Consumer base URL (consumer mode).")] = None,
    consumer_token_env: Annotated[
        str | None, Opt(help="Environment variable with a token the consumer accepts.")
    ] = None,
    seed: Annotated[int | None, Opt(help="Seed of the generated scenarios.")] = None,
    examples: Annotated[int | None, Opt(help="Scenario examples (budget).")] = None,
    steps: Annotated[int | None, Opt(help="Stateful steps per example (budget).")] = None,
    known_issues: Annotated[Path | None, Opt(help="Known-issues TOML file.")] = None,
    out: Annotated[Path, Opt(help="Folder for report.json, junit.xml, report.html.")] = Path(
        "conformance-report"
    ),
    sign_key: Annotated[Path | None, Opt(help="Sign the JSON report with this PEM key.")] = None,
    lang: Annotated[str, Opt(help="Language of the reports: en or nl.")] = "en",
    keep_personal_data: Annotated[
        bool, Opt(help="Do not mask personal data in reports (masked by default).")
    ] = False,
    max_requests: Annotated[int | None, Opt(help="Request budget of the run.")] = None,
    rate: Annotated[float | None, Opt(help="Maximum requests per second.")] = None,
    insecure: Annotated[bool, Opt(help="Do not verify TLS certificates.")] = False,
    client_cert: Annotated[
        Path | None,
        Opt(help="PEM client certificate for mutual TLS (with its key, or see --client-key)."),
    ] = None,
    client_key: Annotated[
        Path | None, Opt(help="PEM private key of --client-cert, when kept in its own file.")
    ] = None,
    client_key_password_env: Annotated[
        str | None, Opt(help="Environment variable holding the password of an encrypted key.")
    ] = None,
    database: Annotated[
        str | None, Opt(help="Embedded provider only: database URL (default SQLite).")
    ] = None,
    fault: Annotated[
        list[str] | None,
        Opt(help="Embedded provider only: switch on a named fault (repeat, or comma-separated)."),
    ] = None,
    school_without_consent: Annotated[
        list[str] | None,
        Opt(help="School (RIO code) that has given no consent: tested for refusal; repeat."),
    ] = None,
    baseline: Annotated[
        Path | None, Opt(help="An earlier report.json: say which findings are new or gone.")
    ] = None,
    fail_on: Annotated[
        str | None,
        Opt(help="Exit 1 on 'any' error finding (default) or only on 'new' ones (baseline)."),
    ] = None,
) -> None:
    """Run the conformance suite and write the reports.

    The results go to standard output; progress and messages to standard error. Exit
    code 0: passed; 1: an error finding (with --fail-on new: a new one) or a check that
    could not be evaluated; 2: the configuration or an option is wrong.
    """
    from eduv.cli.common import fail
    from eduv.conformance.baseline import Baseline, BaselineError
    from eduv.conformance.reports import console as screen
    from eduv.conformance.reports import write_all
    from eduv.conformance.runner import run_suite

    try:
        cfg = load(config) if config else RunConfig()
        cfg = _flags(cfg, root, token_url, client_id, private_key, secret_env, school, api, mode)
        cfg = _without_consent(cfg, school_without_consent or [])
        cfg = _more(cfg, seed, examples, steps, known_issues, lang, keep_personal_data)
        cfg = _limits(cfg, max_requests, rate, insecure)
        cfg = _client_cert(cfg, client_cert, client_key, client_key_password_env)
        cfg = _consumer(cfg, consumer_url, consumer_token_env)
        cfg = _comparison(cfg, baseline, fail_on)
        if cfg.known_issues:
            from eduv.conformance.known_issues import KnownIssues, KnownIssuesError

            try:
                KnownIssues.load(cfg.known_issues)  # a bad file is reported before the run
            except KnownIssuesError as exc:
                raise ConfigError(str(exc)) from None
        old = Baseline.load(cfg.baseline) if cfg.baseline else None
    except (ConfigError, BaselineError) as exc:
        fail(str(exc))
    try:
        from eduv.conformance.http import tls

        tls(cfg.limits)  # unusable certificate files are reported now, not mid-run
    except (ValueError, OSError) as exc:
        fail(str(exc))
    if cfg.fail_on == "new" and old is None:
        fail("--fail-on new needs a --baseline report to tell new findings from old ones")
    term = screen.Console(stderr=True)
    target_given = cfg.root or cfg.api_urls or cfg.modes == ("consumer",)
    if target_given and (fault or database):
        fail("--fault and --database apply to the embedded provider only")
    with (
        _target(cfg, bool(target_given), database, fault or []) as (ready, listener),
        screen.progress_bar(term, 60) as step,
    ):
        run = run_suite(ready, progress=step, listener=listener)
    key = str(sign_key) if sign_key else None
    written = write_all(run, out, key, old)
    screen.summary(screen.Console(), written.doc)
    term.print(f"reports: {written.json}, {written.junit}, {written.html}", markup=False)
    raise typer.Exit(exit_code(written.doc, cfg.fail_on))


def exit_code(doc: dict[str, object], fail_on: str) -> int:
    """0 or 1 from the report: with ``new``, only new error findings (and checks that
    could not be evaluated) fail the run."""
    summary = doc["summary"]
    assert isinstance(summary, dict)
    if summary["passed"]:
        return 0
    if fail_on != "new":
        return 1
    errors = summary["results"].get("error", 0)
    return 1 if errors or summary["baseline"]["newErrors"] else 0


def _without_consent(cfg: RunConfig, schools: list[str]) -> RunConfig:
    if not schools:
        return cfg
    kept = [s for s in cfg.schools if s.id not in schools]
    marked = [replace(s, consent=False) for s in cfg.schools if s.id in schools]
    known = {s.id for s in marked}
    marked += [SchoolTarget(s, consent=False) for s in schools if s not in known]
    return replace(cfg, schools=(*kept, *marked))


def _comparison(cfg: RunConfig, baseline: Path | None, fail_on: str | None) -> RunConfig:
    from eduv.conformance.config import parse_fail_on

    changes: dict[str, object] = {}
    if baseline is not None:
        changes["baseline"] = str(baseline)
    if fail_on is not None:
        changes["fail_on"] = parse_fail_on(fail_on)
    return replace(cfg, **changes)  # type: ignore[arg-type]


@app.command("token")
def token_command(
    config: Annotated[Path | None, Opt("--config", "-c", help="TOML configuration file.")] = None,
    root: Annotated[str | None, Opt(help="Root URL of the target.")] = None,
    token_url: Annotated[str | None, Opt(help="The target's token endpoint.")] = None,
    client_id: Annotated[str | None, Opt(help="Client id of the credential.")] = None,
    private_key: Annotated[Path | None, Opt(help="PEM private key (private_key_jwt).")] = None,
    secret_env: Annotated[
        str | None, Opt(help="Environment variable holding the client secret.")
    ] = None,
    credential: Annotated[
        str | None, Opt(help="Name of the configured credential (default: the first).")
    ] = None,
    scope: Annotated[
        list[str] | None, Opt(help="Scope to ask for; repeat (default: the client's own).")
    ] = None,
) -> None:
    """Print an access token of a configured credential, for the curl lines of a report.

    Use it as ``export EDUV_TOKEN=$(eduv conformance token --config suite.toml)``.
    """
    from eduv.cli.common import fail
    from eduv.conformance.http import SafeHttp
    from eduv.conformance.mask import Masker
    from eduv.conformance.session import Session, TokenFailedError

    try:
        cfg = load(config) if config else RunConfig()
        cfg = _flags(cfg, root, token_url, client_id, private_key, secret_env, None, None, None)
    except ConfigError as exc:
        fail(str(exc))
    chosen = [c for c in cfg.credentials if credential in (None, c.name)]
    if not chosen:
        names = ", ".join(c.name for c in cfg.credentials) or "none"
        fail(f"no credential {credential!r} is configured (configured: {names})")
    if not cfg.token_url:
        fail("no token endpoint: give target.token_url, --token-url or --root")
    http = SafeHttp(cfg.limits, Masker())
    try:
        grant = Session(cfg, http).grant(chosen[0], scope or None)
    except TokenFailedError as exc:
        fail(f"credential {chosen[0].name} got no token: {exc.reason}", 1)
    finally:
        http.close()
    typer.echo(grant.token)


@contextmanager
def _target(
    cfg: RunConfig, given: bool, database: str | None, faults: list[str]
) -> Iterator[tuple[RunConfig, Any]]:
    """The configuration to run, as given, or pointed at an embedded provider with the
    suite's callback listener (which the provider must know before it starts)."""
    from eduv.conformance.embedded import embedded
    from eduv.provider.faults import fault_names

    if given:
        yield cfg, None
        return
    default_modes = cfg.modes == RunConfig().modes
    chosen = fault_names(faults)
    with embedded(cfg, database=database, faults=chosen, default_modes=default_modes) as ready:
        yield ready


def _flags(
    cfg: RunConfig,
    root: str | None,
    token_url: str | None,
    client_id: str | None,
    private_key: Path | None,
    secret_env: str | None,
    schools: list[str] | None,
    apis: list[str] | None,
    modes: list[str] | None,
) -> RunConfig:
    from eduv import spec

    changes: dict[str, object] = {}
    if root:
        changes["root"] = root
        changes["token_url"] = token_url or cfg.token_url or root.rstrip("/") + "/oauth2/token"
    elif token_url:
        changes["token_url"] = token_url
    if client_id:
        secret = os.environ.get(secret_env) if secret_env else None
        if secret_env and secret is None:
            raise ConfigError(f"the environment variable {secret_env} is not set")
        key = str(private_key) if private_key else None
        if (key is None) == (secret is None):
            raise ConfigError("give --private-key or --secret-env with --client-id")
        changes["credentials"] = (Credential(client_id, client_id, secret, key),)
    if schools:
        changes["schools"] = tuple(SchoolTarget(s) for s in schools)
    if apis:
        changes["apis"] = tuple(spec.resolve_api(a) for a in apis)
    if modes:
        changes["modes"] = parse_modes(modes)
    return replace(cfg, **changes)  # type: ignore[arg-type]


def _more(
    cfg: RunConfig,
    seed: int | None,
    examples: int | None,
    steps: int | None,
    known_issues: Path | None,
    lang: str,
    keep: bool,
) -> RunConfig:
    changes: dict[str, object] = {"lang": parse_lang(lang)}
    for name, value in (("seed", seed), ("examples", examples), ("steps", steps)):
        if value is not None:
            changes[name] = value
    if known_issues:
        changes["known_issues"] = str(known_issues)
    if keep:
        changes["keep_personal_data"] = True
    return replace(cfg, **changes)  # type: ignore[arg-type]


def _limits(
    cfg: RunConfig, max_requests: int | None, rate: float | None, insecure: bool
) -> RunConfig:
    limits = cfg.limits
    if max_requests is not None:
        limits = replace(limits, max_requests=max_requests)
    if rate is not None:
        limits = replace(limits, rate=rate)
    if insecure:
        limits = replace(limits, verify_tls=False)
    return replace(cfg, limits=limits)


def _client_cert(
    cfg: RunConfig, cert: Path | None, key: Path | None, password_env: str | None
) -> RunConfig:
    limits = cfg.limits
    if cert is not None:
        # A certificate on the command line replaces the configured one, with its key.
        limits = replace(limits, client_cert=str(cert), client_key=None)
        limits = replace(limits, client_key_password_env=None)
    if key is not None:
        limits = replace(limits, client_key=str(key))
    if password_env is not None:
        limits = replace(limits, client_key_password_env=password_env)
    return replace(cfg, limits=limits)


def _consumer(cfg: RunConfig, url: str | None, token_env: str | None) -> RunConfig:
    if not url:
        return cfg
    token = os.environ.get(token_env) if token_env else None
    if token_env and token is None:
        raise ConfigError(f"the environment variable {token_env} is not set")
    return replace(cfg, consumer=Consumer(url=url, token=token or cfg.consumer.token))


@app.command("checks")
def checks_command(
    lang: Annotated[str, Opt(help="en or nl")] = "en",
    as_json: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """List every check with its id, mode, title and what it cites."""
    from eduv.conformance.catalogue import load

    chosen = parse_lang(lang)
    specs = [c for _, c in sorted(load().checks.items())]
    if as_json:
        typer.echo(orjson.dumps([s.to_json() for s in specs], option=orjson.OPT_INDENT_2).decode())
        return
    for s in specs:
        typer.echo(f"{s.id}  [{s.mode}]  {s.title.get(chosen)}  ({', '.join(s.cites)})")


@app.command("verify")
def verify_command(
    report: Annotated[Path, typer.Argument(help="The report.json to verify.")],
    key: Annotated[Path | None, Opt(help="The tester's public key as a JWKS file.")] = None,
) -> None:
    """Verify a report's digest and, with the tester's public key, its signature."""
    from eduv.conformance.reports.json_report import VerificationError, verify

    doc = orjson.loads(report.read_bytes())
    trusted = orjson.loads(key.read_bytes()) if key else None
    try:
        typer.echo(verify(doc, trusted))
    except VerificationError as exc:
        typer.echo(f"NOT VERIFIED: {exc}", err=True)
        raise typer.Exit(1) from None
    except (OSError, ValueError) as exc:
        from eduv.cli.common import fail

        fail(f"{report}: cannot read the report or key ({exc})")


def register(root: typer.Typer) -> None:
    """Mount the suite as ``eduv conformance``."""
    root.add_typer(app, name="conformance")


def main() -> None:  # pragma: no cover
    app()
