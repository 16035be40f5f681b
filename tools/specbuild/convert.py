"""OpenAPI 3.0 schema objects to JSON Schema draft 2020-12.

The conversion is mechanical and faithful: every property, type, enum value,
``required`` name and pattern carries over. Official prose is dropped here and
replaced later by the project's own descriptions. The few places where a
literal translation would be wrong for JSON Schema validators (non-standard
formats, patterns whose meaning depends on the regex engine) are normalised
and each occurrence is recorded as a deviation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from eduv.pointer import escape as pointer_escape

COMPONENT_REF = "#/components/schemas/"

# Keys of an OpenAPI schema object that carry no validation meaning for us or
# that the project replaces with its own text.
_DROPPED = frozenset({"description", "example", "title", "xml", "externalDocs", "discriminator"})

# Formats that JSON Schema does not define. The replacement keeps the evident
# intent; None removes the annotation because the type already says it all.
FORMAT_NORMALISATION: dict[str, str | None] = {"string": None, "float": None, "url": "uri"}

FORMAT_REASONS = {
    "string": "`string` is not a JSON Schema format; the type already says the value is text",
    "float": "`float` is not a JSON Schema format; `type: number` already covers it",
    "url": "`url` is not a JSON Schema format; `uri` is the registered format with that meaning",
}

PATTERN_REASON = (
    "JSON Schema patterns follow ECMA-262, where \\d means only the ASCII digits 0-9 and $ "
    "matches only at the very end; Python's re and Rust's regex read \\d as any Unicode digit and "
    "Python's $ also matches before a final newline. The rewrite means the same under ECMA-262 "
    "and makes every engine agree."
)


_EITHER = re.compile(r"either (\w+) or (\w+) is required", re.IGNORECASE)

EITHER_REASON = (
    "The official text requires one of the two identifiers in prose only; JSON Schema can say "
    "it, so the rule is checked instead of read."
)


@dataclass
class Deviation:
    pointer: str
    official: Any
    ours: Any
    kind: str
    reason: str
    api: str = ""
    versions: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "versions": self.versions,
            "pointer": self.pointer,
            "official": self.official,
            "ours": self.ours,
            "kind": self.kind,
            "reason": self.reason,
        }


def ecma_pattern(pattern: str) -> str:
    """Rewrite a pattern so that Python, Rust and ECMA-262 engines agree on it."""
    out = re.sub(r"(?<!\\)\\d", "[0-9]", pattern)
    out = re.sub(r"(?<!\\)\\D", "[^0-9]", out)
    if out.endswith("$") and not out.endswith("\\$"):
        out = out[:-1] + "(?![\\s\\S])"
    return out


class Converter:
    """Converts schema objects of one official document, collecting deviations."""

    def __init__(self) -> None:
        self.deviations: list[Deviation] = []

    def convert(self, node: Any, pointer: str) -> Any:
        if isinstance(node, list):
            return [self.convert(item, f"{pointer}/{i}") for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            here = f"{pointer}/{pointer_escape(str(key))}"
            if key in _DROPPED or str(key).startswith("x-"):
                continue
            if key == "$ref":
                out["$ref"] = self._ref(value)
            elif key == "nullable":
                continue
            elif key == "format":
                self._format(out, value, here)
            elif key == "pattern":
                ours = ecma_pattern(value)
                if ours != value:
                    self.deviations.append(
                        Deviation(here, value, ours, "pattern-portability", PATTERN_REASON)
                    )
                out["pattern"] = ours
            elif key == "properties":
                out["properties"] = {
                    name: self.convert(sub, f"{here}/{pointer_escape(name)}")
                    for name, sub in value.items()
                }
            elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
                out[key] = self.convert(value, here)
            elif key in ("oneOf", "anyOf", "allOf"):
                out[key] = [self.convert(sub, f"{here}/{i}") for i, sub in enumerate(value)]
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                if value and bound in node:
                    out[key] = node[bound]
            else:
                out[key] = value
        self._either_required(node, out, pointer)
        if node.get("nullable") is True:
            _make_nullable(out)
        if isinstance(out.get("exclusiveMinimum"), int | float) and "minimum" in out:
            del out["minimum"]
        if isinstance(out.get("exclusiveMaximum"), int | float) and "maximum" in out:
            del out["maximum"]
        return out

    def _either_required(self, node: dict[str, Any], out: dict[str, Any], pointer: str) -> None:
        """Make "either A or B is required", stated in a property's text, a schema rule."""
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return
        pairs: list[tuple[str, str]] = []
        for prop in properties.values():
            text = prop.get("description", "") if isinstance(prop, dict) else ""
            for first, second in _EITHER.findall(text):
                pair = (first, second)
                already = set(node.get("required") or [])
                if {first, second} & already:
                    continue  # one of them is required outright: the rule adds nothing
                if first in properties and second in properties and pair not in pairs:
                    pairs.append(pair)
        for first, second in pairs:
            rule = {"anyOf": [{"required": [first]}, {"required": [second]}]}
            if "anyOf" in out:
                out.setdefault("allOf", []).append(rule)
                where = f"{pointer}/allOf/{len(out['allOf']) - 1}"
            else:
                out.update(rule)
                where = f"{pointer}/anyOf"
            self.deviations.append(
                Deviation(where, None, rule["anyOf"], "prose-requirement", EITHER_REASON)
            )

    def _ref(self, ref: str) -> str:
        if not ref.startswith(COMPONENT_REF):
            raise ValueError(f"unsupported $ref {ref!r}: only component schema references occur")
        return f"{ref[len(COMPONENT_REF) :]}.json"

    def _format(self, out: dict[str, Any], value: str, pointer: str) -> None:
        if value not in FORMAT_NORMALISATION:
            out["format"] = value
            return
        ours = FORMAT_NORMALISATION[value]
        self.deviations.append(
            Deviation(pointer, value, ours, "format-normalisation", FORMAT_REASONS[value])
        )
        if ours is not None:
            out["format"] = ours


def _make_nullable(out: dict[str, Any]) -> None:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]


def ref_target(schema: dict[str, Any]) -> str | None:
    """The component a schema is only a reference to, else None."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(COMPONENT_REF):
        return ref[len(COMPONENT_REF) :]
    return None


def body_reference(schema: dict[str, Any]) -> tuple[str, bool] | None:
    """(component, is_array) when a body is only a component or an array of one."""
    target = ref_target(schema)
    if target is not None:
        return target, False
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        significant = {k for k in schema if k not in _DROPPED and not k.startswith("x-")}
        item_target = ref_target(schema["items"])
        if item_target is not None and significant == {"type", "items"}:
            return item_target, True
    return None
