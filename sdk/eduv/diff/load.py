"""Reading OpenAPI documents (JSON or YAML) and following their local ``$ref``s.

A document may be one file (an official Edu-V file, all in ``#/components``) or a
folder of files that point to each other (eduv's own ``openapi.json`` refers to the
message schemas beside it). References are followed on the local file system only:
a diff must never depend on the network.
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from eduv.pointer import resolve

YAML_EXTRA = "pip install 'eduv[dev]'"


class DiffInputError(ValueError):
    """Input that cannot be compared; the message names what, where and why."""


def _yaml(text: str, where: str) -> Any:
    try:
        from ruamel.yaml import YAML
        from ruamel.yaml.constructor import SafeConstructor
        from ruamel.yaml.error import YAMLError
    except ImportError:
        raise DiffInputError(
            f"{where}: reading YAML needs ruamel.yaml, which is not installed "
            f"({YAML_EXTRA}); or give the document as JSON"
        ) from None

    class _TextTimestamps(SafeConstructor):
        """Keeps dates as the text that was written, as the spec importer does."""

    def _as_text(constructor: SafeConstructor, node: Any) -> str:
        return str(constructor.construct_scalar(node))

    _TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _TextTimestamps
    try:
        return yaml.load(io.StringIO(text))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise DiffInputError(f"{where}: not valid YAML ({line}{problem})") from None


def parse(data: bytes, where: str) -> Any:
    """JSON, or YAML when the text does not start like JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DiffInputError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    if text.lstrip()[:1] in ("{", "["):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise DiffInputError(f"{where}: not valid JSON ({exc})") from None
    return _yaml(text, where)


def read(path: Path) -> Any:
    if not path.is_file():
        why = "is a folder, not a file" if path.is_dir() else "no such file"
        raise DiffInputError(f"{path}: {why}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DiffInputError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse(data, str(path))


def _walk(node: Any, pointer: str) -> Any:
    """The value at a JSON pointer, or raise KeyError."""
    if pointer in ("", "/"):
        return node
    try:
        return resolve(node, pointer)
    except (LookupError, ValueError) as exc:
        raise KeyError(pointer) from exc


class Documents:
    """One OpenAPI document and the local files its references reach.

    Files are named relative to the main document's folder; the main document itself
    is ``""``. ``overrides`` replaces files by data (tests mutate schemas this way).
    """

    def __init__(
        self, main: Path, data: Any | None = None, overrides: Mapping[str, Any] | None = None
    ) -> None:
        self.main = main
        self.folder = main.parent
        self._files: dict[str, Any] = dict(overrides or {})
        self._files[""] = read(main) if data is None else data
        _check_openapi(self._files[""], str(main))

    @property
    def root(self) -> Any:
        return self._files[""]

    @property
    def dialect(self) -> str:
        return "3.1" if str(self.root["openapi"]).startswith("3.1") else "3.0"

    def file(self, name: str) -> Any:
        if name not in self._files:
            self._files[name] = read(self.folder / name)
        return self._files[name]

    def resolve(self, ref: Any, file: str, where: str) -> tuple[str, str, Any]:
        """(file, pointer, target) of a ``$ref`` met in ``file`` at ``where``."""
        if not isinstance(ref, str):
            raise DiffInputError(f"{self._label(file)}: $ref at {where} is not a string")
        if ref.startswith(("http://", "https://")):
            raise DiffInputError(
                f"{self._label(file)}: $ref {ref!r} at {where} is remote; only local "
                "references are followed (no network)"
            )
        target, _, pointer = ref.partition("#")
        name = file
        if target:
            name = posixpath.normpath(posixpath.join(posixpath.dirname(file), target))
            if name.startswith("../") or name == "..":
                raise DiffInputError(
                    f"{self._label(file)}: $ref {ref!r} at {where} leaves the document's folder"
                )
        try:
            value = _walk(self.file(name), pointer)
        except (KeyError, IndexError, ValueError):
            raise DiffInputError(
                f"{self._label(file)}: $ref {ref!r} at {where} points to nothing"
            ) from None
        return name, pointer, value

    def _label(self, file: str) -> str:
        return str(self.main if file == "" else self.folder / file)


def _check_openapi(root: Any, where: str) -> None:
    if not isinstance(root, dict) or "openapi" not in root:
        raise DiffInputError(f"{where}: not an OpenAPI document (no 'openapi' field at the top)")
    version = str(root["openapi"])
    if not version.startswith(("3.0", "3.1")):
        raise DiffInputError(f"{where}: OpenAPI {version} is not supported; give 3.0 or 3.1")
    paths = root.get("paths", {})
    if not isinstance(paths, dict):
        raise DiffInputError(f"{where}: 'paths' is not a mapping")
