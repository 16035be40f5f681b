"""Write spec/ from the official Edu-V files and the authored inputs.

python -m tools.specbuild --reference ../shared/reference [--out spec] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import http
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsonschema_rs

from eduv.pointer import pointer
from tools.specbuild.authored import Authored
from tools.specbuild.build import (
    BASE_URI,
    VersionBuild,
    build_version,
    message_filename,
    revision_folder,
    semver_major,
)
from tools.specbuild.examples import Composer, Mutator, apply_mutation, edge_case_mutations
from tools.specbuild.official import supported_versions

REPO = Path(__file__).resolve().parents[2]
API_VERSION_HEADER = "API-Version"


def dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data), encoding="utf-8")


class Problems(list[str]):
    def add(self, text: str) -> None:
        self.append(text)


# --------------------------------------------------------------------------- examples


def add_examples(
    build: VersionBuild, authored: Authored, problems: Problems
) -> list[dict[str, Any]]:
    schemas = {message_filename(n): m.schema for n, m in build.messages.items()}
    registry = jsonschema_rs.Registry([(s["$id"], s) for s in schemas.values()])
    composer = Composer(
        schemas,
        lambda component: authored.fixture(build.api, component, build.version),
        f"{build.api}/{build.folder}/",
    )
    mutator = Mutator(schemas, _rejects_pattern)
    invalid: list[dict[str, Any]] = []
    for name, message in build.messages.items():
        filename = message_filename(name)
        example = composer.message(filename)
        validator = jsonschema_rs.validator_for(
            message.schema, registry=registry, validate_formats=True
        )
        errors = list(validator.iter_errors(example))
        if errors:
            problems.add(
                f"{build.api} {build.version} {name}: composed example is invalid: "
                + "; ".join(
                    f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in errors[:3]
                )
            )
        message.schema["examples"] = [example]
        sites = mutator.sites(filename, example)
        for mutation in [*sites, *edge_case_mutations(filename, schemas, sites)]:
            broken = apply_mutation(example, mutation.op, mutation.path, mutation.value)
            reported = {
                (_kind_name(e), pointer(e.instance_path)) for e in validator.iter_errors(broken)
            }
            if (mutation.keyword, mutation.instance_path) in reported:
                invalid.append(mutation.as_json(name))
    _reorder_examples(build)
    return invalid


def _kind_name(error: Any) -> str:
    path = list(error.schema_path)
    return str(path[-1]) if path else ""


def _rejects_pattern(pattern: str, value: str) -> bool:
    return not jsonschema_rs.validator_for({"pattern": pattern}).is_valid(value)


def _reorder_examples(build: VersionBuild) -> None:
    for message in build.messages.values():
        schema = message.schema
        examples = schema.pop("examples")
        keys = list(schema)
        cut = keys.index("description") + 1 if "description" in keys else keys.index("title") + 1
        message.schema = {
            **{k: schema[k] for k in keys[:cut]},
            "examples": examples,
            **{k: schema[k] for k in keys[cut:]},
        }


# --------------------------------------------------------------------------- OpenAPI 3.1


def _body_schema(ref: dict[str, Any]) -> dict[str, Any]:
    target = {"$ref": f"./{message_filename(ref['message'])}"}
    return {"type": "array", "items": target} if ref["array"] else target


def openapi_document(build: VersionBuild) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for op in build.operations:
        params_file = message_filename(op["parameters"])
        params_schema = build.messages[op["parameters"]].schema
        parameters = [
            {
                "name": name,
                "in": where,
                "required": where == "path" or name in params_schema.get("required", []),
                "schema": {"$ref": f"./{params_file}#/properties/{name}"},
            }
            for name, where in op["parameterIn"].items()
        ]
        parameters.append({"$ref": "#/components/parameters/API-Version"})
        entry: dict[str, Any] = {
            "summary": op["summary"] or op["operationId"],
            "parameters": parameters,
            "responses": {},
        }
        if not op["operationId"].startswith(op["method"] + " "):
            entry = {"operationId": op["operationId"], **entry}
        if op["description"]:
            entry["description"] = op["description"]
        if op["requestBody"] is not None:
            entry["requestBody"] = {
                "required": op["requestBody"]["required"],
                "content": {"application/json": {"schema": _body_schema(op["requestBody"])}},
            }
        for status, ref in op["responses"].items():
            response: dict[str, Any] = {
                "description": _reason(status),
                "headers": {API_VERSION_HEADER: {"$ref": "#/components/headers/API-Version"}},
            }
            if ref is not None:
                response["content"] = {"application/json": {"schema": _body_schema(ref)}}
            entry["responses"][status] = response
        if op["scopes"]:
            entry["security"] = [{"OAuth2": op["scopes"]}]
        paths.setdefault(op["path"], {})[op["method"].lower()] = entry
    scopes = sorted({s for op in build.operations for s in op["scopes"]} | set(build.scopes))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": build.title,
            "version": build.version,
            "description": build.description,
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "servers": [{"url": f"/{build.api}/v{semver_major(build.version)}"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "OAuth2": {
                    "type": "oauth2",
                    "description": (
                        "OAuth 2.0 client credentials; Edu-V clients authenticate at the token "
                        "endpoint with a signed JWT (private_key_jwt)."
                    ),
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "/oauth2/token",
                            "scopes": {
                                s: f"Grants what is marked x-eduv-scopes: {s}." for s in scopes
                            },
                        }
                    },
                }
            },
            "parameters": {
                "API-Version": {
                    "name": API_VERSION_HEADER,
                    "in": "header",
                    "required": False,
                    "description": (
                        "Full semantic version the client speaks (eduv addition: the standard "
                        "uses this header but no official file declares it). The newest version "
                        "under this major applies when it is absent."
                    ),
                    "schema": {
                        "type": "string",
                        "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+(?![\\s\\S])",
                    },
                }
            },
            "headers": {
                "API-Version": {
                    "description": "Full semantic version the response was produced in.",
                    "schema": {"type": "string"},
                }
            },
        },
    }


def _reason(status: str) -> str:
    try:
        return http.HTTPStatus(int(status)).phrase
    except ValueError:
        return "Response"


# --------------------------------------------------------------------------- whole spec


def build_all(reference: Path, out: Path) -> Problems:
    authored = Authored.load()
    problems = Problems()
    index: dict[str, Any] = {"baseUri": BASE_URI, "apis": {}}
    deviations: dict[tuple[str, str, str], dict[str, Any]] = {}
    for api, pair in supported_versions(reference).items():
        t, t1 = pair
        role = authored.apis.get(api)
        if role is None:
            problems.add(f"{api}: no entry in authored/apis.yaml (its family)")
            role = {}
        index["apis"][api] = {
            "title": "",
            "family": role.get("family", "chain"),
            "adopted": bool(role.get("adopted", True)),
            "current": t.version,
            "previous": t1.version,
            "versions": {},
        }
        for official in pair:
            revision, fixed = authored.revision(api, official.version)
            name_of_folder = revision_folder(official.version, revision)
            build = build_version(official, authored, name_of_folder)
            invalid = add_examples(build, authored, problems)
            folder = out / api / name_of_folder
            for name, message in build.messages.items():
                write(folder / message_filename(name), message.schema)
            write(folder / "openapi.json", openapi_document(build))
            write(folder / "examples" / "invalid.json", invalid)
            index["apis"][api]["title"] = index["apis"][api]["title"] or build.title
            index["apis"][api]["versions"][official.version] = {
                "major": int(semver_major(official.version)),
                "revision": revision,
                "folder": name_of_folder,
                **({"fixed": fixed} if fixed else {}),
                "scopes": sorted(build.scopes),
                "messages": {
                    name: {"file": message_filename(name), "kind": m.kind, "operation": m.operation}
                    for name, m in sorted(build.messages.items())
                },
                "operations": build.operations,
            }
            for dev in build.deviations:
                key = (api, dev.pointer, json.dumps([dev.official, dev.ours]))
                if key in deviations:
                    deviations[key]["versions"].append(official.version)
                else:
                    deviations[key] = dev.as_json()
            for name, message in build.messages.items():
                if "description" not in message.schema:
                    problems.add(f"{api} {official.version} {name}: no description")
    write(out / "index.json", index)
    write(
        out / "deviations.json",
        {
            "conventions": authored.conventions,
            "deviations": sorted(deviations.values(), key=lambda d: (d["api"], d["pointer"])),
        },
    )
    problems.extend(pinned_changes(out))
    return problems


# What a release pins: the API version folders, and the schemas of the formats eduv
# exchanges with others (datasets, validation reports, conformance reports, diff
# reports), which vendors build against just the same. Left out: the dataset conversion
# table, data that grows with each new API version; the table of change kinds beside the
# diff schema, which gains kinds as the diff learns to see more (a kind's id, once
# published, stays); and the reference provider's own configuration, which gains
# optional settings as the provider does.
RELEASED = (
    "*-api/*/**/*.json",
    "dataset/*/Dataset.json",
    "report/*/report.json",
    "conformance-report/*/report.json",
    "diff/*/diff.json",
)


def released_files(out: Path) -> list[Path]:
    return sorted({path for pattern in RELEASED for path in out.glob(pattern)})


def _digests(out: Path) -> dict[str, str]:
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in released_files(out)
    }


def write_manifest(out: Path) -> None:
    """Pin every file of the released version folders (``--release``)."""
    lines = [f"{digest}  {name}" for name, digest in _digests(out).items()]
    (out / "MANIFEST.sha256").write_text("\n".join(lines) + "\n", encoding="utf-8")


def pinned_changes(out: Path) -> list[str]:
    """Released files that a build would change: those need a new revision instead.

    A format folder (``report/1``) changes the same way: as a new numbered folder.
    """
    manifest = out / "MANIFEST.sha256"
    if not manifest.is_file():
        return []
    pinned: dict[str, str] = {}
    for line in manifest.read_text("utf-8").splitlines():
        if line:
            digest, name = line.split("  ", 1)
            pinned[name] = digest
    current = _digests(out)
    return [
        f"{name}: released file changed; ship the fix as a new revision with its own $id"
        for name, digest in pinned.items()
        if current.get(name) != digest
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.specbuild", description=__doc__)
    parser.add_argument("--reference", type=Path, default=REPO.parent / "shared" / "reference")
    parser.add_argument("--out", type=Path, default=REPO / "spec")
    parser.add_argument("--check", action="store_true", help="compare with the committed spec")
    parser.add_argument("--strict", action="store_true", help="fail on any problem")
    parser.add_argument("--release", action="store_true", help="pin the result in MANIFEST.sha256")
    args = parser.parse_args(argv)
    if not (args.reference / "edu-v-openapi" / "INDEX.tsv").is_file():
        print(f"error: no official files under {args.reference}", file=sys.stderr)
        return 2
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build_all(args.reference, Path(tmp))
            stale = _differences(Path(tmp), args.out) + pinned_changes(args.out)
        for line in stale:
            print(line)
        return 1 if stale else 0
    problems = build_all(args.reference, args.out)
    if args.release and not problems:
        write_manifest(args.out)
    for line in problems:
        print(f"problem: {line}", file=sys.stderr)
    print(f"wrote {args.out}; {len(problems)} problem(s)")
    return 1 if problems and args.strict else 0


def _differences(fresh: Path, committed: Path) -> list[str]:
    out = []
    for path in sorted(fresh.rglob("*")):
        if path.is_file():
            other = committed / path.relative_to(fresh)
            if not other.is_file() or other.read_bytes() != path.read_bytes():
                out.append(f"stale: {path.relative_to(fresh)}")
    return out


if __name__ == "__main__":
    sys.exit(main())
