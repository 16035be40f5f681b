"""The ``eduv`` command.

Exit codes: 0 all valid, 1 something invalid, 2 usage or input errors (unreadable
files, malformed JSON, wrong encoding, unknown names). Errors are one readable line
on standard error, never a traceback. ``NO_COLOR`` turns colours off.

Each command lives in a module of its own and is added to the root app here; a command
module imports only typer and light modules at start and the work when it runs, so that
every command starts fast. Other parts of eduv add commands through the
``eduv.commands`` entry point group (``eduv serve``, ``eduv load`` and ``eduv example`` from
:mod:`eduv.provider.cli`, ``eduv conformance`` from :mod:`eduv.conformance.cli`); each
entry is a ``register(app)`` function.
"""

from __future__ import annotations

import sys

try:
    import typer
except ModuleNotFoundError as missing:  # pragma: no cover - depends on what was installed
    raise SystemExit(
        "eduv: the command line is an extra; install it with: pip install 'eduv[cli]' "
        "(the reference provider: 'eduv[server]', the conformance suite: 'eduv[conformance]')"
    ) from missing

from eduv.cli import diff, docs, keys, rules, specs, validate

app = typer.Typer(
    name="eduv",
    help="Validate, inspect and call Edu-V APIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("validate")(validate.validate)
app.add_typer(specs.app, name="spec")
app.add_typer(rules.app, name="rules")
app.add_typer(keys.app, name="keys")
app.command("diff")(diff.diff)
app.add_typer(docs.app, name="docs")


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
_OWN_COMMANDS = frozenset({"validate", "spec", "rules", "keys", "diff", "docs"})


def _wants_extensions(argv: list[str]) -> bool:
    """Whether the command line may name a command that an extension adds."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first not in _OWN_COMMANDS


def _expected_errors() -> tuple[type[BaseException], ...]:
    from eduv.keys import InvalidKeyError
    from eduv.spec import SpecLookupError
    from eduv.validation.cluster import ClusterError  # imports no Dask

    return (SpecLookupError, InvalidKeyError, ClusterError, ValueError, OSError)


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
