"""Build the validation benchmark corpus: envelope NDJSON from a committed recipe.

    python -m benchmarks.corpus [--out FILE] [--messages N]

The recipe (``benchmarks/corpus.json``: seed, message count, shares of message types,
of previous-version messages and of invalid ones) is committed; the data is not. It
is generated into the system's temporary folder on demand and reused while the recipe
is unchanged. Objects come from the seeded bulk dataset generator, so they are as
realistic as the rule engine's test data; the same recipe gives the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from eduv import spec
from eduv.dataset import convert_object
from eduv.testing.bulk import bulk_batches

RECIPE = Path(__file__).with_name("corpus.json")

Pools = dict[tuple[str, str], list[tuple[dict[str, Any], str | None]]]


def recipe() -> dict[str, Any]:
    found: dict[str, Any] = orjson.loads(RECIPE.read_bytes())
    return found


def default_path(messages: int | None = None) -> Path:
    """Where the corpus of the current recipe lives (named after the recipe's hash)."""
    digest = hashlib.sha256(RECIPE.read_bytes()).hexdigest()[:12]
    count = messages or recipe()["messages"]
    return Path(tempfile.gettempdir()) / "eduv-bench" / f"corpus-{digest}-{count}.ndjson"


def _pools(students: int, seed: int) -> Pools:
    """The objects of a bulk dataset per (api, component), with their school's sector."""
    pools: Pools = {}
    for part in bulk_batches(students, seed):
        sectors = [part.facts[s.key].sector if s.key in part.facts else None for s in part.schools]
        for where, coll, obj in part.iter_objects():
            sector = sectors[int(where.split("/")[2])] if coll.school_scoped else None
            pools.setdefault((coll.api, coll.component), []).append((obj, sector))
    return pools


def _break(
    payload: dict[str, Any], api: str, version: str, message: str, rng: random.Random
) -> None:
    required = [k for k in spec.schema(api, version, message).get("required", []) if k in payload]
    if required:
        del payload[rng.choice(sorted(required))]


def envelopes(messages: int | None = None) -> Iterator[bytes]:
    """The corpus lines, one envelope each."""
    plan = recipe()
    rng = random.Random(plan["seed"])
    pools = _pools(plan["sourceStudents"], plan["seed"])
    kinds = [tuple(k.split(" ")) for k in plan["proportions"]]
    weights = list(plan["proportions"].values())
    cursor = dict.fromkeys(pools, 0)
    for kind in rng.choices(kinds, weights, k=messages or plan["messages"]):
        api, component = kind
        pool = pools[(api, component)]
        obj, sector = pool[cursor[(api, component)] % len(pool)]
        cursor[(api, component)] += 1
        version = spec.api(api).current
        payload = obj
        if rng.random() < plan["previousShare"]:
            version = spec.api(api).previous
            payload = convert_object(api, component, obj, "down", sector)
        if rng.random() < plan["invalidShare"]:
            payload = dict(payload)
            _break(payload, api, version, component, rng)
        envelope = {"api": api, "version": version, "message": component, "payload": payload}
        yield orjson.dumps(envelope) + b"\n"


def ensure(path: Path | None = None, messages: int | None = None) -> Path:
    """The corpus file, written first when it does not exist yet."""
    target = path or default_path(messages)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with partial.open("wb") as handle:
        handle.writelines(envelopes(messages))
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the benchmark corpus.")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--messages", type=int, default=None)
    args = parser.parse_args(argv)
    path = ensure(args.out, args.messages)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
