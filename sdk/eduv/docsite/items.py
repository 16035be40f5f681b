"""The pages of one operation and of one message."""

from __future__ import annotations

from typing import Any

from eduv import spec
from eduv.docsite import content, paths
from eduv.docsite.content import Field, TypePart
from eduv.docsite.html import Page, a, code, esc, facts, para, pre, section, table
from eduv.docsite.pages import deviations_table, openapi
from eduv.docsite.words import word
from eduv.spec import Lang

_TYPE_WORDS = frozenset({"list-of", "one-of", "any-of"})


def operation_page(lang: Lang, op: spec.Operation) -> Page:
    here = paths.operation(lang, op.api, op.version, op.operation_id)
    av = spec.api_version(op.api, op.version)
    raw = openapi(op.api, op.version)["paths"][op.path][op.method.lower()]
    known = [
        [esc(word(lang, "method")), f'<span class="method">{esc(op.method)}</span>'],
        [esc(word(lang, "url")), code(f"/{op.api}/v{av.major}{op.path}")],
        [esc(word(lang, "operation")), code(op.operation_id)],
        [esc(word(lang, "scopes")), ", ".join(code(s) for s in op.scopes) or "-"],
        [esc(word(lang, "read-only")), esc(word(lang, "yes" if op.read_only else "no"))],
        [esc(word(lang, "idempotent")), esc(word(lang, "yes" if op.idempotent else "no"))],
    ]
    body = para(op.summary) + para(str(raw.get("description", ""))) + facts(known)
    body += section(word(lang, "parameters"), _parameters(here, lang, op), "parameters")
    if op.request is not None:
        link = _body_link(here, lang, op, op.request.message, op.request.array)
        needed = word(lang, "required") + ": " + word(lang, "yes" if op.request_required else "no")
        body += section(word(lang, "request"), f"<p>{link} ({esc(needed)})</p>", "request")
    rows = [
        [
            code(status),
            _body_link(here, lang, op, ref.message, ref.array)
            if ref
            else esc(word(lang, "no-body")),
        ]
        for status, ref in op.responses.items()
    ]
    body += section(
        word(lang, "responses"), table([word(lang, "status"), word(lang, "body")], rows)
    )
    crumbs = [
        (op.api, paths.api(lang, op.api)),
        (op.version, paths.version(lang, op.api, op.version)),
        (op.operation_id, here),
    ]
    return Page(here, lang, f"{op.method} {op.path}", body, crumbs)


def _body_link(here: str, lang: Lang, op: spec.Operation, message: str, array: bool) -> str:
    target = a(here, paths.message(lang, op.api, op.version, message), message)
    return f"{esc(word(lang, 'list-of'))} {target}" if array else target


def _parameters(here: str, lang: Lang, op: spec.Operation) -> str:
    schema = spec.schema(op.api, op.version, op.parameters)
    rows = [
        [
            code(f.name),
            esc(op.parameter_in.get(f.name, "")),
            type_html(here, lang, op.api, op.version, f),
            esc(word(lang, "yes" if f.required else "no")),
            esc(f.description),
        ]
        for f in content.fields(schema)
    ]
    link = a(here, paths.message(lang, op.api, op.version, op.parameters), op.parameters)
    head = [word(lang, k) for k in ("field", "in", "type", "required", "description")]
    return (table(head, rows) if rows else para("-")) + f"<p>{link}</p>"


def type_html(here: str, lang: Lang, api: str, version: str, f: Field) -> str:
    known = set(spec.messages(api, version))
    text = "".join(_part(here, lang, api, version, part, known) for part in f.types)
    if f.nullable:
        text += " " + esc(word(lang, "null"))
    return text


def _part(here: str, lang: Lang, api: str, version: str, part: TypePart, known: set[str]) -> str:
    if part.message is not None and part.message in known:
        return a(here, paths.message(lang, api, version, part.message), part.message)
    if part.text in _TYPE_WORDS:
        return esc(word(lang, part.text)) + " "
    return code(part.text) if part.text.strip(", ") else esc(part.text)


def _limits(f: Field) -> str:
    parts = [f"{esc(k)} {code(_plain(v))}" for k, v in f.limits]
    if f.enum:
        parts.append(" | ".join(code(_plain(v)) for v in f.enum))
    return "<br>".join(parts)


def _plain(value: Any) -> str:
    import orjson

    return value if isinstance(value, str) else orjson.dumps(value).decode()


def message_page(lang: Lang, api: str, version: str, message: str) -> Page:
    here = paths.message(lang, api, version, message)
    schema = spec.schema(api, version, message)
    body = para(str(schema.get("description", "")))
    body += _usage(here, lang, api, version, message)
    body += _shape(here, lang, api, version, schema)
    body += section(word(lang, "fields"), _fields(here, lang, api, version, schema), "fields")
    body += section(word(lang, "rules"), _rules(lang, api, version, message), "rules")
    examples = "".join(pre(e) for e in schema.get("examples") or ()) or para("-")
    body += section(word(lang, "examples"), examples, "examples")
    body += section(word(lang, "invalid"), _invalid(lang, api, version, message), "invalid")
    deviations = deviations_table(lang, api, version, message)
    body += section(word(lang, "deviations"), deviations, "deviations")
    crumbs = [
        (api, paths.api(lang, api)),
        (version, paths.version(lang, api, version)),
        (message, here),
    ]
    return Page(here, lang, message, body, crumbs)


def _usage(here: str, lang: Lang, api: str, version: str, message: str) -> str:
    links = [
        a(here, paths.operation(lang, api, version, op.operation_id), op.operation_id)
        for op in content.users(api, version, message)
    ]
    links += [
        a(here, paths.message(lang, api, version, other), other)
        for other in content.referenced_by(api, version, message)
    ]
    kind = spec.message_kind(api, version, message)
    used = ", ".join(links) or "-"
    return facts([[esc(word(lang, "kind")), esc(kind)], [esc(word(lang, "used-by")), used]])


def _shape(here: str, lang: Lang, api: str, version: str, schema: Any) -> str:
    out = ""
    options = content.alternatives(schema)
    if options:
        field = Field("", options, False, False, (), "", (), ())
        out += f"<p>{type_html(here, lang, api, version, field)}</p>"
    elif "properties" not in schema:
        whole = content.root(schema)
        shown = type_html(here, lang, api, version, whole)
        limits = _limits(whole)
        out += f"<p>{esc(word(lang, 'type'))}: {shown}</p>" + (f"<p>{limits}</p>" if limits else "")
    for group in content.choices(schema):
        names = " / ".join(" + ".join(code(n) for n in names) for names in group)
        out += f"<p>{esc(word(lang, 'at-least-one'))}: {names}</p>"
    for name, needed in content.dependencies(schema):
        out += f"<p>{code(name)} → {', '.join(code(n) for n in needed)}</p>"
    return out


def _fields(here: str, lang: Lang, api: str, version: str, schema: Any) -> str:
    rows = [
        [
            f'<span id="{esc(f.anchor)}">{code(f.name)}</span>',
            type_html(here, lang, api, version, f),
            esc(word(lang, "yes" if f.required else "no")),
            ", ".join(code(s) for s in f.scopes) or "-",
            esc(f.description),
            _limits(f),
        ]
        for f in content.message_fields(schema)
    ]
    if not rows:
        return para("-")
    head = ["field", "type", "required", "scopes", "description", "constraints"]
    return table([word(lang, k) for k in head], rows, "fields")


def _rules(lang: Lang, api: str, version: str, message: str) -> str:
    found = content.rules_for(api, version, message)
    if not found:
        return para(word(lang, "no-rules"))
    rows = [
        [
            code(r.id),
            f'<span class="{esc(r.severity)}">{esc(r.severity)}</span>',
            esc(r.title[lang]),
        ]
        for r in found
    ]
    return table([word(lang, k) for k in ("rule", "severity", "title")], rows)


def _invalid(lang: Lang, api: str, version: str, message: str) -> str:
    cases = content.invalid_examples(api, version, message, lang)
    if not cases:
        return para(word(lang, "no-invalid"))
    rows = []
    for case in cases:
        change = f"{code(case.op)} {code(case.path or '/')}"
        if case.op == "replace":
            change += " → " + code(_plain(case.value))
        errors = "<br>".join(esc(e) for e in case.errors) or "-"
        rows.append([change, errors])
    return table([word(lang, "change"), word(lang, "errors")], rows)
