"""Generate the pydantic v2 models in generated/eduv/models from spec/.

    python -m tools.gen_models            # rewrite generated/eduv/models
    python -m tools.gen_models --check    # exit 1 when the committed models are stale

One module per API version (``eduv.models.association_api.v1_1_0``), produced by
the pinned datamodel-code-generator from a bundle of that version's schemas. The bundle
is prepared first, so that the models have the shapes a reader expects:

- **One class per component.** A rule "either A or B is required" is written in the
  schemas as ``anyOf`` alternatives that only list ``required`` sets (the prose
  requirements of ``spec/deviations.json``). The generator would turn each alternative
  into a class of its own (``Student1 | Student2`` behind a ``RootModel``); instead the
  alternatives are taken out of the bundle and come back as one ``model_validator``
  written at the end of the class the generator made.
- **Dates and instants.** ``format: date`` is ``datetime.date`` and ``format:
  date-time`` a timezone-aware ``datetime``. A model dumps back to the same dates and
  instants; the text may be normalised (``+00:00`` is written ``Z``, fractions of a
  second as pydantic writes them). ``uuid`` and ``uri`` stay ``str``, so their case
  and slashes are kept.
- **Open enums.** Every enumerated field is ``Literal[...] | UnknownValue``: a value
  the standard does not (yet) list is kept as an :class:`eduv.models.types.UnknownValue`
  (a ``str``), and a type checker makes the reader handle it.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from eduv import spec
from tools.provenance import header
from tools.provenance import version_source as _source

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "generated" / "eduv" / "models"
GENERATOR_VERSION = "0.89.0"
TOOL = "tools/gen_models.py"

ARGS = [
    "--input-file-type",
    "jsonschema",
    "--output-model-type",
    "pydantic_v2.BaseModel",
    "--target-python-version",
    "3.11",
    "--disable-timestamp",
    "--use-annotated",
    "--field-constraints",
    "--enum-field-as-literal",
    "all",
    "--use-double-quotes",
    "--extra-fields",
    "allow",
    "--use-schema-description",
    "--use-field-description",
    "--formatters",
    "builtin",
    "--output-date-class",
    "date",
    "--output-datetime-class",
    "AwareDatetime",
    "--type-mappings",
    "string+uuid=string",
    "string+uri=string",
    "--additional-imports",
    "typing.Self,pydantic.model_validator,eduv.models.types.UnknownValue",
]

# A Literal annotation as the generator writes it: Literal["a", "b"] (values never hold "]").
_LITERAL = re.compile(r"Literal\[[^\]]*\]")


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.endswith(".json"):
                out[key] = f"#/$defs/{_file_to_model[value]}"
            elif key in ("examples", "$schema", "$id") or key.startswith("x-"):
                continue
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


_file_to_model: dict[str, str] = {}


def _required_sets(alternatives: Any) -> list[list[str]] | None:
    """The ``required`` lists of anyOf/oneOf alternatives that only say what is required."""
    if not isinstance(alternatives, list) or not alternatives:
        return None
    if not all(isinstance(a, dict) and set(a) == {"required"} for a in alternatives):
        return None
    return [list(a["required"]) for a in alternatives]


def take_either_rules(document: dict[str, Any]) -> list[list[str]] | None:
    """Remove the "either A or B" alternatives of a message schema and return them.

    They sit at the top of the schema or, in parameter schemas, as one ``allOf`` entry.
    """
    for keyword in ("anyOf", "oneOf"):
        found = _required_sets(document.get(keyword))
        if found is not None:
            del document[keyword]
            return found
    parts = document.get("allOf")
    if isinstance(parts, list):
        for index, part in enumerate(parts):
            if isinstance(part, dict) and len(part) == 1:
                found = take_either_rules(dict(part))
                if found is not None:
                    del parts[index]
                    if not parts:
                        del document["allOf"]
                    return found
    return None


def either_validator(sets: list[list[str]]) -> list[str]:
    """The lines of the validator method of one "either" rule, indented for a class body."""
    names = [name for group in sets for name in group]
    assert all(n.isidentifier() for n in names), f"not a field name in {sets}"
    check = " or ".join(
        "(" + " and ".join(f"self.{name} is not None" for name in group) + ")" for group in sets
    )
    described = " or ".join(" with ".join(group) for group in sets)
    return [
        "",
        '    @model_validator(mode="after")',
        "    def _either(self) -> Self:",
        f'        """The schema\'s rule: {described} is required."""',
        f"        if not ({check}):",
        f"            raise ValueError({json.dumps(f'{described} is required')})",
        "        return self",
    ]


def add_validators(text: str, rules: dict[str, list[str]]) -> str:
    """The generated module with each rule's validator appended to the body of its class."""
    lines = text.split("\n")
    for name, method in sorted(rules.items()):
        start = lines.index(f"class {name}(BaseModel):")
        end = start + 1
        while end < len(lines) and (not lines[end] or lines[end].startswith(" ")):
            end += 1
        while not lines[end - 1]:
            end -= 1
        lines[end:end] = method
    return "\n".join(lines)


_either_rules: dict[str, list[str]] = {}


def bundle(api: str, version: str) -> dict[str, Any]:
    """All messages of one API version as ``$defs`` of one document, named as classes.

    The "either" rules are taken out on the way and kept in ``_either_rules`` (class name ->
    validator lines) for :func:`generate_version`.
    """
    _either_rules.clear()
    _file_to_model.clear()
    names: dict[str, str] = {}
    for message in spec.messages(api, version):
        model = spec.model_name(message)
        if model in names:
            raise SystemExit(
                f"{api} {version}: {message!r} and {names[model]!r} share a class name"
            )
        names[model] = message
        _file_to_model[spec.schema_path(api, version, message).name] = model
    defs = {}
    for model, message in sorted(names.items()):
        document = copy.deepcopy(dict(spec.schema(api, version, message)))
        document.pop("title", None)
        rules = take_either_rules(document)
        if rules is not None:
            _either_rules[model] = either_validator(rules)
        defs[model] = _rewrite_refs(document)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": defs}


def generate_version(api: str, version: str, target: Path) -> None:
    # The generator's formatter reads the settings of the folder it writes into, so it
    # writes into an empty temporary folder: the output never depends on where it lands.
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bundle.json"
        output = Path(tmp) / "models.py"
        source.write_text(json.dumps(bundle(api, version), indent=1), encoding="utf-8")
        first = header(TOOL, _source(api, version))
        command = [sys.executable, "-m", "datamodel_code_generator", "--input", str(source)]
        command += ["--output", str(output), "--custom-file-header", first, *ARGS]
        subprocess.run(command, check=True, cwd=tmp)
        text = output.read_text(encoding="utf-8").rstrip()
    text = open_enums(add_validators(text, _either_rules))
    table = "\n".join(
        f"    {json.dumps(message)}: {spec.model_name(message)},"
        for message in spec.messages(api, version)
    )
    text += (
        "\n\n\n# Message name (as in spec/index.json) -> model class.\n"
        f"MESSAGES: dict[str, type[BaseModel]] = {{\n{table}\n}}\n"
    )
    target.write_text(text, encoding="utf-8")


def open_enums(text: str) -> str:
    """Every ``Literal[...]`` annotation of a models module widened by ``| UnknownValue``."""
    return _LITERAL.sub(lambda found: f"{found.group(0)} | UnknownValue", text)


def package_init(api: str) -> str:
    current, previous = spec.versions(api)
    return (
        f'"""Models of the Edu-V {api}: v{current.replace(".", "_")} (t) and '
        f'v{previous.replace(".", "_")} (t-1), loaded on first use."""\n\n'
        f'CURRENT = "{current}"\nPREVIOUS = "{previous}"\n'
    )


PACKAGE_INIT = '''{header}
"""Pydantic v2 models for every supported Edu-V API version.

Each API has a subpackage (``eduv.models.association_api``) with one module per
version (``v1_1_0``); a version's models are imported only when first used. Module
names follow ``eduv.spec.module_name``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from eduv import spec

if TYPE_CHECKING:
    from pydantic import BaseModel


def load(api: str, version: str | None = None) -> ModuleType:
    """The module with the models of one API version (``association-api``, ``1.1.0``).

    ``api`` may be the short form (``association``), ``version`` ``t`` or ``t-1``;
    unknown names raise ``eduv.spec.SpecLookupError`` (a ``LookupError``).
    """
    return importlib.import_module(spec.module_name(api, version, "models"))


def model(api: str, version: str | None, message: str) -> type[BaseModel]:
    """The model class of a message, by its name in the spec index."""
    table: dict[str, type[BaseModel]] = load(api, version).MESSAGES
    if message not in table:
        raise LookupError(f"{{api}} {{version}} has no message {{message!r}}")
    return table[message]
'''


TYPES_MODULE = '''{header}
"""Types the generated models share.

:class:`UnknownValue` is the value of an enumerated field that the standard does not list:
a provider that speaks a newer version, or gets a value wrong. Every enumerated field is
typed ``Literal[...] | UnknownValue``, so a type checker makes the reader decide what to
do with it (an exhaustive ``match`` needs a case for it), and the value itself is kept:
it is a ``str``, it dumps back as it came and compares equal to the same text.

>>> from eduv.models.types import UnknownValue
>>> value = UnknownValue("klas")
>>> value == "klas", isinstance(value, str)
(True, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema


class UnknownValue(str):
    """A value outside the set an enumerated field lists, kept as the text that came."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"UnknownValue({{str.__repr__(self)}})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic_core import core_schema

        # Tried after the Literal of the field, so only values outside it become unknown.
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )
'''


def generate(out: Path) -> None:
    (out / "__init__.py").write_text(
        PACKAGE_INIT.format(header=header(TOOL, "spec/index.json")), encoding="utf-8"
    )
    (out / "types.py").write_text(
        TYPES_MODULE.format(header=header(TOOL, "spec/index.json")), encoding="utf-8"
    )
    for entry in spec.apis():
        folder = out / spec.module_name(entry.id, entry.current).split(".")[2]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text(
            f"{header(TOOL, f'spec/{entry.id}/')}\n{package_init(entry.id)}", encoding="utf-8"
        )
        for version in entry.versions:
            module = spec.module_name(entry.id, version).rsplit(".", 1)[1]
            generate_version(entry.id, version, folder / f"{module}.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.gen_models", description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not args.check:
        generate(OUT)
        print(f"generated models in {OUT.relative_to(REPO)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        stale = [
            str(p.relative_to(fresh))
            for p in sorted(fresh.rglob("*.py"))
            if not (OUT / p.relative_to(fresh)).is_file()
            or (OUT / p.relative_to(fresh)).read_bytes() != p.read_bytes()
        ]
    for name in stale:
        print(f"stale: generated/eduv/models/{name}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
