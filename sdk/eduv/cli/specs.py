"""``eduv spec``: the supported APIs, versions, operations and schemas."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer

from eduv.cli.common import ListFormat, stdout

app = typer.Typer(
    help="The supported Edu-V APIs, versions, operations and schemas.", no_args_is_help=True
)


@app.command("list")
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
        stdout(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
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


@app.command("show")
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
        stdout(
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
        stdout(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
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
