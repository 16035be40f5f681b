"""Parity between the official OpenAPI documents and eduv's JSON Schemas.

Deliberately written apart from the importer (tools/specbuild): it reads the
official YAML itself and walks both trees side by side. A difference fails
unless spec/deviations.json records it at that pointer with those values.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

REF = "#/components/schemas/"
COMPARED = (
    "type",
    "enum",
    "required",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "default",
    "const",
)
METHODS = ("get", "put", "post", "delete", "patch")


class _Strings(SafeConstructor):
    pass


_Strings.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda c, node: str(c.construct_scalar(node))
)


def read_official(path: Path) -> Any:
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _Strings
    return yaml.load(io.StringIO(path.read_text(encoding="utf-8")))


def esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass
class Parity:
    api: str
    version: str
    official: Mapping[str, Any]
    ours: Callable[[str], Mapping[str, Any]]  # file name -> schema
    deviations: list[Mapping[str, Any]]
    differences: list[str] = field(default_factory=list)
    checks: int = 0

    def _deviation(self, pointer: str, official: Any, ours: Any) -> bool:
        for entry in self.deviations:
            if (
                entry["api"] == self.api
                and self.version in entry["versions"]
                and entry["pointer"] == pointer
                and entry["official"] == official
                and entry["ours"] == ours
            ):
                return True
        return False

    def _check(self, pointer: str, official: Any, ours: Any) -> None:
        self.checks += 1
        if official != ours and not self._deviation(pointer, official, ours):
            self.differences.append(
                f"{self.api} {self.version} {pointer}: official {official!r}, ours {ours!r}"
            )

    def compare(self, off: Any, ours: Any, pointer: str) -> None:
        if not isinstance(off, Mapping) or not isinstance(ours, Mapping):
            self._check(pointer, off, ours)
            return
        if "$ref" in off:
            self._check(
                f"{pointer}/$ref", off["$ref"].removeprefix(REF) + ".json", ours.get("$ref")
            )
            return
        for key in COMPARED:
            off_value = off.get(key)
            our_value = ours.get(key)
            if key == "type" and off.get("nullable") and isinstance(our_value, list):
                our_value = next(t for t in our_value if t != "null")
            if off_value is None and our_value is None:
                continue
            self._check(f"{pointer}/{key}", off_value, our_value)
        off_props = off.get("properties") or {}
        our_props = ours.get("properties") or {}
        self._check(f"{pointer}/properties", sorted(off_props), sorted(our_props))
        for name in off_props.keys() & our_props.keys():
            self.compare(off_props[name], our_props[name], f"{pointer}/properties/{esc(name)}")
        if "items" in off or "items" in ours:
            self.compare(off.get("items"), ours.get("items"), f"{pointer}/items")
        renamed = {"anyOf"} if "oneOf" in off and "anyOf" in ours and "oneOf" not in ours else set()
        for key in ("oneOf", "anyOf", "allOf"):
            if key in ours and key not in off and key not in renamed:
                # a rule eduv adds (e.g. a requirement the official text states in prose)
                self._check(f"{pointer}/{key}", None, ours[key])
            if key not in off:
                continue
            target = (
                key
                if key in ours
                else next((k for k in ("oneOf", "anyOf", "allOf") if k in ours), key)
            )
            if target != key:
                self._check(f"{pointer}/{key}", key, target)
            branches = ours.get(target) or []
            self._check(f"{pointer}/{key}/length", len(off[key]), len(branches))
            for index, (a, b) in enumerate(zip(off[key], branches, strict=False)):
                self.compare(a, b, f"{pointer}/{key}/{index}")

    def components(self) -> None:
        schemas = (self.official.get("components") or {}).get("schemas") or {}
        for name, node in schemas.items():
            self.compare(node, self.ours(f"{name}.json"), f"/components/schemas/{esc(name)}")

    def operations(
        self, index_ops: list[Mapping[str, Any]], message_file: Callable[[str], str]
    ) -> None:
        ours = {(op["method"].lower(), op["path"]): op for op in index_ops}
        theirs = {}
        for path, item in (self.official.get("paths") or {}).items():
            if not isinstance(item, Mapping):
                continue
            for method in METHODS:
                if isinstance(item.get(method), Mapping):
                    theirs[(method, path)] = (item, item[method])
        self._check("/paths", sorted(theirs), sorted(ours))
        for key in theirs.keys() & ours.keys():
            self._operation(key, *theirs[key], ours[key], message_file)

    def _operation(
        self,
        key: tuple[str, str],
        item: Mapping[str, Any],
        op: Mapping[str, Any],
        entry: Mapping[str, Any],
        message_file: Callable[[str], str],
    ) -> None:
        method, path = key
        pointer = f"/paths/{esc(path)}/{method}"
        op_id = op.get("operationId") or f"{method.upper()} {path}"
        self._check(f"{pointer}/operationId", op_id, entry["operationId"])
        scopes = sorted({s for req in op.get("security") or [] for v in req.values() for s in v})
        self._check(f"{pointer}/security", scopes, entry["scopes"])
        params: dict[str, Any] = {}
        where: dict[str, str] = {}
        for base, source in ((f"/paths/{esc(path)}", item), (pointer, op)):
            for i, parameter in enumerate(source.get("parameters") or []):
                params[parameter["name"]] = parameter
                where[parameter["name"]] = f"{base}/parameters/{i}/schema"
        ours = self.ours(message_file(entry["parameters"]))
        our_props = ours.get("properties") or {}
        self._check(f"{pointer}/parameters", sorted(params), sorted(our_props))
        required = sorted(n for n, p in params.items() if p.get("required"))
        self._check(f"{pointer}/parameters/required", required, sorted(ours.get("required") or []))
        for name in params.keys() & our_props.keys():
            self.compare(params[name].get("schema") or {}, our_props[name], where[name])
        bodies = {"request": (op.get("requestBody") or {})}
        bodies.update({str(s): r for s, r in (op.get("responses") or {}).items()})
        for label, container in bodies.items():
            at = f"{pointer}/requestBody" if label == "request" else f"{pointer}/responses/{label}"
            at += "/content/application~1json/schema"
            schema = ((container.get("content") or {}).get("application/json") or {}).get("schema")
            ref = entry["requestBody"] if label == "request" else entry["responses"].get(label)
            if schema is None:
                self._check(f"{pointer}/{label}", None, ref)
                continue
            if ref is None:
                self._check(f"{pointer}/{label}", "a body", None)
                continue
            target = self.ours(message_file(ref["message"]))
            if ref["array"]:
                target = {"type": "array", "items": {"$ref": message_file(ref["message"])}}
            elif ref["message"] == (schema.get("$ref") or "").removeprefix(REF):
                target = {"$ref": message_file(ref["message"])}
            self.compare(schema, target, at)
