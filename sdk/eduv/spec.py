"""The registry: which Edu-V APIs and versions eduv covers, what they are, and their schemas.

>>> from eduv import spec
>>> spec.versions("association")          # (t, t-1)
('1.1.0', '1.0.2')
>>> [a.id for a in spec.source_apis()]
['association-api', 'education-api', 'employees-api', 'students-api']
>>> spec.validator("association-api", "1.1.0", "Group").is_valid({})
False

This module is the only reader of the spec folder (``index.json``, the schema files, the
catalogues and formats beside them, see :func:`document`); everything is read on first
use and cached, and compiled validators are built once per (api, version, message). It
also holds what every layer shares about the standard: the report languages
(:data:`Lang`), the naming rule of generated modules (:func:`module_name`) and the
reading of an Edu-V status code (:func:`status_code`).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema_rs
import orjson

from eduv import pointer

_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")

Lang = Literal["en", "nl"]
LANGS: tuple[Lang, ...] = ("en", "nl")

Family = Literal["administration", "notifications", "chain"]
FAMILIES: tuple[Family, ...] = ("administration", "notifications", "chain")


class SpecLookupError(LookupError):
    """An API, version, message or operation that the spec does not have."""


@dataclass(frozen=True)
class BodyRef:
    """The message a body carries; ``array`` when the body is a list of it."""

    message: str
    array: bool = False


@dataclass(frozen=True)
class Operation:
    api: str
    version: str
    operation_id: str
    method: str
    path: str
    summary: str
    scopes: tuple[str, ...]
    read_only: bool
    idempotent: bool
    parameters: str
    parameter_in: Mapping[str, str]
    request: BodyRef | None
    request_required: bool
    responses: Mapping[str, BodyRef | None]

    @property
    def success(self) -> tuple[str, BodyRef | None]:
        """The first 2xx status and its body."""
        for status, body in self.responses.items():
            if status.startswith("2"):
                return status, body
        return "200", None


@dataclass(frozen=True)
class ApiVersion:
    api: str
    version: str
    major: int
    scopes: tuple[str, ...]
    messages: tuple[str, ...]
    operations: tuple[Operation, ...]
    revision: int = 1
    folder_name: str = ""

    @property
    def folder(self) -> Path:
        """The folder of the newest revision of this version (see :func:`revision_folder`)."""
        return root() / self.api / (self.folder_name or self.version)

    @property
    def base(self) -> str:
        """The start of every ``$id`` in the folder, e.g. ``https://eduv.dev/spec/x-api/1.0.0/``."""
        return f"{base_uri()}{self.api}/{self.folder_name or self.version}/"


@dataclass(frozen=True)
class Api:
    """One API of the standard.

    ``family`` is the part it plays: ``administration`` (served by a school's
    administration system: the source APIs), ``notifications`` (the channel that announces
    changes) or ``chain`` (the learning-materials chain). ``adopted`` is false for an API
    the standard published but never adopted: covered, but not checked against.
    """

    id: str
    title: str
    current: str
    previous: str
    family: Family = "chain"
    adopted: bool = True

    @property
    def versions(self) -> tuple[str, str]:
        return (self.current, self.previous)

    @property
    def is_source(self) -> bool:
        """Served by a school's administration system (a source, "Bron")."""
        return self.family == "administration"


# -- the spec folder --------------------------------------------------------------------


@cache
def root() -> Path:
    """The folder that holds ``index.json`` and the schema tree.

    A wheel carries the spec inside the package as ``eduv/_spec``; an editable install
    reads the repository's ``spec/`` folder, which is the source of truth.
    """
    packaged = Path(__file__).with_name("_spec")
    if (packaged / "index.json").is_file():
        return packaged
    source = Path(__file__).resolve().parents[2] / "spec"
    if (source / "index.json").is_file():
        return source
    raise FileNotFoundError(
        "the eduv specification was not found: neither the packaged eduv/_spec nor the "
        "source tree's spec/ folder holds an index.json; reinstall eduv"
    )


@cache
def document(relative: str) -> Mapping[str, Any]:
    """A JSON file of the spec folder by its path inside it, e.g. ``rules/catalogue.json``.

    Read once and shared: do not modify it.
    """
    data: dict[str, Any] = orjson.loads((root() / relative).read_bytes())
    return data


@cache
def fingerprint() -> str:
    """A digest of every file of the spec folder: it changes whenever any of them does.

    What is made from the spec (a built documentation site) can be kept under it and
    reused as long as it is the same.
    """
    digest = hashlib.sha256()
    base = root()
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _index() -> Mapping[str, Any]:
    return document("index.json")


def base_uri() -> str:
    return str(_index()["baseUri"])


def resolve_api(name: str) -> str:
    """The official API id for ``name``; the short form without ``-api`` is accepted."""
    known = _index()["apis"]
    for candidate in (name, f"{name}-api"):
        if candidate in known:
            return candidate
    raise SpecLookupError(f"unknown Edu-V API {name!r}; known APIs: {', '.join(sorted(known))}")


def apis(family: Family | None = None) -> tuple[Api, ...]:
    """Every covered API (of one family), by id."""
    found = (api(name) for name in sorted(_index()["apis"]))
    return tuple(a for a in found if family is None or a.family == family)


def source_apis() -> tuple[Api, ...]:
    """The APIs a school's administration system serves: what the suite observes at a source."""
    return apis("administration")


@cache
def api(name: str) -> Api:
    api_id = resolve_api(name)
    entry = _index()["apis"][api_id]
    return Api(
        api_id,
        entry["title"],
        entry["current"],
        entry["previous"],
        entry["family"],
        bool(entry["adopted"]),
    )


def versions(name: str) -> tuple[str, str]:
    """(t, t-1): the current and the previous supported version."""
    return api(name).versions


def resolve_version(name: str, version: str | None = None) -> tuple[str, str]:
    """(api id, version); ``None`` or ``"t"`` mean the current version, ``"t-1"`` the previous."""
    entry = api(name)
    if version in (None, "t", "current"):
        return entry.id, entry.current
    if version in ("t-1", "previous"):
        return entry.id, entry.previous
    if version not in entry.versions:
        raise SpecLookupError(
            f"{entry.id} version {version!r} is not supported; supported: "
            f"{entry.current} (t) and {entry.previous} (t-1)"
        )
    return entry.id, str(version)


@cache
def api_version(name: str, version: str | None = None) -> ApiVersion:
    api_id, resolved = resolve_version(name, version)
    entry = _index()["apis"][api_id]["versions"][resolved]
    operations = tuple(_operation(api_id, resolved, op) for op in entry["operations"])
    return ApiVersion(
        api_id,
        resolved,
        int(entry["major"]),
        tuple(entry["scopes"]),
        tuple(entry["messages"]),
        operations,
        int(entry.get("revision", 1)),
        str(entry.get("folder", resolved)),
    )


def _body(ref: Mapping[str, Any] | None) -> BodyRef | None:
    return None if ref is None else BodyRef(ref["message"], bool(ref["array"]))


def _operation(api_id: str, version: str, op: Mapping[str, Any]) -> Operation:
    request = op.get("requestBody")
    return Operation(
        api=api_id,
        version=version,
        operation_id=op["operationId"],
        method=op["method"],
        path=op["path"],
        summary=op["summary"],
        scopes=tuple(op["scopes"]),
        read_only=bool(op["readOnly"]),
        idempotent=bool(op["idempotent"]),
        parameters=op["parameters"],
        parameter_in=dict(op["parameterIn"]),
        request=_body(request),
        request_required=bool(request and request.get("required")),
        responses={status: _body(ref) for status, ref in op["responses"].items()},
    )


def operations(name: str, version: str | None = None) -> tuple[Operation, ...]:
    return api_version(name, version).operations


def operation(name: str, version: str | None, operation_id: str) -> Operation:
    for op in operations(name, version):
        if op.operation_id == operation_id:
            return op
    av = api_version(name, version)
    raise SpecLookupError(
        f"{av.api} {av.version} has no operation {operation_id!r}; operations: "
        + ", ".join(o.operation_id for o in av.operations)
    )


def messages(name: str, version: str | None = None) -> tuple[str, ...]:
    return api_version(name, version).messages


def _message_entry(api_id: str, version: str, message: str) -> Mapping[str, Any]:
    entries = _index()["apis"][api_id]["versions"][version]["messages"]
    if message not in entries:
        raise SpecLookupError(
            f"{api_id} {version} has no message {message!r}; messages: {', '.join(sorted(entries))}"
        )
    entry: Mapping[str, Any] = entries[message]
    return entry


def schema_path(name: str, version: str | None, message: str) -> Path:
    api_id, resolved = resolve_version(name, version)
    entry = _message_entry(api_id, resolved, message)
    return api_version(api_id, resolved).folder / str(entry["file"])


@cache
def schema(name: str, version: str | None, message: str) -> Mapping[str, Any]:
    """The JSON Schema of a message (shared and cached: do not modify it)."""
    data: dict[str, Any] = orjson.loads(schema_path(name, version, message).read_bytes())
    return data


@cache
def registry(name: str, version: str | None = None) -> jsonschema_rs.Registry:
    """All schemas of one API version, by ``$id``, for resolving relative references."""
    api_id, resolved = resolve_version(name, version)
    resources = []
    for message in messages(api_id, resolved):
        document = schema(api_id, resolved, message)
        resources.append((str(document["$id"]), dict(document)))
    return jsonschema_rs.Registry(resources)


@cache
def validator(name: str, version: str | None, message: str) -> jsonschema_rs.Validator:
    """A compiled validator for one message; formats are asserted, not annotations."""
    api_id, resolved = resolve_version(name, version)
    document = schema(api_id, resolved, message)
    compiled: jsonschema_rs.Validator = jsonschema_rs.validator_for(
        dict(document), registry=registry(api_id, resolved), validate_formats=True
    )
    return compiled


def invalid_examples(name: str, version: str | None = None) -> list[dict[str, Any]]:
    """The committed invalid examples of an API version (patches on the valid ones)."""
    api_id, resolved = resolve_version(name, version)
    path = api_version(api_id, resolved).folder / "examples" / "invalid.json"
    data: list[dict[str, Any]] = orjson.loads(path.read_bytes())
    return data


def openapi_path(name: str, version: str | None = None) -> Path:
    api_id, resolved = resolve_version(name, version)
    return api_version(api_id, resolved).folder / "openapi.json"


def deviations() -> Mapping[str, Any]:
    """The deviations from the literal official text, and the shared conventions."""
    return document("deviations.json")


def model_name(message: str) -> str:
    """The generated pydantic class name of a message.

    Component names keep their spelling with a capital first letter (``Group``,
    ``schemaVersion`` -> ``SchemaVersion``); operation messages are joined in
    PascalCase (``get-groups-for-school.response.200`` -> ``GetGroupsForSchoolResponse200``,
    ``GET /agreements/self.parameters`` -> ``GetAgreementsSelfParameters``).
    """
    parts = [p for p in _WORD_SPLIT.split(message) if p]
    if len(parts) == 1:
        return parts[0][0].upper() + parts[0][1:]
    return "".join(
        p[0].upper() + p[1:].lower() if p.isupper() else p[0].upper() + p[1:] for p in parts
    )


# -- the naming rule of generated modules ---------------------------------------------------

GeneratedPackage = Literal["models", "client"]


def module_name(name: str, version: str | None = None, package: GeneratedPackage = "models") -> str:
    """The generated module of an API version, e.g. ``eduv.models.association_api.v1_1_0``.

    ``package`` is ``models`` (pydantic models) or ``client`` (typed operations); both
    generators and every reader of a generated module name use this rule.
    """
    api_id, resolved = resolve_version(name, version)
    return f"eduv.{package}.{api_id.replace('-', '_')}.v{resolved.replace('.', '_')}"


def module_identity(module: str) -> tuple[GeneratedPackage, str, str] | None:
    """(package, api id, version) of a generated module name; None for any other module."""
    parts = module.split(".")
    if len(parts) != 4 or parts[0] != "eduv" or not parts[3].startswith("v"):
        return None
    package = parts[1]
    if package not in ("models", "client"):
        return None
    api_id = parts[2].replace("_", "-")
    version = parts[3][1:].replace("_", ".")
    known = _index()["apis"].get(api_id)
    if known is None or version not in known["versions"]:
        return None
    return ("models" if package == "models" else "client"), api_id, version


# -- shared readings -----------------------------------------------------------------------


def parse_lang(name: str) -> Lang:
    """A report language by name; anything else is a ``ValueError`` that lists the choices."""
    for lang in LANGS:
        if name == lang:
            return lang
    raise ValueError(f"unknown report language {name!r}; use one of {', '.join(LANGS)}")


def status_code(body: Any) -> int | None:
    """The Edu-V status code of a StatusResponse body, or None when it has none.

    Read leniently ("0023" reads as 23), so that the class of a refusal is clear even
    from a server that writes codes as text; whether that is allowed is judged elsewhere.
    A list with one entry (the Results API's StatusResponse is a list, one entry per
    statement) reads as that entry.
    """
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    value = body.get("status") if isinstance(body, dict) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def file_stem(name: str) -> str:
    """A file-system safe form of a message or operation name.

    Operations without an id are named ``METHOD /path`` (``GET /agreements/self``), so
    slashes and spaces become ``_`` and braces go; ``<stem>.json`` is a message's file.
    """
    cleaned = name.replace(" /", "_").replace("/", "_").replace("{", "").replace("}", "")
    return cleaned.replace(" ", "_")


def message_kind(name: str, version: str | None, message: str) -> str:
    """``component``, ``parameters``, ``request`` or ``response``."""
    api_id, resolved = resolve_version(name, version)
    return str(_message_entry(api_id, resolved, message)["kind"])


def apply_patch(instance: Any, patch: Mapping[str, Any]) -> Any:
    """A copy of ``instance`` with one invalid-example patch (``remove`` or ``replace``).

    The committed invalid examples are patches on a message's valid example; this
    turns one into the broken payload it describes.
    """
    if patch["path"] == "":
        return copy.deepcopy(patch.get("value"))
    result = copy.deepcopy(instance)
    *parents, last = pointer.tokens(patch["path"])
    node = pointer.resolve(result, pointer.pointer(parents))
    key: Any = int(last) if isinstance(node, list) else last
    if patch["op"] == "remove":
        del node[key]
    else:
        node[key] = patch["value"]
    return result
