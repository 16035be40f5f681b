"""The ``eduv`` command.

Exit codes: 0 all valid, 1 something invalid, 2 usage or input errors (unreadable
files, malformed JSON, wrong encoding, unknown names). Errors are one readable line
on standard error, never a traceback. ``NO_COLOR`` turns colours off.

Other parts of eduv add commands through the ``eduv.commands`` entry point group
(``eduv serve`` and ``eduv load`` from :mod:`eduv.provider.cli`, ``eduv conformance``
from :mod:`eduv.conformance.cli`); each entry is a ``register(app)`` function.
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson

try:
    import typer
except ModuleNotFoundError as missing:  # pragma: no cover - depends on what was installed
    raise SystemExit(
        "eduv: the command line is an extra; install it with: pip install 'eduv[cli]' "
        "(the reference provider: 'eduv[server]', the conformance suite: 'eduv[conformance]')"
    ) from missing

from eduv.spec import Lang

app = typer.Typer(
    name="eduv",
    help="Validate, inspect and call Edu-V APIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
spec_app = typer.Typer(
    help="The supported Edu-V APIs, versions, operations and schemas.", no_args_is_help=True
)
rules_app = typer.Typer(
    help="The rule catalogue: checks beyond the JSON Schemas.", no_args_is_help=True
)
keys_app = typer.Typer(help="Client keys for OAuth2 private_key_jwt.", no_args_is_help=True)
app.add_typer(spec_app, name="spec")
app.add_typer(rules_app, name="rules")
app.add_typer(keys_app, name="keys")

# Large inputs get a progress bar (on a terminal only).
PROGRESS_THRESHOLD = 32 * 1024 * 1024


LangOption = Annotated[Lang, typer.Option(help="Language of the report.")]


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"eduv: {message}", err=True)
    raise typer.Exit(code)


def _stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    # rich honours NO_COLOR and plain pipes by itself.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


# -- validate -------------------------------------------------------------------------


def _total_size(paths: list[str]) -> int:
    total = 0
    for name in paths:
        path = Path(name)
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


class _Bar:
    """A progress bar on standard error, refreshed at most ten times a second."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self._progress = Progress(
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=_console(stderr=True),
            transient=True,
            auto_refresh=False,
        )
        self._task = self._progress.add_task("validating", total=total)
        self._last = 0.0

    def __enter__(self) -> _Bar:
        self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._progress.stop()

    def advance(self, amount: int) -> None:
        self._progress.advance(self._task, amount)
        now = time.monotonic()
        if now - self._last > 0.1:
            self._last = now
            self._progress.refresh()


def _show_text(report: Any) -> None:
    from eduv.validation.render import text_lines

    console = _console()
    for style, line in text_lines(report):
        console.print(line, style=style or None, markup=False)


@app.command()
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="JSON, NDJSON or HAR files, dataset folders or files; - is stdin."),
    ] = None,
    api: Annotated[str | None, typer.Option(help="API id, e.g. association-api.")] = None,
    version: Annotated[
        str | None, typer.Option("--version", "-V", help="Full version, t or t-1 (default t).")
    ] = None,
    message: Annotated[
        str | None, typer.Option(help="Message name, e.g. Group; recognised when left out.")
    ] = None,
    lang: LangOption = "en",
    output_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes to use.")] = 1,
    rules: Annotated[bool, typer.Option(help="Also check the rule catalogue.")] = True,
    strict: Annotated[
        bool, typer.Option(help="Report properties the schemas do not define.")
    ] = False,
    max_items: Annotated[
        int, typer.Option(min=1, help="Most messages with findings listed in the report.")
    ] = 1000,
    as_of: Annotated[
        str | None, typer.Option(help="Reference date for dataset rules (YYYY-MM-DD).")
    ] = None,
    progress: Annotated[
        bool | None, typer.Option(help="Show a progress bar (default: large inputs on a terminal).")
    ] = None,
) -> None:
    """Validate messages, captured traffic and datasets against the Edu-V spec.

    Every NDJSON line is a message, or an envelope {"api", "version", "message",
    "payload"}. Exit code 0: all valid; 1: something invalid; 2: input errors.
    """
    from eduv import spec
    from eduv.validation import render, validate_paths

    sources = list(paths or [])
    if not sources:
        if sys.stdin.isatty():
            _fail("nothing to validate: give files or folders, or pipe messages into - (stdin)")
        sources = ["-"]
    if api is not None:
        spec.resolve_version(api, version)
    elif version is not None:
        _fail("--version needs --api: versions differ per API")
    elif message is not None:
        _fail("--message needs --api: message names repeat across APIs")
    settings: dict[str, Any] = {
        "api": api,
        "version": version,
        "message": message,
        "lang": lang,
        "rules": rules,
        "strict": strict,
        "as_of": as_of,
        "jobs": jobs,
        "max_items": max_items,
    }
    total = _total_size([s for s in sources if s != "-"])
    show = (
        progress if progress is not None else (sys.stderr.isatty() and total >= PROGRESS_THRESHOLD)
    )
    if show:
        with _Bar(total) as bar:
            report = validate_paths(sources, progress=bar.advance, **settings)
    else:
        report = validate_paths(sources, **settings)
    if output_format is ReportFormat.json:
        _stdout(render.to_json(report))
    elif output_format is ReportFormat.junit:
        _stdout(render.to_junit(report))
    else:
        _show_text(report)
    raise typer.Exit(report.exit_code)


# -- spec -----------------------------------------------------------------------------


@spec_app.command("list")
def spec_list(
    output_format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.text,
) -> None:
    """The supported APIs with their current (t) and previous (t-1) versions."""
    from eduv import spec

    rows = [
        {"api": a.id, "title": a.title, "current": a.current, "previous": a.previous}
        for a in spec.apis()
    ]
    if output_format is ListFormat.json:
        _stdout(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return
    for row in rows:
        typer.echo(
            f"{row['api']:<20} t={row['current']:<8} t-1={row['previous']:<8} {row['title']}"
        )


def _operation_json(op: Any) -> dict[str, Any]:
    return {
        "operationId": op.operation_id,
        "method": op.method,
        "path": op.path,
        "summary": op.summary,
        "scopes": list(op.scopes),
        "readOnly": op.read_only,
        "idempotent": op.idempotent,
        "parameters": op.parameters,
        "request": op.request.message if op.request else None,
        "responses": {
            s: (b.message + ("[]" if b.array else "")) if b else None
            for s, b in op.responses.items()
        },
    }


@spec_app.command("show")
def spec_show(
    api: Annotated[str, typer.Argument(help="API id, e.g. association-api or association.")],
    name: Annotated[
        str | None, typer.Argument(help="A message (prints its JSON Schema) or an operation id.")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", "-V", help="Version, t or t-1.")
    ] = None,
    output_format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.text,
) -> None:
    """An API version's operations and messages, one operation, or a message's schema."""
    from eduv import spec

    av = spec.api_version(api, version)
    if name is not None and name in av.messages:
        _stdout(
            orjson.dumps(spec.schema(av.api, av.version, name), option=orjson.OPT_INDENT_2) + b"\n"
        )
        return
    if name is not None:
        op = spec.operation(av.api, av.version, name)
        doc: dict[str, Any] = _operation_json(op)
    else:
        doc = {
            "api": av.api,
            "version": av.version,
            "scopes": list(av.scopes),
            "operations": [_operation_json(op) for op in av.operations],
            "messages": list(av.messages),
        }
    if output_format is ListFormat.json:
        _stdout(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        return
    _show_api_text(doc)


def _show_api_text(doc: dict[str, Any]) -> None:
    ops = doc.get("operations", [doc])
    if "api" in doc:
        typer.echo(f"{doc['api']} {doc['version']}  scopes: {', '.join(doc['scopes'])}")
    for op in ops:
        typer.echo(f"{op['method']:<6} {op['path']:<45} {op['operationId']}")
        returns = ", ".join(f"{s}: {m or '-'}" for s, m in op["responses"].items())
        typer.echo(f"       {op['summary']}; returns {returns}")
    if "messages" in doc:
        typer.echo("messages: " + ", ".join(doc["messages"]))


# -- rules ----------------------------------------------------------------------------


def _catalogue() -> Any:
    from eduv.rules.catalogue import load_catalogue

    return load_catalogue()


def _rule_json(rule: Any, lang: str) -> dict[str, Any]:
    return {
        "id": rule.id,
        "severity": rule.severity,
        "kind": rule.kind,
        "title": rule.title.get(lang) or rule.title.get("en"),
        "appliesTo": {api: list(v) for api, v in rule.applies_to.items()},
        "shapes": list(rule.shapes),
        "source": rule.source,
    }


@rules_app.command("list")
def rules_list(
    api: Annotated[str | None, typer.Option(help="Only rules for this API.")] = None,
    lang: LangOption = "en",
    output_format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.text,
) -> None:
    """Every rule with its id, severity and title."""
    from eduv import spec

    api_id = spec.resolve_api(api) if api else None
    rules = [r for r in _catalogue().rules if api_id is None or api_id in r.applies_to]
    if output_format is ListFormat.json:
        rows = [_rule_json(r, lang) for r in rules]
        _stdout(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return
    for rule in rules:
        title = rule.title.get(lang) or rule.title.get("en")
        typer.echo(f"{rule.id:<24} {rule.severity:<8} {rule.kind:<8} {title}")


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, as in `eduv rules list`.")],
    lang: LangOption = "en",
) -> None:
    """One rule in full, as JSON."""
    catalogue = _catalogue()
    if rule_id not in catalogue.by_id:
        _fail(f"no rule {rule_id!r} in the catalogue; see `eduv rules list`")
    rule = catalogue.rule(rule_id)
    doc = _rule_json(rule, lang)
    doc["message"] = rule.message.get(lang) or rule.message.get("en")
    doc["parameters"] = dict(rule.parameters)
    doc["cases"] = list(rule.cases)
    _stdout(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")


# -- keys -----------------------------------------------------------------------------


@keys_app.command("generate")
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
    _stdout(orjson.dumps(pair.jwks(), option=orjson.OPT_INDENT_2) + b"\n")


@keys_app.command("show")
def keys_show(
    private_key: Annotated[Path, typer.Argument(help="A private key file (PEM).")],
    alg: Annotated[str | None, typer.Option(help="RS256, PS256 or ES256.")] = None,
    kid: Annotated[str | None, typer.Option(help="Key id (default: RFC 7638 thumbprint).")] = None,
) -> None:
    """Print the public JWKS of an existing private key."""
    from eduv import keys

    pair = keys.load(private_key, alg=alg, kid=kid)
    _stdout(orjson.dumps(pair.jwks(), option=orjson.OPT_INDENT_2) + b"\n")


# -- extensions and entry point ---------------------------------------------------------

# Other parts of eduv (the reference provider, the conformance suite) and third parties add
# commands through this entry point group: each entry is a ``register(app)`` function.
COMMANDS_GROUP = "eduv.commands"


def _extend(root: typer.Typer) -> None:
    """Call every ``register(app)`` of the ``eduv.commands`` entry point group.

    An entry whose module cannot be imported (its optional dependencies are missing)
    adds nothing; the others still register.
    """
    from importlib.metadata import entry_points

    for entry in sorted(entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
        try:
            register = entry.load()
        except ImportError:
            continue
        register(root)


# The SDK's own commands: running one of them never loads an extension, whose imports
# (httpx, the suite, the server) would otherwise cost every ``eduv validate`` a large
# share of a second before the first message is read.
_OWN_COMMANDS = frozenset({"validate", "spec", "rules", "keys"})


def _wants_extensions(argv: list[str]) -> bool:
    """Whether the command line may name a command that an extension adds."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first not in _OWN_COMMANDS


def _expected_errors() -> tuple[type[BaseException], ...]:
    from eduv.keys import InvalidKeyError
    from eduv.spec import SpecLookupError

    return (SpecLookupError, InvalidKeyError, ValueError, OSError)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``eduv`` command; exits with 0, 1 or 2."""
    try:
        if _wants_extensions(sys.argv[1:] if argv is None else argv):
            _extend(app)
        app(args=argv, prog_name="eduv")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("eduv: interrupted", err=True)
        raise SystemExit(130) from None
    except _expected_errors() as exc:
        typer.echo(f"eduv: {exc}", err=True)
        raise SystemExit(2) from None
    except Exception as exc:  # a bug: still one line, and a way to report it
        name = type(exc).__name__
        typer.echo(f"eduv: unexpected error ({name}: {exc}); please report this", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":  # pragma: no cover
    main()
