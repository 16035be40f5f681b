"""Every case of the bad-input corpus through ``eduv validate``: exit code and message."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pytest

from tests.corpus.bad_inputs import Case, generate
from tests.sdk.conftest import Cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, Path]]:
    folder = tmp_path_factory.mktemp("bad-inputs")
    return {case.name: (case, folder) for case in generate(folder)}


def _names() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="eduv-bad-inputs-") as scratch:
        return [case.name for case in generate(Path(scratch))]


@pytest.mark.parametrize("name", _names())
def test_bad_input(cli: Cli, corpus: dict[str, tuple[Case, Path]], name: str) -> None:
    case, _ = corpus[name]
    writer = None
    if case.fifo is not None:
        fifo, data = case.args[1], case.fifo

        def feed() -> None:
            with open(fifo, "wb") as pipe:
                pipe.write(data)

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
    result = cli(*case.args, stdin=case.stdin)
    if writer is not None:
        writer.join(timeout=10)
    shown = result.out + result.err
    assert result.code == case.code, shown[-2000:]
    assert case.pattern().search(shown), shown[-2000:]
    for word in case.forbidden:
        assert word not in shown, (word, shown[-2000:])


def test_junit_output_stays_xml(cli: Cli, corpus: dict[str, tuple[Case, Path]]) -> None:
    import xml.etree.ElementTree as ET

    case, _ = corpus["escape-in-junit"]
    ET.fromstring(cli(*case.args).out)  # XML 1.0 cannot hold an escape character
