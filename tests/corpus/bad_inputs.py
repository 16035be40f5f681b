"""A corpus of bad input for ``eduv validate``, generated from a committed seed.

    python -m tests.corpus.bad_inputs FOLDER   # writes the files and lists the cases

Every case names the command line, what is piped in, the exit code it must end with
(0 valid, 1 findings, 2 bad input or usage) and the class of message it must show;
the files are written on demand into a folder, never committed. The cases cover the
inputs of the hardening issue: endless and oversized input, a message with 200,000
broken members, structurally broken HAR files, names repeated in an object,
misleading messages, and terminal escape sequences in names and values.
"""

from __future__ import annotations

import base64
import copy
import os
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from eduv import spec

SEED = 20261205

# What a case's output must say, by class; each pattern is searched in stdout + stderr.
MESSAGE_CLASSES: dict[str, str] = {
    "byte-limit": r"larger than [\d,]+ bytes, the limit of --max-document-bytes",
    "line-limit": r"longer than [\d,]+ bytes, the limit of --max-document-bytes",
    "value-limit": r"more than [\d,]+ JSON values, the limit of --max-json-values",
    "empty": r"the input is empty",
    "first-error-only": r"only its first schema error is listed",
    "har-entry": r"not a HAR entry: ",
    "har-log": r"not a HAR log: the entries are",
    "base64": r"marked as base64 but is not base64",
    "duplicate-key": r"appears more than once in this object",
    "dataset-version": r"has no datasetVersion",
    "day-option": r"eduv: --(as-of|between): '[^']*' is not a day",
    "short-quote": r"\.\.\. is not of type",
    "escaped": r"\\x1b\[",
    "malformed": r"malformed JSON",
    "valid": r"\b0 invalid, 0 skipped, 0 input errors",
}
# No case may show any of these.
FORBIDDEN = ("Traceback", "none was sent", "no such file or folder", "null is null", "\x1b[")


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    code: int
    message: str  # a key of MESSAGE_CLASSES
    stdin: bytes | None = None
    fifo: bytes | None = None  # written into the FIFO the args name, while it is read
    forbidden: tuple[str, ...] = field(default=FORBIDDEN)

    def pattern(self) -> re.Pattern[str]:
        return re.compile(MESSAGE_CLASSES[self.message])


def _example(message: str, api: str = "association-api", version: str = "1.1.0") -> Any:
    return copy.deepcopy(spec.schema(api, version, message)["examples"][0])


def _entry(url: Any, status: Any = 200, content: Any = None) -> dict[str, Any]:
    response: dict[str, Any] = {"status": status, "headers": []}
    if content is not None:
        response["content"] = content
    return {"request": {"method": "GET", "url": url, "headers": []}, "response": response}


def _har(entries: Any) -> bytes:
    return orjson.dumps({"log": {"version": "1.2", "entries": entries}})


def generate(folder: Path) -> list[Case]:
    """Write the corpus files into ``folder`` and return its cases."""
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, data: bytes) -> str:
        (folder / name).write_bytes(data)
        return str(folder / name)

    group = _example("Group")
    cases: list[Case] = []
    small = ("--max-document-bytes", "100000")

    # 1: endless or oversized input ends at the byte limit, whatever its shape.
    cases.append(Case("dev-zero", ("validate", "/dev/zero", *small), 2, "byte-limit"))
    zeros = b"\0" * 300_000
    cases.append(Case("stdin-zeros", ("validate", "-", *small), 2, "byte-limit", stdin=zeros))
    line = b"[" + b"0," * 100_000 + b"0]"
    lines = orjson.dumps(group) + b"\n" + line + b"\n" + orjson.dumps(group) + b"\n"
    cases.append(
        Case("long-line", ("validate", write("long.ndjson", lines), *small), 2, "line-limit")
    )
    cases.append(Case("stdin-long-line", ("validate", "-", *small), 2, "line-limit", stdin=lines))
    braces = b"[" + b"{}," * 60_000 + b"{}]"
    cases.append(
        Case("many-values", ("validate", write("braces.json", braces), "--max-json-values",
                             "50000"), 2, "value-limit")
    )  # fmt: skip
    padding = "".join(rng.choice("abcdefgh") for _ in range(200_000))
    big_string = orjson.dumps({**group, "groupName": padding})
    cases.append(Case("big-document", ("validate", write("big.json", big_string), *small), 2,
                      "byte-limit"))  # fmt: skip

    # 2: a message with tens of thousands of broken members lists its first error.
    broken = {**group, "students": [{"userMasterIdentifier": 5, "userIds": []}] * 30_000}
    cases.append(
        Case("broken-members", ("validate", write("members.json", orjson.dumps(broken))), 1,
             "first-error-only")
    )  # fmt: skip

    # 8: HAR files of the wrong shape are input errors, not skips.
    for name, entries in {
        "har-numbers": [1, 2.5, "x", None],
        "har-url-number": [_entry(12345)],
        "har-status-text": [_entry("https://x.example/association-api/v1/groups", "OK")],
        "har-no-response": [{"request": {"method": "GET", "url": "/x"}}],
    }.items():
        cases.append(Case(name, ("validate", write(f"{name}.har", _har(entries))), 2, "har-entry"))
    cases.append(Case("har-entries-text", ("validate", write("text.har", _har("all"))), 2,
                      "har-log"))  # fmt: skip
    url = "https://las.example.org/association-api/v1/groups/school/abc?orgMasterId=104A158"
    bad64 = _entry(url, 200, {"mimeType": "application/json", "text": "%%%", "encoding": "base64"})
    cases.append(Case("har-bad-base64", ("validate", write("b64.har", _har([bad64]))), 1,
                      "base64"))  # fmt: skip

    # 9: names repeated in an object are warnings with their pointers.
    text = orjson.dumps(group).replace(b'{"groupId"', b'{"groupType":"class","groupId"', 1)
    cases.append(Case("duplicate-file", ("validate", write("dup.json", text)), 0, "duplicate-key"))
    envelope = {"api": "association-api", "version": "1.1.0", "message": "Group", "payload": 0}
    raw = orjson.dumps(envelope).replace(b'"payload":0', b'"payload":' + text)
    cases.append(Case("duplicate-ndjson", ("validate", write("dup.ndjson", raw + b"\n" + raw)), 0,
                      "duplicate-key"))  # fmt: skip
    cases.append(Case("duplicate-stdin", ("validate", "-", "--no-rules"), 0, "duplicate-key",
                      stdin=raw + b"\n"))  # fmt: skip
    body = base64.b64encode(text).decode()
    dup_body = _entry(
        url, 200, {"mimeType": "application/json", "text": body, "encoding": "base64"}
    )
    cases.append(Case("duplicate-har-body", ("validate", write("dup.har", _har([dup_body]))), 0,
                      "duplicate-key"))  # fmt: skip

    # 10: messages that were misleading.
    cases.append(Case("dev-null", ("validate", "/dev/null"), 2, "empty"))
    fifo = folder / "pipe.json"
    if not fifo.exists():
        os.mkfifo(fifo)
    cases.append(Case("fifo", ("validate", str(fifo)), 0, "valid", fifo=orjson.dumps(group)))
    cases.append(Case("fifo-empty", ("validate", str(fifo)), 2, "empty", fifo=b""))
    for name, number in (("nan", b"NaN"), ("infinity", b"Infinity"), ("huge", b"1" + b"0" * 5000)):
        data = orjson.dumps(group).replace(b'"H3B"', number, 1)
        cases.append(Case(f"number-{name}", ("validate", write(f"{name}.json", data)), 2,
                          "malformed"))  # fmt: skip
    dataset = write("dataset.json", orjson.dumps({"datasetVersion": 1}))
    for option in (("--as-of", "2024-13-45"), ("--between", "2024-01-01", "2024-02-30")):
        cases.append(Case(f"day{option[0]}", ("validate", dataset, *option), 2, "day-option"))
    no_version = {"shapes": {}, "facts": {}, "schools": [], "students": [], "employees": []}
    cases.append(Case("dataset-without-version",
                      ("validate", write("noversion.json", orjson.dumps(no_version))), 2,
                      "dataset-version"))  # fmt: skip
    listed = {"datasetVersion": 1, "shapes": list(range(100)), "schools": []}
    cases.append(Case("list-for-object", ("validate", write("listed.json", orjson.dumps(listed))),
                      2, "short-quote"))  # fmt: skip

    # 11: escape sequences in file names and values never reach the terminal.
    name = write("esc\x1b[2J\x1b[31m.json", orjson.dumps({**group, "groupType": "\x9b31m"}))
    cases.append(Case("escape-in-name", ("validate", name), 1, "escaped"))
    cases.append(Case("escape-in-junit", ("validate", name, "-f", "junit"), 1, "escaped"))
    missing = str(folder / "\x1b[31mgone.json")
    allowed = tuple(f for f in FORBIDDEN if f != "no such file or folder")  # it is missing
    cases.append(Case("escape-missing", ("validate", missing), 2, "escaped", forbidden=allowed))
    return cases


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("bad-inputs")
    for case in generate(folder):
        print(f"{case.name:<26} exit {case.code}  {case.message:<18} {' '.join(case.args)!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
