"""The provider configuration file and its schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from eduv.provider.config import ConfigError, config_from_json, load_config
from tests.conftest import REPO


def _documented_example() -> Any:
    text = (REPO / "docs" / "provider.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1]
    block = re.search(r"```json\n(.*?)```", section, re.S)
    assert block is not None
    return orjson.loads(block.group(1))


def test_the_documented_example_is_valid() -> None:
    config = config_from_json(_documented_example())
    portal = config.clients["portal"]
    assert portal.jwks_uri and portal.subscriber is not None
    assert portal.has_consent("104A158", "students-api")
    assert portal.has_consent("OIE_CODE:09QQ", "education-api")
    assert not portal.has_consent("OIE_CODE:09QQ", "students-api")
    assert config.clients["tester"].consented_schools("association-api") is None
    assert config.provisioning_token and config.delivery.batch_size == 100


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["clients"][1].pop("secret"), "clients/1"),
        (lambda d: d["clients"][0]["scopes"].append("Not A Scope"), "scopes"),
        (lambda d: d["clients"].append(dict(d["clients"][1])), "unique"),
        (lambda d: d.update(publicUrl="http://x.example/"), "publicUrl"),
        (
            lambda d: d["clients"][0]["notifications"].update(auth={"type": "bearer"}),
            "notifications",
        ),
    ],
)
def test_invalid_configurations_say_where(change: Any, message: str) -> None:
    doc = _documented_example()
    change(doc)
    with pytest.raises(ConfigError, match=message):
        config_from_json(doc)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such"):
        load_config(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(broken)
