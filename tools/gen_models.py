"""Generate the pydantic v2 models in generated/eduv/models from spec/.

    python -m tools.gen_models            # rewrite generated/eduv/models
    python -m tools.gen_models --check    # exit 1 when the committed models are stale

One module per API version (``eduv.models.association_api.v1_1_0``), produced by
the pinned datamodel-code-generator from a bundle of that version's schemas.
Strings with a format (date, date-time, uuid, uri) stay ``str`` so that every
payload serialises back exactly as it came in (``Z`` stays ``Z``, UUID case and
URL slashes are kept); formats are checked by the schema validators.
"""

from __future__ import annotations

import argparse
import copy
import json
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
    "--type-mappings",
    "string+date=string",
    "string+date-time=string",
    "string+uuid=string",
    "string+uri=string",
]


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


def bundle(api: str, version: str) -> dict[str, Any]:
    """All messages of one API version as ``$defs`` of one document, named as classes."""
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
    table = "\n".join(
        f"    {json.dumps(message)}: {spec.model_name(message)},"
        for message in spec.messages(api, version)
    )
    text += (
        "\n\n\n# Message name (as in spec/index.json) -> model class.\n"
        f"MESSAGES: dict[str, type[BaseModel]] = {{\n{table}\n}}\n"
    )
    target.write_text(text, encoding="utf-8")


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


def generate(out: Path) -> None:
    (out / "__init__.py").write_text(
        PACKAGE_INIT.format(header=header(TOOL, "spec/index.json")), encoding="utf-8"
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
