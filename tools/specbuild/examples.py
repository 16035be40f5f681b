"""Committed examples: one valid example per message, composed from fixtures, and
invalid examples derived from it by mutation.

Each invalid example is a small patch on the valid one (remove or replace the
value at a JSON pointer) with the keyword and instance pointer a validator is
expected to report, so the repository stays small and every constraint is
reached by a realistic payload.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eduv import pointer as json_pointer
from eduv.pointer import escape as pointer_escape
from tools.specbuild.authored import deep_merge

MISSING: Any = object()
_UUID_NAMESPACE = uuid.UUID("6f1d3c52-8b1e-4c0e-9f51-0d2b7a4e3c18")

# Values that satisfy the patterns found in the official documents, used only
# where no fixture gives a value.
_PATTERN_SAMPLES = {
    "^[0-9]*(?![\\s\\S])": "4205",
    "^[0-9]{13}(?![\\s\\S])": "9789006952186",
    "[A-Z]{3}(?![\\s\\S])": "EUR",
    "^([0-9]{4}|[0-9]{4}O[0-9]{4})(?![\\s\\S])": "1000O0020",
    "([0-9]|[^0-9]){20}": "ORD-2024-000000012345",
}

# Invalid values per format; the first is the plain case, the others are the
# edge cases where engines disagree unless they follow the specifications closely.
BAD_FORMATS = {
    "date": ["yesterday", "2024-02-30", "2024-08-01\n", "\u0662\u0660\u0662\u0664-08-01"],
    "date-time": [
        "yesterday",
        "2024-08-01 08:30",
        "2024-08-01T08:30:00Z\n",
        "2024-08-01T\u0660\u0668:30:00Z",
    ],
    "uuid": ["not-a-uuid", "3f2c9e1a5b7d4c8e9a1f2d6b8e4c7a10x"],
    "uri": ["not a uri"],
}

FORMAT_SAMPLES = {
    "date": "2024-08-01",
    "date-time": "2024-09-02T08:30:00Z",
    "uri": "https://www.example.nl/",
    "email": "info@example.nl",
}


OMIT = "_omit"


@dataclass
class Composer:
    """Builds the valid example of a message from the fixtures of one API version."""

    schemas: dict[str, dict[str, Any]]  # file name -> schema
    fixture: Callable[[str], Any]  # component name -> fixture value or None
    seed: str

    def __post_init__(self) -> None:
        self._stack: list[str] = []

    def message(self, filename: str) -> Any:
        component = filename.removesuffix(".json")
        fx = self.fixture(component)
        self._stack = [filename]
        return self.build(self.schemas[filename], MISSING if fx is None else fx, component)

    def build(self, schema: Any, fx: Any, where: str) -> Any:
        if not isinstance(schema, dict):
            return None if fx is MISSING else fx
        if "$ref" in schema:
            target = schema["$ref"]
            if target in self._stack and fx is MISSING:
                # A recursive structure (a group of groups) ends here: one level is enough.
                return MISSING
            own = self.fixture(target.removesuffix(".json"))
            if own is not None:
                fx = own if fx is MISSING else deep_merge(own, fx)
            self._stack.append(target)
            try:
                return self.build(self.schemas[target], fx, target.removesuffix(".json"))
            finally:
                self._stack.pop()
        for key in ("oneOf", "anyOf"):
            # Alternatives choose a shape only where the schema has none of its own; next to
            # properties they are extra rules (one of two identifiers), met by a full fixture.
            if key in schema and "properties" not in schema:
                return self.build(self._branch(schema[key], fx), fx, where)
        if "allOf" in schema and "properties" not in schema:
            merged: dict[str, Any] = {}
            for branch in schema["allOf"]:
                part = self.build(branch, fx, where)
                if isinstance(part, dict):
                    merged.update(part)
            return merged
        kind = _kind(schema)
        if kind == "object" and "properties" in schema:
            return self._object(schema, fx, where)
        if kind == "array":
            return self._array(schema, fx, where)
        if fx is not MISSING:
            return fx
        return self._leaf(schema, kind, where)

    def _object(self, schema: dict[str, Any], fx: Any, where: str) -> dict[str, Any]:
        given = fx if isinstance(fx, dict) else {}
        # A fixture lists under _omit the properties its example must not carry (a field
        # that belongs to another type of the object, say); the others are filled in.
        left_out = set(given.get(OMIT, ()))
        out = {}
        for name, sub in schema["properties"].items():
            if name in left_out:
                continue
            value = self.build(sub, given.get(name, MISSING), f"{where}/{name}")
            if value is not MISSING:
                out[name] = value
        return out

    def _array(self, schema: dict[str, Any], fx: Any, where: str) -> list[Any]:
        items = schema.get("items", {})
        if isinstance(fx, list) and fx:
            return [self.build(items, value, f"{where}/{i}") for i, value in enumerate(fx)]
        count = max(1, int(schema.get("minItems", 1)))
        built = [self.build(items, MISSING, f"{where}/{i}") for i in range(count)]
        return [value for value in built if value is not MISSING]

    def _branch(self, branches: list[Any], fx: Any) -> Any:
        if not isinstance(fx, dict):
            return branches[0]
        keys = set(fx)

        def overlap(branch: Any) -> int:
            resolved = self.schemas.get(branch.get("$ref", ""), branch)
            return len(keys & set((resolved.get("properties") or {}).keys()))

        return max(branches, key=overlap)

    def _leaf(self, schema: dict[str, Any], kind: str, where: str) -> Any:
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return next(v for v in schema["enum"] if v is not None)
        if "default" in schema:
            return schema["default"]
        if kind == "string":
            return self._string(schema, where)
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return 1.5 if schema.get("minimum", 0) <= 1.5 else schema["minimum"]
        if kind == "boolean":
            return False
        return {}

    def _string(self, schema: dict[str, Any], where: str) -> str:
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid.uuid5(_UUID_NAMESPACE, f"{self.seed}{where}"))
        if fmt in FORMAT_SAMPLES:
            return FORMAT_SAMPLES[fmt]
        if "pattern" in schema:
            return _PATTERN_SAMPLES.get(schema["pattern"], "sample")
        text = "Voorbeeld"
        length = int(schema.get("minLength", 0))
        return text if len(text) >= length else text.ljust(length, "x")


def _kind(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None and "properties" in schema:
        return "object"
    return str(kind) if kind else ""


# --------------------------------------------------------------------------- mutations


@dataclass
class Mutation:
    op: str  # remove | replace
    path: str
    value: Any
    keyword: str
    instance_path: str
    schema_location: str

    def as_json(self, message: str) -> dict[str, Any]:
        out: dict[str, Any] = {"message": message, "op": self.op, "path": self.path}
        if self.op == "replace":
            out["value"] = self.value
        out["expected"] = {"keyword": self.keyword, "instancePath": self.instance_path}
        out["schemaLocation"] = self.schema_location
        return out


def apply_mutation(instance: Any, op: str, path: str, value: Any = None) -> Any:
    """A copy of ``instance`` with one value removed or replaced."""
    result = copy.deepcopy(instance)
    tokens = json_pointer.tokens(path)
    if not tokens:
        return value
    node = result
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    last = tokens[-1]
    if op == "remove":
        if isinstance(node, list):
            del node[int(last)]
        else:
            del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return result


@dataclass
class Mutator:
    schemas: dict[str, dict[str, Any]]
    rejects_pattern: Callable[[str, str], bool]  # (pattern, value) -> rejected?

    def sites(self, filename: str, instance: Any) -> list[Mutation]:
        out: list[Mutation] = []
        self._walk(self.schemas[filename], instance, "", f"{filename}#", None, out)
        return out

    def _walk(
        self,
        schema: Any,
        inst: Any,
        ipath: str,
        sloc: str,
        expect: tuple[str, str] | None,
        out: list[Mutation],
    ) -> None:
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            target = schema["$ref"]
            self._walk(self.schemas[target], inst, ipath, f"{target}#", expect, out)
            return
        for key in ("oneOf", "anyOf"):
            for index, branch in enumerate(schema.get(key) or []):
                self._walk(
                    branch, inst, ipath, f"{sloc}/{key}/{index}", expect or (key, ipath), out
                )
        for index, branch in enumerate(schema.get("allOf") or []):
            self._walk(branch, inst, ipath, f"{sloc}/allOf/{index}", expect, out)

        def add(op: str, path: str, value: Any, keyword: str, where: str) -> None:
            kw, at = expect if expect else (keyword, where)
            out.append(Mutation(op, path, value, kw, at, f"{sloc}/{keyword}"))

        if isinstance(inst, dict):
            for name in schema.get("required") or []:
                if name in inst:
                    add("remove", f"{ipath}/{pointer_escape(name)}", None, "required", ipath)
            for name, sub in (schema.get("properties") or {}).items():
                if name not in inst:
                    # An example may leave a field out (_omit); its constraint is still
                    # broken, by adding the field with a value it refuses.
                    here = f"{ipath}/{pointer_escape(name)}"
                    self._absent(sub, here, f"{sloc}/properties/{pointer_escape(name)}", out)
                else:
                    self._walk(
                        sub,
                        inst[name],
                        f"{ipath}/{pointer_escape(name)}",
                        f"{sloc}/properties/{pointer_escape(name)}",
                        expect,
                        out,
                    )
        if isinstance(inst, list) and inst and isinstance(schema.get("items"), dict):
            self._walk(schema["items"], inst[0], f"{ipath}/0", f"{sloc}/items", expect, out)
        if "enum" in schema:
            bad: Any = "not-a-listed-value" if isinstance(inst, str) or inst is None else -987654
            add("replace", ipath, bad, "enum", ipath)
        if "pattern" in schema and isinstance(inst, str):
            for bad in self._pattern_breakers(schema["pattern"], inst):
                add("replace", ipath, bad, "pattern", ipath)
        fmt = schema.get("format")
        if fmt in BAD_FORMATS and isinstance(inst, str):
            add("replace", ipath, BAD_FORMATS[fmt][0], "format", ipath)

    @staticmethod
    def _absent(sub: Any, path: str, sloc: str, out: list[Mutation]) -> None:
        fmt = sub.get("format") if isinstance(sub, dict) else None
        if fmt in BAD_FORMATS:
            out.append(
                Mutation("replace", path, BAD_FORMATS[fmt][0], "format", path, f"{sloc}/format")
            )

    def _pattern_breakers(self, pattern: str, valid: str) -> list[str]:
        """A value that breaks the pattern, preferring the engine edge cases."""
        arabic = valid.translate(
            str.maketrans(
                "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
            )
        )
        candidates = [arabic, f"{valid}\n", "!", ""]
        for candidate in candidates:
            if candidate != valid and self.rejects_pattern(pattern, candidate):
                return [candidate]
        return []


def edge_case_mutations(
    filename: str, schemas: dict[str, dict[str, Any]], sites: list[Mutation]
) -> list[Mutation]:
    """Extra format mutations with the engine edge cases, once per format per message."""
    extra: list[Mutation] = []
    seen: set[str] = set()
    for site in sites:
        if site.keyword != "format" or site.schema_location in seen:
            continue
        fmt = next((f for f, bad in BAD_FORMATS.items() if site.value == bad[0]), None)
        if fmt is None or fmt in seen:
            continue
        seen.add(fmt)
        for bad in BAD_FORMATS[fmt][1:]:
            extra.append(
                Mutation(
                    "replace",
                    site.path,
                    bad,
                    site.keyword,
                    site.instance_path,
                    site.schema_location,
                )
            )
    return extra
