"""Generate the typed client methods in generated/eduv/client from spec/index.json.

    python -m tools.gen_client            # rewrite generated/eduv/client
    python -m tools.gen_client --check    # exit 1 when the committed code is stale

One module per API version (``eduv.client.association_api.v1_1_0``) with a sync and
an async class whose methods are the operations: parameters named as in the standard
and typed from the parameter schema, request bodies and answers typed with the
generated models. Every method also takes the per-call options of
:class:`eduv.runtime.RequestOptions` (``timeout``, ``extra_headers``, ``extra_query``,
``scopes``), and every class has ``with_raw_response``: a twin class whose methods return
a :class:`eduv.runtime.RawResponse` around the same value. The methods only collect their
arguments; the shared logic lives in the client runtime, :mod:`eduv.runtime`, the one
interface generated code imports.
``eduv.client`` holds ``Client`` and ``AsyncClient`` with one accessor per API whose
overloads map each version (and ``t``/``t-1``) to its class.
The output depends only on the spec, so it is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import keyword
import re
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from eduv import spec
from eduv.runtime.scopes import default_scopes
from tools.provenance import header
from tools.provenance import version_source as _source

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "generated" / "eduv" / "client"
TOOL = "tools/gen_client.py"
WIDTH = 96
# The keyword arguments of eduv.runtime.RequestOptions, which no parameter may shadow.
OPTION_NAMES = frozenset({"timeout", "extra_headers", "extra_query", "scopes", "options"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^0-9a-zA-Z]+")


def snake(name: str) -> str:
    """``get-groups-for-school`` / ``putSimpleProgress`` / ``GET /a/b`` -> snake_case."""
    return _NOT_WORD.sub("_", _CAMEL.sub("_", name)).strip("_").lower()


def class_name(api: str, version: str, is_async: bool) -> str:
    words = "".join(part.capitalize() for part in api.split("-"))
    return f"{'Async' if is_async else ''}{words}V{version.replace('.', '_')}"


def accessor(api: str) -> str:
    return api.removesuffix("-api").replace("-", "_")


def _python_name(name: str) -> str:
    safe = snake(name) if not name.isidentifier() else name
    return f"{safe}_" if keyword.iskeyword(safe) else safe


def _annotation(schema: Mapping[str, Any]) -> str:
    """A Python type for a decoded parameter value."""
    if "enum" in schema:
        return "Literal[" + ", ".join(json.dumps(v) for v in schema["enum"]) + "]"
    kind = schema.get("type")
    if kind == "string":
        return {
            "date-time": "str | datetime.datetime",
            "date": "str | datetime.date",
        }.get(str(schema.get("format")), "str")
    if kind == "array":
        return f"list[{_annotation(schema.get('items', {}))}]"
    return {"boolean": "bool", "integer": "int", "number": "float"}.get(str(kind), "Any")


def scope_text(op: spec.Operation) -> str:
    """What the docs say about an operation's scopes: which it accepts, which it asks for."""
    if not op.scopes:
        return "no scope needed."
    accepted = f"scopes (any one): {', '.join(op.scopes)}"
    default = default_scopes(op)
    if default:
        return f"{accepted}; asks for {', '.join(default)} unless more are given."
    return f"{accepted}; no default: the client's scopes must name one."


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH - len(indent)) or [""]


class _Operation:
    """What the generator needs to know about one operation."""

    def __init__(self, op: spec.Operation, classes: Mapping[str, str]) -> None:
        self.op = op
        self.classes = classes
        document = spec.schema(op.api, op.version, op.parameters)
        self.properties: Mapping[str, Any] = document.get("properties", {})
        self.required = set(document.get("required", ()))

    @property
    def method(self) -> str:
        return snake(self.op.operation_id)

    def body_type(self) -> str | None:
        if self.op.request is None:
            return None
        name = self.classes[self.op.request.message]
        if self.op.request.array:
            return f"Sequence[{name} | Mapping[str, Any]]"
        return f"{name} | Mapping[str, Any]"

    def arguments(self) -> list[str]:
        """The signature after ``self``; a bare ``*`` only when keywords follow it."""
        found = list(self._arguments())
        names = {a.split(":")[0] for a in found}
        assert not names & OPTION_NAMES, (
            f"{self.op.operation_id}: a parameter is named as an option"
        )
        found = found[:-1] if found[-1] == "*" else found
        return [*found, "**options: Unpack[RequestOptions]"]

    def _arguments(self) -> Iterator[str]:
        path = [n for n, where in self.op.parameter_in.items() if where == "path"]
        for name in path:
            yield f"{_python_name(name)}: {_annotation(self.properties.get(name, {}))}"
        body = self.body_type()
        if body is not None and self.op.request_required:
            yield f"body: {body}"
        yield "*"
        if body is not None and not self.op.request_required:
            yield f"body: {body} | None = None"
        for name, where in self.op.parameter_in.items():
            if where == "path":
                continue
            annotation = _annotation(self.properties.get(name, {}))
            if name in self.required:
                yield f"{_python_name(name)}: {annotation}"
            else:
                yield f"{_python_name(name)}: {annotation} | None = None"

    def docstring(self, indent: str) -> list[str]:
        op = self.op
        lines = [f"{op.summary}.".replace("..", "."), ""]
        lines += _wrap(f"{op.method} {op.path}; {scope_text(op)}", indent)
        params = [n for n in op.parameter_in if n in self.properties]
        if params:
            lines += ["", "Args:"]
            for name in params:
                text = self.properties[name].get("description", "")
                wrapped = _wrap(f"{_python_name(name)}: {text}", indent + "    ")
                lines += ["    " + wrapped[0]] + ["        " + w for w in wrapped[1:]]
        return (
            [f'{indent}"""{lines[0]}']
            + [f"{indent}{line}" if line else "" for line in lines[1:]]
            + [f'{indent}"""']
        )

    def call(self, is_async: bool, raw: bool, indent: str) -> list[str]:
        waits = "await " if is_async else ""
        lines = [f"{indent}params = {{"]
        lines += [f'{indent}    "{n}": {_python_name(n)},' for n in self.op.parameter_in]
        lines.append(f"{indent}}}")
        body = "body" if self.op.request is not None else "None"
        method = "_call_raw" if raw else "_call"
        invocation = f'{waits}self.{method}("{self.op.operation_id}", params, {body}, options)'
        returns = self.returns(raw)
        if returns == "None":
            return [*lines, f"{indent}{invocation}"]
        return [*lines, f'{indent}return cast("{returns}", {invocation})']

    def returns(self, raw: bool = False) -> str:
        _, body = self.op.success
        value = "None"
        if body is not None:
            name = self.classes[body.message]
            value = f"list[{name}]" if body.array else name
        return f"RawResponse[{value}]" if raw else value

    def render(self, is_async: bool, raw: bool = False) -> list[str]:
        indent = "        "
        head = "    async def" if is_async else "    def"
        lines = [f"{head} {self.method}(", f"{indent}self,"]
        lines += [f"{indent}{argument}," for argument in self.arguments()]
        lines.append(f"    ) -> {self.returns(raw)}:")
        lines += self.docstring(indent)
        lines += self.call(is_async, raw, indent)
        return lines


def _model_classes(api: str, version: str) -> dict[str, str]:
    return {message: spec.model_name(message) for message in spec.messages(api, version)}


def _api_class(
    api: str, version: str, operations: list[_Operation], is_async: bool, raw: bool
) -> list[str]:
    """One generated class: the operations of an API version, sync or async, plain or raw."""
    base = "_AsyncBase" if is_async else "_SyncBase"
    kind = "asynchronous" if is_async else "synchronous"
    title = spec.api(api).title
    name = class_name(api, version, is_async)
    if raw:
        doc = f"{title} {version} ({kind}), each method returning a RawResponse."
        name += "WithRawResponse"
    else:
        doc = f"{title} {version} ({kind}); get it from the client's ``{accessor(api)}()``."
    lines = ["", f"class {name}({base}):", f'    """{doc}"""', ""]
    lines += [f'    api_id = "{api}"', f'    version = "{version}"']
    if not raw:
        lines += [
            "",
            "    @property",
            f"    def with_raw_response(self) -> {name}WithRawResponse:",
            '        """The same operations, returning status, headers and problems too."""',
            f"        return {name}WithRawResponse(self._client)",
        ]
    for op in operations:
        lines += ["", *op.render(is_async, raw)]
    return [*lines, ""]


def render_version(api: str, version: str) -> str:
    classes = _model_classes(api, version)
    operations = [_Operation(op, classes) for op in spec.operations(api, version)]
    used = sorted(
        {
            name
            for op in operations
            for name in (op.returns(), op.body_type() or "")
            for name in re.findall(r"[A-Z]\w*", name)
            if name in classes.values()
        }
    )
    methods = [op.method for op in operations]
    assert len(methods) == len(set(methods)), f"{api} {version}: method names collide"
    title = spec.api(api).title
    lines = [
        header(TOOL, _source(api, version)),
        f'"""Typed operations of the {title} {version}."""',
        "",
        "from __future__ import annotations",
        "",
        "import datetime",
        "from collections.abc import Mapping, Sequence",
        "from typing import TYPE_CHECKING, Any, Literal, Unpack, cast",
        "",
        "from eduv.runtime import AsyncApi as _AsyncBase",
        "from eduv.runtime import RawResponse, RequestOptions",
        "from eduv.runtime import SyncApi as _SyncBase",
        "",
        "if TYPE_CHECKING:",
    ]
    models = spec.module_name(api, version, "models")
    lines += [f"    from {models} import {name}" for name in used] or ["    pass"]
    names = [class_name(api, version, a) for a in (False, True)]
    lines += ["", "__all__ = [" + ", ".join(f'"{n}"' for n in names) + "]", ""]
    for is_async in (False, True):
        lines += _api_class(api, version, operations, is_async, raw=True)
        lines += _api_class(api, version, operations, is_async, raw=False)
    lines += [
        "",
        f"Api = {class_name(api, version, False)}",
        f"AsyncApi = {class_name(api, version, True)}",
        "",
    ]
    return "\n".join(lines)


# What eduv.client hands on from the client runtime, so users import from one place.
_REEXPORTS: tuple[str, ...] = (
    "Auth",
    "BearerToken",
    "ClientSecret",
    "PrivateKeyJwt",
    "ScopeError",
    "BaseAsyncClient",
    "ClientClosedError",
    "RawResponse",
    "RequestOptions",
    "Timeout",
    "UnexpectedResponseError",
    "BaseClient",
    "Settings",
    "NO_RETRY",
    "RetryPolicy",
    "ApiError",
    "ApiVersionMismatchError",
    "ApiVersionWarning",
    "AuthenticationError",
    "BadRequestError",
    "ConnectError",
    "ConsentReferenceError",
    "ConsentRequiredError",
    "ConsumerReferenceUnknownError",
    "ConsumerReferenceUsedError",
    "EduvError",
    "MethodNotAllowedError",
    "NotFoundError",
    "OtherReasonError",
    "PermissionDeniedError",
    "ProviderReferenceUnknownError",
    "ProviderReferenceUsedError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseValidationError",
    "ResponseValidationWarning",
    "SchemaIncorrectError",
    "SchemaVersionNotSupportedError",
    "ScopeRequiredError",
    "ServerError",
    "TimedOutError",
    "TokenError",
    "TransportError",
    "UnknownOrganisationError",
)


def _accessors(is_async: bool) -> list[str]:
    lines: list[str] = []
    for entry in spec.apis():
        name = accessor(entry.id)
        aliases = {entry.current: ("t", "current"), entry.previous: ("t-1", "previous")}
        for index, version in enumerate(entry.versions):
            literals = ", ".join(repr(v) for v in (version, *aliases[version]))
            default = ' = "t"' if index == 0 else ""
            lines += [
                "    @overload",
                f"    def {name}(self, version: Literal[{literals}]{default}) -> "
                f"{class_name(entry.id, version, is_async)}: ...",
            ]
        lines += [
            f'    def {name}(self, version: str = "t") -> Any:',
            f'        """{entry.title}: t = {entry.current}, t-1 = {entry.previous}."""',
            f'        return self.api("{entry.id}", version)',
            "",
        ]
    return lines


def render_package() -> str:
    lines = [
        header(TOOL, "spec/index.json"),
        '"""Typed Edu-V clients: one accessor per API, one method per operation.',
        "",
        ">>> from eduv.client import Client, PrivateKeyJwt",
        ">>> auth = PrivateKeyJwt(",
        "...     client_id='my-client',",
        "...     private_key='client.pem',",
        "...     token_url='https://auth.example.org/token',",
        "... )  # doctest: +SKIP",
        ">>> with Client('https://las.example.org', auth=auth) as client:  # doctest: +SKIP",
        "...     groups = client.association().get_groups_for_school(orgMasterId='104A158')",
        "",
        "``client.association()`` is the current version (t); ``client.association('t-1')``",
        "or ``client.association('1.0.2')`` the previous one. ``AsyncClient`` has the same",
        "accessors with ``async`` methods.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import importlib",
        "from typing import TYPE_CHECKING, Any, Literal, overload",
        "",
        "from eduv import spec",
    ]
    lines += ["from eduv.runtime import ("] + [f"    {n}," for n in sorted(_REEXPORTS)] + [")"]
    lines += ["", "if TYPE_CHECKING:"]
    for entry in spec.apis():
        for version in entry.versions:
            pair = ", ".join(class_name(entry.id, version, a) for a in (False, True))
            module = spec.module_name(entry.id, version, "client")
            lines.append(f"    from {module} import {pair}")
    exported = sorted({*_REEXPORTS, "AsyncClient", "Client"})
    lines += ["", "__all__ = ["] + [f'    "{n}",' for n in exported] + ["]", "", ""]
    lines += [
        "def _operations(api: str, version: str | None, prefix: str) -> type[Any]:",
        '    """The generated class of one API version, imported on first use."""',
        '    module = importlib.import_module(spec.module_name(api, version, "client"))',
        '    found: type[Any] = getattr(module, f"{prefix}Api")',
        "    return found",
        "",
        "",
        "class Client(BaseClient):",
        '    """The synchronous Edu-V client (see ``BaseClient`` for the options)."""',
        "",
        "    def api(self, api: str, version: str | None = None) -> Any:",
        '        """The operations of one API version (untyped; the named accessors are typed)."""',
        '        return _operations(api, version, "")(self)',
        "",
        *_accessors(False),
        "",
        "class AsyncClient(BaseAsyncClient):",
        '    """The asynchronous Edu-V client (see ``BaseAsyncClient`` for the options)."""',
        "",
        "    def api(self, api: str, version: str | None = None) -> Any:",
        '        """The operations of one API version (untyped; the named accessors are typed)."""',
        '        return _operations(api, version, "Async")(self)',
        "",
        *_accessors(True),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_api_package(api: str) -> str:
    title = spec.api(api).title
    first = header(TOOL, f"spec/{api}/")
    return f'{first}\n"""Typed operations of the {title}, one module per version."""\n'


def generate(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "__init__.py").write_text(render_package())
    for entry in spec.apis():
        package = out / spec.module_name(entry.id, entry.current, "client").split(".")[2]
        package.mkdir()
        (package / "__init__.py").write_text(render_api_package(entry.id))
        for version in entry.versions:
            module = spec.module_name(entry.id, version, "client").rsplit(".", 1)[1]
            (package / f"{module}.py").write_text(render_version(entry.id, version))


def _same_tree(left: Path, right: Path) -> list[str]:
    compare = filecmp.dircmp(left, right, ignore=["__pycache__"])
    problems = [f"only in one tree: {n}" for n in compare.left_only + compare.right_only]
    problems += [f"differs: {n}" for n in compare.diff_files]
    _, mismatch, errors = filecmp.cmpfiles(left, right, compare.common_files, shallow=False)
    problems += [f"differs: {n}" for n in mismatch + errors if f"differs: {n}" not in problems]
    for sub in compare.common_dirs:
        problems += [f"{sub}/{p}" for p in _same_tree(left / sub, right / sub)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if not args.check:
        generate(OUT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "client"
        generate(fresh)
        problems = _same_tree(fresh, OUT) if OUT.is_dir() else ["generated/eduv/client missing"]
    for problem in problems:
        print(f"stale: {problem}", file=sys.stderr)
    if problems:
        print("run: python -m tools.gen_client", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
