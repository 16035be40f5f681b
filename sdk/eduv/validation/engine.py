"""Checking one payload against one message: schema errors to findings, rules, strict mode.

A :class:`Target` is a resolved (api, version, message) with its compiled validator;
:func:`target` is the one way to make one from names. Validators are cached, so the
bulk path pays one dict lookup and one ``is_valid`` call per valid message; findings are
only built for messages that fail.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import jsonschema_rs
import orjson

from eduv import spec
from eduv.findings import Finding
from eduv.pointer import pointer, resolve
from eduv.spec import Lang
from eduv.validation._i18n import label, quote, schema_message

# A message with hundreds of errors is as broken as one with a hundred.
MAX_FINDINGS = 100
# jsonschema-rs collects every error of a payload before it yields the first (200,000
# broken members of a Group took 4.5 s and 440 MB); above this size only the first
# error, which it finds at once, is listed.
LIST_ERRORS_BELOW = 1 << 20
_MAX_BRANCHES = 4
_DRAFT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True, slots=True)
class Target:
    """A message to validate against: ``array`` when the payload is a list of it."""

    api: str
    version: str
    message: str
    array: bool = False
    strict: bool = False

    @property
    def validator(self) -> jsonschema_rs.Validator:
        return _validator(self.api, self.version, self.message, self.array, self.strict)

    def label(self) -> str:
        suffix = "[]" if self.array else ""
        return f"{self.api} {self.version} {self.message}{suffix}"


def target(
    api: str,
    version: str | None,
    message: str,
    *,
    array: bool | None = None,
    payload: Any = None,
    strict: bool = False,
) -> Target:
    """Resolve names (short API ids, ``t``/``t-1``) to a target; unknown names raise.

    ``array`` says the payload is a list of the message; left out, it follows the
    ``payload``: a list is a list of the message unless the message itself is a list.
    """
    api_id, resolved = spec.resolve_version(api, version)
    document = spec.schema(api_id, resolved, message)  # raises SpecLookupError when unknown
    if array is None:
        array = isinstance(payload, list) and document.get("type") != "array"
    return Target(api_id, resolved, message, array, strict)


@cache
def _validator(
    api: str, version: str, message: str, array: bool, strict: bool
) -> jsonschema_rs.Validator:
    if not array and not strict:
        return spec.validator(api, version, message)
    registry = _closed_registry(api, version) if strict else spec.registry(api, version)
    document: dict[str, Any] = (
        _closed_document(api, version, message)
        if strict
        else dict(spec.schema(api, version, message))
    )
    if array:
        document = _array_document(api, version, message)
    compiled: jsonschema_rs.Validator = jsonschema_rs.validator_for(
        document, registry=registry, validate_formats=True
    )
    return compiled


def _array_document(api: str, version: str, message: str) -> dict[str, Any]:
    file_name = spec.schema_path(api, version, message).name
    return {
        "$schema": _DRAFT,
        "$id": f"{spec.api_version(api, version).base}list-of-{file_name}",
        "type": "array",
        "items": {"$ref": file_name},
    }


def _close(node: Any) -> Any:
    """Forbid undeclared properties in every object schema that declares its properties.

    ``unevaluatedProperties`` (not ``additionalProperties``) so that properties declared
    in ``allOf``/``anyOf`` branches or behind ``$ref`` still count as known.
    """
    if isinstance(node, list):
        return [_close(child) for child in node]
    if not isinstance(node, dict):
        return node
    closed = {key: _close(value) for key, value in node.items()}
    declares = node.get("type") == "object" and "properties" in node
    open_ended = "additionalProperties" in node or "unevaluatedProperties" in node
    if declares and not open_ended:
        closed["unevaluatedProperties"] = False
    return closed


@cache
def _closed_document(api: str, version: str, message: str) -> dict[str, Any]:
    closed: dict[str, Any] = _close(copy.deepcopy(dict(spec.schema(api, version, message))))
    return closed


@cache
def _closed_registry(api: str, version: str) -> jsonschema_rs.Registry:
    resources = []
    for message in spec.messages(api, version):
        document = _closed_document(api, version, message)
        resources.append((document["$id"], document))
    return jsonschema_rs.Registry(resources)


# -- schema errors to findings ---------------------------------------------------------


def _location(target: Target, error: jsonschema_rs.ValidationError) -> str:
    """Where in the schema files the failing keyword is, e.g. ``Group.json#/required``."""
    absolute = error.absolute_keyword_location
    if not absolute:
        return "#" + pointer(error.schema_path)
    prefix = spec.api_version(target.api, target.version).base
    location = absolute[len(prefix) :] if absolute.startswith(prefix) else absolute
    # jsonschema-rs appends an index after dependentRequired; the keyword is the location.
    head, found, _ = location.partition("/dependentRequired/")
    return head + "/dependentRequired" if found else location


def _keyword(error: jsonschema_rs.ValidationError) -> str:
    name = str(error.kind.name)
    last = error.schema_path[-1] if error.schema_path else ""
    if name == "required" and last == "dependentRequired":
        return "dependentRequired"
    return name


@cache
def file_messages(api: str, version: str) -> Mapping[str, str]:
    """Message names by schema file name (they differ for operations without an id)."""
    return {spec.schema_path(api, version, m).name: m for m in spec.messages(api, version)}


def _trigger(target: Target, location: str, instance: Any, missing: str) -> str:
    """The present property that made ``missing`` required (``dependentRequired``)."""
    file_name, _, inner = location.partition("#")
    try:
        message = file_messages(target.api, target.version)[file_name]
        document = spec.schema(target.api, target.version, message)
        rules = resolve(document, inner)
    except (LookupError, ValueError, TypeError):
        return "?"
    present = instance if isinstance(instance, dict) else {}
    for trigger, needs in rules.items():
        if trigger in present and missing in needs:
            return str(trigger)
    return "?"


def _params(
    target: Target, error: jsonschema_rs.ValidationError, keyword: str, lang: Lang
) -> dict[str, Any]:
    kind = error.kind
    if keyword in ("anyOf", "oneOf"):
        branches: Sequence[Sequence[jsonschema_rs.ValidationError]] = getattr(kind, "context", [])
        return {"branches": _branches(target, branches, lang)}
    params: dict[str, Any] = dict(kind.as_dict())
    if keyword == "dependentRequired":
        location = _location(target, error)
        params["trigger"] = _trigger(target, location, error.instance, str(params["property"]))
    return params


def _branches(
    target: Target, branches: Sequence[Sequence[jsonschema_rs.ValidationError]], lang: Lang
) -> str:
    parts = []
    for number, errors in enumerate(branches[:_MAX_BRANCHES], start=1):
        first = errors[0] if errors else None
        text = _message(target, first, lang) if first is not None else "?"
        where = pointer(first.instance_path) if first is not None else ""
        parts.append(f"({number}) {where + ': ' if where else ''}{text}")
    more = len(branches) - _MAX_BRANCHES
    return "; ".join(parts) + (f"; (+{more})" if more > 0 else "")


def _message(target: Target, error: jsonschema_rs.ValidationError, lang: Lang) -> str:
    keyword = _keyword(error)
    template_key = (
        "oneOfMultipleValid" if type(error.kind).__name__ == "OneOfMultipleValid" else (keyword)
    )
    params = _params(target, error, keyword, lang)
    return schema_message(lang, template_key, params, error.instance, str(error.message))


def to_finding(target: Target, error: jsonschema_rs.ValidationError, lang: Lang) -> Finding:
    keyword = _keyword(error)
    location = _location(target, error)
    if keyword == "dependentRequired":  # point at the trigger's list, as the schema does
        missing = str(error.kind.as_dict().get("property"))
        location += "/" + _trigger(target, location, error.instance, missing)
    return Finding(
        kind="schema",
        message=_message(target, error, lang),
        instance_path=pointer(error.instance_path),
        keyword=keyword,
        schema_location=location,
    )


def _large(payload: Any) -> bool:
    if not isinstance(payload, dict | list):
        return False
    try:
        return len(orjson.dumps(payload)) >= LIST_ERRORS_BELOW
    except (orjson.JSONEncodeError, TypeError):
        return False  # not JSON as orjson writes it (a huge integer): not large either


def schema_findings(target: Target, payload: Any, lang: Lang) -> list[Finding]:
    """Every schema error of a payload (at most :data:`MAX_FINDINGS`), as findings.

    A payload of :data:`LIST_ERRORS_BELOW` bytes or more gets its first error only,
    whose message says so.
    """
    if _large(payload):
        try:
            target.validator.validate(payload)
        except jsonschema_rs.ValidationError as exc:
            first = to_finding(target, exc, lang)
            params = {"limit": f"{LIST_ERRORS_BELOW:,}"}
            note = schema_message(lang, "firstErrorOnly", params, None, "")
            return [replace(first, message=f"{first.message} ({note})")]
        return []
    found: list[Finding] = []
    for error in target.validator.iter_errors(payload):
        found.append(to_finding(target, error, lang))
        if len(found) >= MAX_FINDINGS:
            break
    return found


# Python's int-to-text limit is 4,300 digits; jsonschema-rs passes big numbers as text.
_NUMBER_BITS = 13_288  # 2**13288 has 4,001 digits
NUMBER_DIGITS = 4000


def unrepresentable(payload: Any) -> list[tuple[str, Any]]:
    """(pointer, value) of every value of a Python payload that is no JSON number.

    NaN and the infinities are not JSON, and jsonschema-rs sees them as null; whole
    numbers of thousands of digits it cannot take at all. Only payloads given in code
    can hold them: parsed text never does.
    """
    found: list[tuple[str, Any]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(payload, ())]
    while stack:  # iterative: nesting may be deeper than Python's recursion limit
        node, path = stack.pop()
        if isinstance(node, float):
            if not math.isfinite(node):
                found.append((pointer(path), node))
        elif isinstance(node, int) and not isinstance(node, bool):
            if node.bit_length() > _NUMBER_BITS:
                found.append((pointer(path), node))
        elif isinstance(node, dict):
            stack.extend((value, (*path, str(key))) for key, value in reversed(node.items()))
        elif isinstance(node, list | tuple):
            stack.extend(
                (value, (*path, index)) for index, value in reversed(list(enumerate(node)))
            )
    return found


def number_findings(payload: Any, lang: Lang) -> list[Finding]:
    """Errors for the values :func:`unrepresentable` finds, with readable messages."""
    out = []
    for where, value in unrepresentable(payload):
        if isinstance(value, float):
            message = label(lang, "not_json_number", value=quote(value))
        else:
            message = label(lang, "number_too_long", limit=f"{NUMBER_DIGITS:,}")
        # Not a schema finding: no keyword of the schema failed, the value is no JSON.
        out.append(Finding(kind="protocol", message=message, instance_path=where))
    return out


# -- rules ----------------------------------------------------------------------------


def rule_findings(target: Target, payload: Any, lang: Lang) -> list[Finding]:
    """Rule findings of one message, or of a list of it (each element, and the list whole)."""
    # Imported here: a run with rules off never loads the engine and its catalogue.
    from eduv.rules import check_message

    if target.array and not isinstance(payload, list):
        return []
    # A list goes to the engine whole: some rules look at a request body of several
    # messages at once (a batch of notifications); the engine checks each element too.
    return check_message(target.api, target.version, target.message, payload, lang)


def check(target: Target, payload: Any, lang: Lang, rules: bool) -> list[Finding]:
    """Schema findings and, when the payload passes the schema, rule findings.

    Rules assume the shape the schema promises, so they only run on schema-valid
    payloads; a schema-invalid message is reported with its schema errors alone.
    """
    if not target.validator.is_valid(payload):
        return schema_findings(target, payload, lang)
    if not rules:
        return []
    return rule_findings(target, payload, lang)
