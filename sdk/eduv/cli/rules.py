"""``eduv rules``: the rule catalogue, the checks beyond the JSON Schemas."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer

from eduv.cli.common import LangOption, ListFormat, fail, stdout

app = typer.Typer(help="The rule catalogue: checks beyond the JSON Schemas.", no_args_is_help=True)


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


@app.command("list")
def rules_list(
    api: Annotated[str | None, typer.Option(help="Only rules for this API.")] = None,
    lang: LangOption = "en",
    output_format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.text,
) -> None:
    """Every rule with its id, severity, source kind, kind and title."""
    from eduv import spec

    api_id = spec.resolve_api(api) if api else None
    if api_id is not None and not spec.api(api_id).adopted:
        # Said on standard error, so that the JSON form stays an empty list.
        typer.echo(
            f"{api_id} was never adopted: eduv documents it but has no rules for it", err=True
        )
    rules = [r for r in _catalogue().rules if api_id is None or api_id in r.applies_to]
    if output_format is ListFormat.json:
        rows = [_rule_json(r, lang) for r in rules]
        stdout(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return
    for rule in rules:
        title = rule.title.get(lang) or rule.title.get("en")
        typer.echo(
            f"{rule.id:<24} {rule.severity:<8} {rule.source_kind:<12} {rule.kind:<8} {title}"
        )


@app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, as in `eduv rules list`.")],
    lang: LangOption = "en",
) -> None:
    """One rule in full, as JSON."""
    catalogue = _catalogue()
    if rule_id not in catalogue.by_id:
        fail(f"no rule {rule_id!r} in the catalogue; see `eduv rules list`")
    rule = catalogue.rule(rule_id)
    doc = _rule_json(rule, lang)
    doc["message"] = rule.message.get(lang) or rule.message.get("en")
    doc["parameters"] = dict(rule.parameters)
    doc["cases"] = list(rule.cases)
    stdout(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
