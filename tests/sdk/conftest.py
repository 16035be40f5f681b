"""Helpers for the SDK tests: running the ``eduv`` command in-process, sample messages."""

from __future__ import annotations

import copy
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from eduv import spec
from eduv.cli import main


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return orjson.loads(self.out)


Cli = Callable[..., Run]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run ``eduv ARGS`` in this process; ``stdin`` bytes are piped in."""

    def run(*args: str, stdin: bytes | None = None) -> Run:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def example(api: str, version: str, message: str) -> dict[str, Any]:
    """A deep copy of the committed valid example of a message."""
    found: dict[str, Any] = copy.deepcopy(spec.schema(api, version, message)["examples"][0])
    return found


apply_patch = spec.apply_patch


def pointer(path: Any) -> str:
    """A JSON pointer from path segments."""
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in path)


def envelope(
    payload: Any, message: str = "Group", api: str = "association-api", version: str = "1.1.0"
) -> bytes:
    doc = {"api": api, "version": version, "message": message, "payload": payload}
    return orjson.dumps(doc) + b"\n"
