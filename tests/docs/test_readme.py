"""Every shell command of README.md runs as written, in order, in a fresh folder.

How the commands are read from the README:

- the commands are the lines of the ```sh blocks; blank lines and lines that are only a
  comment are left out, a line ending in ``\\`` goes on on the next one;
- a block right after ``<!-- not run by tests/docs/test_readme.py: REASON -->`` is not run;
  the reason is required and says why (the README is the place a reader sees it);
- ``. FILE`` (or ``source FILE``) sets up the shell: it runs, and every later command
  runs after it, as in one terminal;
- a command with the comment ``# exits N`` must end with exit code N, every other with 0;
- a command ending in ``&`` starts a server: it is started in the background, and the
  next command runs once the server answers ``GET /`` on its port; it is stopped at the end;
- the one substitution: port 8000 becomes a free loopback port.

The folder holds ``.venv``, linked to the environment running the tests, as
``scripts/demo`` or ``scripts/test`` leave it in a fresh clone.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO

README = REPO / "README.md"
SKIP = re.compile(r"<!--\s*not run by tests/docs/test_readme\.py:(.*?)-->", re.S)
EXITS = re.compile(r"#.*\bexits (\d+)\b")
SETUP = re.compile(r"^(\.|source)\s")
PORT = "8000"
COMMAND_SECONDS = 300
SERVER_SECONDS = 60


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    body: list[str]
    skip: str | None  # the reason it is not run


@dataclass(frozen=True)
class Command:
    line: int
    text: str

    @property
    def expected(self) -> int:
        found = EXITS.search(self.text)
        return int(found.group(1)) if found else 0

    @property
    def background(self) -> bool:
        return self.text.split(" #", 1)[0].rstrip().endswith("&")

    @property
    def setup(self) -> bool:
        return SETUP.match(self.text) is not None


def blocks(text: str) -> list[Block]:
    """The fenced blocks, each with the reason of a skip marker right before it."""
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("```"):
            index += 1
            continue
        before = "\n".join(lines[max(0, index - 8) : index])
        marker = [m for m in SKIP.finditer(before) if before[m.end() :].strip() == ""]
        end = lines.index("```", index + 1)
        skip = marker[-1].group(1).strip() if marker else None
        found.append(Block(index + 1, lines[index][3:].strip(), lines[index + 1 : end], skip))
        index = end + 1
    return found


def commands(block: Block) -> list[Command]:
    found: list[Command] = []
    pending: list[str] = []
    start = block.line
    for offset, raw in enumerate(block.body, start=block.line + 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = offset
        if line.endswith("\\"):
            pending.append(line[:-1].rstrip())
            continue
        found.append(Command(start, " ".join([*pending, line])))
        pending = []
    assert not pending, f"README.md:{start}: a command ends in a continuation"
    return found


BLOCKS = blocks(README.read_text(encoding="utf-8"))
SHELL = [b for b in BLOCKS if b.lang == "sh"]
RUN = [c for b in SHELL if b.skip is None for c in commands(b)]


def test_every_block_says_its_language() -> None:
    unlabelled = [b.line for b in BLOCKS if not b.lang]
    assert not unlabelled, f"README.md blocks without a language at lines {unlabelled}"
    assert {b.lang for b in BLOCKS} <= {"sh", "python", "text"}


def test_every_skipped_block_says_why() -> None:
    skipped = [b for b in SHELL if b.skip is not None]
    assert all(len(b.skip or "") > 40 for b in skipped), [b.line for b in skipped]
    assert len(skipped) <= 2, "run the README's commands; skip only what cannot run"


def test_the_readme_walks_a_reader_through_the_example() -> None:
    texts = [c.text for c in RUN]

    def first(prefix: str) -> int:
        return next(i for i, t in enumerate(texts) if t.startswith(prefix))

    assert first(". .venv/bin/activate") < first("eduv example demo") < first("eduv validate")
    assert first("eduv serve --config demo/provider.json") < first(
        "eduv conformance run --config demo/target.toml"
    )
    assert any(t.startswith("eduv keys generate --out ") for t in texts)
    assert any(c.expected == 1 and "group-invalid.json" in c.text for c in RUN)
    assert sum(c.background for c in RUN) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _venv(folder: Path) -> None:
    """``.venv`` as the setup scripts leave it: this interpreter's environment."""
    if (Path(sys.prefix) / "bin" / "activate").is_file():
        (folder / ".venv").symlink_to(sys.prefix, target_is_directory=True)
        return
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    scripts = Path(sys.executable).parent
    (bin_dir / "activate").write_text(f'export PATH="{scripts}:$PATH"\n', encoding="utf-8")


@dataclass
class Shell:
    folder: Path
    port: int
    setup: str = ""

    def script(self, command: Command) -> str:
        text = re.sub(rf"\b{PORT}\b", str(self.port), command.text)
        if command.background:
            text = text.split(" #", 1)[0].rstrip().removesuffix("&").rstrip()
        return f"set -e; {self.setup}{text}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        return {**env, "NO_COLOR": "1", "COLUMNS": "100"}


def _run(shell: Shell, command: Command) -> None:
    result = subprocess.run(
        ["bash", "-c", shell.script(command)],
        cwd=shell.folder,
        env=shell.env(),
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    assert result.returncode == command.expected, (
        f"README.md:{command.line}: `{command.text}` exited {result.returncode}, "
        f"not {command.expected}\n--- stdout\n{result.stdout[-3000:]}\n"
        f"--- stderr\n{result.stderr[-3000:]}"
    )


def _start(shell: Shell, command: Command, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["bash", "-c", shell.script(command)],
            cwd=shell.folder,
            env=shell.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + SERVER_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"http://127.0.0.1:{shell.port}/", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    _stop(server)
    text = log.read_text(errors="replace")[-3000:]
    raise AssertionError(f"README.md:{command.line}: `{command.text}` did not answer\n{text}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    folder = tmp_path / "clone"
    folder.mkdir()
    _venv(folder)
    yield Shell(folder, _free_port())


@pytest.mark.slow
def test_every_readme_command_runs_as_written(shell: Shell, tmp_path: Path) -> None:
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for command in RUN:
            if command.setup:
                _run(shell, command)
                shell.setup += command.text.split(" #", 1)[0].strip() + "; "
            elif command.background:
                servers.append(_start(shell, command, tmp_path / f"server-{command.line}.log"))
            else:
                _run(shell, command)
    finally:
        for server in servers:
            _stop(server)
