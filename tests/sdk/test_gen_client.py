"""The generated client: not stale, deterministic, and complete."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from eduv import spec
from tools import gen_client


def test_generated_client_is_not_stale() -> None:
    assert gen_client.main(["--check"]) == 0, "run: python -m tools.gen_client"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    gen_client.generate(tmp_path / "a")
    gen_client.generate(tmp_path / "b")
    assert gen_client._same_tree(tmp_path / "a", tmp_path / "b") == []


def test_the_check_notices_a_hand_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "client"
    gen_client.generate(copy)
    target = copy / "association_api" / "v1_1_0.py"
    target.write_text(target.read_text().replace("def get_group(", "def fetch_group("))
    monkeypatch.setattr(gen_client, "OUT", copy)
    assert gen_client.main(["--check"]) == 1


@pytest.mark.parametrize(("api", "version"), [(a.id, v) for a in spec.apis() for v in a.versions])
def test_every_operation_has_a_sync_and_an_async_method(api: str, version: str) -> None:
    module = importlib.import_module(spec.module_name(api, version, "client"))
    for op in spec.operations(api, version):
        name = gen_client.snake(op.operation_id)
        sync = getattr(module.Api, name)
        asynchronous = getattr(module.AsyncApi, name)
        assert not inspect.iscoroutinefunction(sync) and inspect.iscoroutinefunction(asynchronous)
        parameters = set(inspect.signature(sync).parameters) - {"self", "body", "options"}
        assert parameters == set(op.parameter_in), (op.operation_id, parameters)


def test_standard_parameter_names_are_kept() -> None:
    from eduv.client.association_api.v1_1_0 import Api

    parameters = inspect.signature(Api.get_groups_for_school).parameters
    for name in (
        "orgMasterId",
        "orgId",
        "orgIdType",
        "filterByOrgId",
        "schoolPeriodId",
        "studyOfferingId",
        "subjectOfferingId",
    ):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(Api.get_group).parameters)[:2] == ["self", "id"]
