"""Generate the API reference of the typed client in docs/api/ from the spec registry.

    python -m tools.gen_api_reference            # rewrite docs/api/
    python -m tools.gen_api_reference --check    # exit 1 when the committed pages are stale

One Markdown page per API, both supported versions, and per method: its Python signature
(the same the generated client has), what it returns, the scopes it accepts and the ones it
asks for by default, and the errors its documented answers map to. The pages can be served
as they are by a documentation site.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from eduv import spec
from eduv.runtime import errors
from tools.gen_client import _model_classes, _Operation, accessor, scope_text
from tools.provenance import header

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "api"
TOOL = "tools/gen_api_reference.py"

ALWAYS = (
    "Every method can also raise `RequestValidationError` (before sending), `ScopeError`, "
    "`ClientClosedError`, `ConnectError` and `TimedOutError`, `TokenError`, "
    "`ResponseValidationError`, `UnexpectedResponseError` (an error answer without a "
    "StatusResponse) and `ServerError` (any 5xx); see docs/sdk.md, Errors."
)


def _errors(status: str) -> str:
    """The exception classes one documented error status can become."""
    code = int(status) if status.isdigit() else 0
    named = errors.BY_HTTP_STATUS.get(code)
    if code >= 500:
        return "`ServerError`"
    by_code = sorted(
        {
            cls.__name__
            for cls in errors.BY_EDUV_STATUS.values()
            if named is not None and issubclass(cls, named)
        }
    )
    found = [named.__name__] if named is not None else ["ApiError"]
    return ", ".join(f"`{n}`" for n in found + by_code)


def _method(op: spec.Operation, classes: dict[str, str]) -> list[str]:
    made = _Operation(op, classes)
    arguments = ", ".join(made.arguments())
    lines = [f"### `{made.method}`", "", f"{op.summary}. `{op.method} {op.path}`", ""]
    lines += ["```python", f"def {made.method}(self, {arguments}) -> {made.returns()}", "```", ""]
    lines.append(
        f"- **Returns:** `{made.returns()}`; `with_raw_response`: `{made.returns(raw=True)}`"
    )
    lines.append(f"- **Scopes:** {scope_text(op)}")
    failures = [s for s in op.responses if not s.startswith("2")]
    if failures:
        lines.append("- **Errors:** " + "; ".join(f"{s}: {_errors(s)}" for s in failures))
    return [*lines, ""]


def render(api: str) -> str:
    entry = spec.api(api)
    lines = [
        f"<!-- {header(TOOL, f'spec/{api}/').removeprefix('# ')} -->",
        f"# {entry.title}",
        "",
        f"`client.{accessor(api)}()` is {entry.current} (t); `client.{accessor(api)}('t-1')` "
        f"is {entry.previous}. Every method also takes the per-call options `timeout`, "
        "`extra_headers`, `extra_query` and `scopes`.",
        "",
        ALWAYS,
        "",
    ]
    for version in entry.versions:
        lines += [f"## {api} {version}", ""]
        classes = _model_classes(api, version)
        models = spec.module_name(api, version, "models")
        lines += [f"Models: `{models}`.", ""]
        for op in spec.operations(api, version):
            lines += _method(op, classes)
    return "\n".join(lines).rstrip("\n") + "\n"


def generate(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for entry in spec.apis():
        (out / f"{entry.id}.md").write_text(render(entry.id), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if not args.check:
        generate(OUT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        stale = [
            p.name
            for p in sorted(fresh.glob("*.md"))
            if not (OUT / p.name).is_file() or (OUT / p.name).read_bytes() != p.read_bytes()
        ]
    for name in stale:
        print(f"stale: docs/api/{name}; run python -m tools.gen_api_reference", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
