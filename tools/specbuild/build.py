"""Build ``spec/`` from the official Edu-V files and the project's authored inputs.

Run ``python -m tools.specbuild --reference ../shared/reference``. The output is
deterministic: the same inputs give the same bytes, so ``--check`` can tell
whether the committed spec is what the importer would write today.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from eduv import pointer as json_pointer
from eduv import spec
from eduv.pointer import escape as pointer_escape
from tools.specbuild.authored import Authored, Descriptions
from tools.specbuild.convert import (
    Converter,
    Deviation,
    body_reference,
)
from tools.specbuild.official import OfficialVersion

BASE_URI = "https://eduv.dev/spec/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
SCHOOL_PARAMETERS = ("orgMasterId", "orgId", "orgIdType")
BOARD_PARAMETERS = ("boardMasterId", "boardId", "boardIdType")


def schema_id(api: str, folder: str, message: str) -> str:
    """The $id of a message file in a version folder (``1.1.0``, or ``1.1.0+r2``)."""
    return f"{BASE_URI}{api}/{folder}/{message_filename(message)}"


def revision_folder(version: str, revision: int) -> str:
    """The folder of a revision: the version itself as released, ``<version>+r<N>`` after."""
    return version if revision == 1 else f"{version}+r{revision}"


def message_filename(message: str) -> str:
    """File name of a message (the naming rule is :func:`eduv.spec.file_stem`)."""
    return f"{spec.file_stem(message)}.json"


def operation_id(method: str, path: str, operation: dict[str, Any]) -> str:
    explicit = operation.get("operationId")
    return str(explicit) if explicit else f"{method.upper()} {path}"


def read_only(method: str, op_id: str) -> bool:
    # Edu-V uses POST for searches that carry a person in the body (to keep identifiers
    # out of URLs and logs); those are queries without side effects.
    if method == "get":
        return True
    return method == "post" and op_id.startswith(("get-", "search-"))


def idempotent(method: str, op_id: str) -> bool:
    return read_only(method, op_id) or method in ("put", "delete")


@dataclass
class Message:
    name: str
    schema: dict[str, Any]
    kind: str  # component | request | response | parameters
    operation: str | None = None
    component: str | None = None


@dataclass
class VersionBuild:
    api: str
    version: str
    folder: str
    title: str
    description: str
    scopes: dict[str, str]
    messages: dict[str, Message] = field(default_factory=dict)
    operations: list[dict[str, Any]] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)


# --------------------------------------------------------------------------- deviations


def _resolve(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = json_pointer.tokens(pointer)
    node = doc
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node, tokens[-1]


def apply_authored_deviations(
    doc: Any, api: str, version: str, entries: list[dict[str, Any]]
) -> list[Deviation]:
    applied = []
    for entry in entries:
        if entry["api"] != api or version not in entry["versions"]:
            continue
        parent, key = _resolve(doc, entry["pointer"])
        op = entry["op"]
        if op == "rename":
            if key not in parent:
                raise ValueError(f"{api} {version}: deviation {entry['pointer']} no longer applies")
            parent[entry["ours"]] = parent.pop(key)
        else:
            if parent.get(key) != entry["official"]:
                raise ValueError(
                    f"{api} {version}: the official value at {entry['pointer']} changed; "
                    "review the deviation"
                )
            if op == "replace":
                parent[key] = copy.deepcopy(entry["ours"])
        applied.append(
            Deviation(
                entry["pointer"],
                entry["official"],
                entry["ours"],
                entry["kind"],
                " ".join(str(entry["reason"]).split()),
            )
        )
    return applied


# --------------------------------------------------------------------------- operations


def _parameters(
    path_item: dict[str, Any], operation: dict[str, Any], path_pointer: str, op_pointer: str
) -> list[tuple[dict[str, Any], str]]:
    """Path-level parameters overridden by operation-level ones, with their pointers."""
    merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for source, base in ((path_item, path_pointer), (operation, op_pointer)):
        for index, parameter in enumerate(source.get("parameters") or []):
            key = (parameter["name"], parameter["in"])
            merged[key] = (parameter, f"{base}/parameters/{index}")
    return list(merged.values())


def school_identification_rules(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """The prose rules for identifying a school in a query, as JSON Schema.

    A school is named by ``orgMasterId``, or by ``orgId`` together with
    ``orgIdType``; ``filterByOrgId`` may only be true with the secondary pair. The
    organisations search also takes a board (``boardMasterId``, or ``boardId`` with
    ``boardIdType``) or a school name instead: its text searches "for the specified
    school or board", and every one of its parameters is optional.
    """
    if not all(name in properties for name in SCHOOL_PARAMETERS):
        return []
    ways: list[dict[str, Any]] = [
        {"required": ["orgMasterId"]},
        {"required": ["orgId", "orgIdType"]},
    ]
    pairs: dict[str, list[str]] = {"orgId": ["orgIdType"], "orgIdType": ["orgId"]}
    if all(name in properties for name in BOARD_PARAMETERS):
        ways += [{"required": ["boardMasterId"]}, {"required": ["boardId", "boardIdType"]}]
        pairs |= {"boardId": ["boardIdType"], "boardIdType": ["boardId"]}
    if "name" in properties:
        ways.append({"required": ["name"]})
    rules: list[dict[str, Any]] = [{"anyOf": ways}, {"dependentRequired": pairs}]
    if "filterByOrgId" in properties:
        rules.append(
            {
                "if": {"required": ["orgMasterId"]},
                "then": {"properties": {"filterByOrgId": {"const": False}}},
            }
        )
    return rules


def _json_body(container: dict[str, Any]) -> dict[str, Any] | None:
    content = container.get("content") or {}
    for media_type in ("application/json", *content.keys()):
        if media_type in content and "json" in media_type:
            schema = content[media_type].get("schema")
            return schema if isinstance(schema, dict) else None
    return None


def build_operations(
    build: VersionBuild, doc: dict[str, Any], conv: Converter, texts: Descriptions
) -> None:
    for path, path_item in (doc.get("paths") or {}).items():
        if not isinstance(path_item, dict):
            continue
        path_pointer = f"/paths/{pointer_escape(path)}"
        for method in HTTP_METHODS:
            operation = path_item.get(method)
            if not isinstance(operation, dict):
                continue
            build.operations.append(
                _operation(build, path, method, operation, path_item, path_pointer, conv, texts)
            )


def _operation(
    build: VersionBuild,
    path: str,
    method: str,
    operation: dict[str, Any],
    path_item: dict[str, Any],
    path_pointer: str,
    conv: Converter,
    texts: Descriptions,
) -> dict[str, Any]:
    op_id = operation_id(method, path, operation)
    op_pointer = f"{path_pointer}/{method}"
    op_text = texts.operation(op_id)
    scopes = sorted({s for req in operation.get("security") or [] for v in req.values() for s in v})

    params_name = f"{op_id}.parameters"
    params = _parameters(path_item, operation, path_pointer, op_pointer)
    params_schema = _parameters_schema(conv, params, texts)
    build.messages[params_name] = Message(params_name, params_schema, "parameters", op_id)

    request = None
    if isinstance(operation.get("requestBody"), dict):
        body = _json_body(operation["requestBody"])
        if body is not None:
            request = _body(
                build,
                conv,
                body,
                f"{op_id}.request",
                "request",
                op_id,
                f"{op_pointer}/requestBody/content/application~1json/schema",
            )
            request["required"] = bool(operation["requestBody"].get("required", False))

    responses: dict[str, Any] = {}
    for status, response in (operation.get("responses") or {}).items():
        if not isinstance(response, dict):
            continue
        body = _json_body(response)
        key = str(status)
        if body is None:
            responses[key] = None
            continue
        responses[key] = _body(
            build,
            conv,
            body,
            f"{op_id}.response.{key}",
            "response",
            op_id,
            f"{op_pointer}/responses/{key}/content/application~1json/schema",
        )

    return {
        "operationId": op_id,
        "method": method.upper(),
        "path": path,
        "summary": op_text.get("summary", ""),
        "description": op_text.get("description", ""),
        "scopes": scopes,
        "readOnly": read_only(method, op_id),
        "idempotent": idempotent(method, op_id),
        "parameters": params_name,
        "parameterIn": {p["name"]: p["in"] for p, _ in params},
        "requestBody": request,
        "responses": responses,
    }


def _parameters_schema(
    conv: Converter, params: list[tuple[dict[str, Any], str]], texts: Descriptions
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for parameter, pointer in params:
        prop = conv.convert(parameter.get("schema") or {}, f"{pointer}/schema")
        prop["x-eduv-in"] = parameter["in"]
        text = texts.parameter(parameter["name"])
        if text:
            prop["description"] = text
        properties[parameter["name"]] = prop
        if parameter.get("required"):
            required.append(parameter["name"])
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    rules = school_identification_rules(properties)
    if rules:
        schema["allOf"] = rules
    return schema


def _body(
    build: VersionBuild,
    conv: Converter,
    body: dict[str, Any],
    name: str,
    kind: str,
    op_id: str,
    pointer: str,
) -> dict[str, Any]:
    reference = body_reference(body)
    if reference is not None:
        component, is_array = reference
        return {"message": component, "array": is_array}
    build.messages[name] = Message(name, conv.convert(body, pointer), kind, op_id)
    return {"message": name, "array": False}


# --------------------------------------------------------------------------- scopes


def annotate_scopes(build: VersionBuild, authored_scopes: dict[str, Any]) -> None:
    """Put ``x-eduv-scopes`` on each top-level property of every served 2xx body."""
    served: dict[str, set[str]] = {}
    for op in build.operations:
        for status, ref in op["responses"].items():
            if ref is None or not status.startswith("2"):
                continue
            served.setdefault(ref["message"], set()).update(op["scopes"])
    table = (authored_scopes or {}).get("components") or {}
    for name, scopes in served.items():
        message = build.messages[name]
        _scope_properties(message.schema, name, sorted(scopes), table.get(name), build)


def _scope_properties(
    schema: dict[str, Any],
    name: str,
    scopes: list[str],
    mapping: dict[str, Any] | None,
    build: VersionBuild,
) -> None:
    target = schema
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        target = schema["items"]
    properties = target.get("properties")
    if not isinstance(properties, dict):
        for branch in target.get("anyOf", []) + target.get("oneOf", []):
            if "properties" in branch:
                _scope_properties(branch, name, scopes, mapping, build)
        return
    for prop_name, prop in properties.items():
        prop["x-eduv-scopes"] = _scopes_of(prop_name, scopes, mapping)


def _scopes_of(prop: str, scopes: list[str], mapping: dict[str, Any] | None) -> list[str]:
    if not mapping:
        return scopes
    for scope, props in mapping.items():
        if scope != "default" and prop in (props or []):
            return [scope]
    return [mapping["default"]]


# --------------------------------------------------------------------------- descriptions


def describe(build: VersionBuild, texts: Descriptions) -> None:
    for message in build.messages.values():
        schema = message.schema
        component = message.name
        _describe_properties(schema, component, "", texts, set())
        schema["title"] = _title(message)
        text = _message_text(message, build, texts)
        if text:
            schema["description"] = text


def _describe_properties(
    schema: Any, component: str | None, prefix: str, texts: Descriptions, seen: set[int]
) -> None:
    if not isinstance(schema, dict) or id(schema) in seen:
        return
    seen.add(id(schema))
    for name, prop in (schema.get("properties") or {}).items():
        path = f"{prefix}{name}"
        if isinstance(prop, dict) and "description" not in prop:
            text = texts.prop(component, path)
            if text:
                prop["description"] = text
        _describe_properties(prop, component, f"{path}/", texts, seen)
    if isinstance(schema.get("items"), dict):
        _describe_properties(schema["items"], component, prefix, texts, seen)
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(key) or []:
            _describe_properties(branch, component, prefix, texts, seen)


def _title(message: Message) -> str:
    if message.kind == "component":
        return message.name
    op = message.operation or ""
    if message.kind == "parameters":
        return f"{op} parameters"
    if message.kind == "request":
        return f"{op} request body"
    status = message.name.rsplit(".", 1)[-1]
    return f"{op} response body ({status})"


def _message_text(message: Message, build: VersionBuild, texts: Descriptions) -> str | None:
    if message.kind == "component":
        return texts.component(message.name)
    op = next(o for o in build.operations if o["operationId"] == message.operation)
    summary = op["summary"] or op["operationId"]
    if message.kind == "parameters":
        return (
            f"Path and query parameters of '{summary}' ({op['method']} {op['path']}), as decoded "
            "values: booleans and numbers are checked after reading them from the URL."
        )
    if message.kind == "request":
        return f"What a client sends in the body of '{summary}' ({op['method']} {op['path']})."
    status = message.name.rsplit(".", 1)[-1]
    where = f"{op['method']} {op['path']}"
    return f"What the provider answers with status {status} to '{summary}' ({where})."


# --------------------------------------------------------------------------- whole version


def build_version(official: OfficialVersion, authored: Authored, folder: str) -> VersionBuild:
    doc = official.load()
    applied = apply_authored_deviations(doc, official.api, official.version, authored.deviations)
    texts = authored.descriptions_for(official.api, official.version)
    conv = Converter()
    scheme_scopes = {}
    for scheme in ((doc.get("components") or {}).get("securitySchemes") or {}).values():
        for flow in (scheme.get("flows") or {}).values():
            scheme_scopes.update({k: "" for k in flow.get("scopes") or {}})
    build = VersionBuild(
        api=official.api,
        version=official.version,
        folder=folder,
        title=str((doc.get("info") or {}).get("title", official.api)),
        description=texts.api_text() or "",
        scopes=scheme_scopes,
    )
    for name, node in ((doc.get("components") or {}).get("schemas") or {}).items():
        schema = conv.convert(node, f"/components/schemas/{pointer_escape(name)}")
        build.messages[name] = Message(name, schema, "component", component=name)
    build_operations(build, doc, conv, texts)
    annotate_scopes(build, authored.scopes.get(official.api) or {})
    describe(build, texts)
    for dev in [*applied, *conv.deviations]:
        dev.api = official.api
        dev.versions = [official.version]
    build.deviations = [*applied, *conv.deviations]
    for name, message in build.messages.items():
        message.schema = finalize(official.api, folder, name, message.schema)
    return build


_KEY_ORDER = ["$schema", "$id", "title", "description", "type", "properties", "required"]


def finalize(api: str, folder: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    head = {"$schema": DIALECT, "$id": schema_id(api, folder, name)}
    body = {k: v for k, v in schema.items() if k not in head}
    ordered = {**head, **{k: body[k] for k in _KEY_ORDER if k in body}}
    ordered.update({k: v for k, v in body.items() if k not in ordered})
    return ordered


def semver_major(version: str) -> str:
    return version.split(".", 1)[0]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
