"""The chain dataset format (spec/dataset/2): reading, writing, checking, converting."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduv import spec
from eduv.dataset import DatasetError
from eduv.dataset.chain import (
    ChainDataset,
    chain_apis,
    chain_collections,
    chain_dataset_from_json,
    chain_document_validator,
    convert_chain_dataset,
    load_chain_dataset,
    save_chain_dataset,
    supported_shapes,
    validate_chain_objects,
)
from eduv.dataset.chain.convert import chain_conversion_table, convert_chain_object
from eduv.dataset.chain.model import chain_schema
from eduv.dataset.chain.operations import Context, derived_id, known_chain_operations
from tests.chain.helpers import rich, seeded
from tests.chain.test_roles import CHAIN_APIS


def _resolve(doc: Any, pointer: str) -> Any:
    node = doc
    for part in pointer.split("/")[1:]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


# --------------------------------------------------------------------------- the format


def test_the_format_pins_t_and_t1_of_the_chain_apis() -> None:
    adopted = set(CHAIN_APIS) - {"course-api", "notifications-api"}
    assert set(chain_apis()) == adopted
    for api in chain_apis():
        assert supported_shapes(api) == spec.versions(api)


def test_every_collection_is_bound_to_its_message_in_both_versions() -> None:
    bindings = chain_schema()["allOf"]
    by_api = {next(iter(b["if"]["properties"]["shapes"]["properties"])): b for b in bindings}
    assert set(by_api) == set(chain_apis())
    for coll in chain_collections():
        binding = by_api[coll.api]
        current, previous = supported_shapes(coll.api)
        for branch, version in (("then", current), ("else", previous)):
            ref = binding[branch]["properties"][coll.name]["items"]["$ref"]
            assert ref == f"../../{coll.api}/{version}/{coll.component}.json", coll.name
            assert spec.message_kind(coll.api, version, coll.component) == "component"


def test_a_generated_chain_is_valid_and_survives_file_and_folder(tmp_path: Path) -> None:
    dataset = rich()
    assert validate_chain_objects(dataset) == []
    save_chain_dataset(dataset, tmp_path / "chain.json")
    save_chain_dataset(dataset, tmp_path / "chain", folder=True)
    assert (tmp_path / "chain" / "schools.ndjson").is_file()
    assert (tmp_path / "chain" / "entitlements.ndjson").is_file()
    for path in (tmp_path / "chain.json", tmp_path / "chain"):
        assert load_chain_dataset(path).to_json() == dataset.to_json()


def test_objects_are_listed_with_their_pointer_api_and_component() -> None:
    dataset = rich()
    document = dataset.to_json()
    collections = {c.name: c for c in chain_collections()}
    count = 0
    for pointer, api, component, obj in dataset.iter_objects():
        name = pointer.split("/")[1]
        assert (collections[name].api, collections[name].component) == (api, component)
        assert _resolve(document, pointer) is obj
        count += 1
    assert count == sum(v for k, v in dataset.count().items() if k != "schools")


def test_the_whole_document_schema_agrees_with_the_per_object_check() -> None:
    dataset = rich()
    validator = chain_document_validator()
    document = dataset.to_json()
    assert validator.is_valid(document)
    del document["entitlements"][3]["productId"]
    document["deliveryOrders"][1]["status"] = "shipped"
    broken = chain_dataset_from_json(document)
    per_object = {p.pointer for p in validate_chain_objects(broken)}
    assert {"/entitlements/3", "/deliveryOrders/1/status"} <= per_object
    whole = {
        "/" + "/".join(str(p) for p in e.instance_path) for e in validator.iter_errors(document)
    }
    assert {"/entitlements/3", "/deliveryOrders/1/status"} <= whole


def test_objects_are_checked_in_the_version_the_dataset_names() -> None:
    document = seeded(3).to_json()
    document["shapes"]["activationcode-api"] = supported_shapes("activationcode-api")[1]
    document.setdefault("activationCodeRequests", []).append(
        {"requestReferenceId": "r1", "productId": "9789402054958", "quantity": 3}
    )
    problems = validate_chain_objects(chain_dataset_from_json(document))
    assert any("schemaVersion" in p.message for p in problems)


# --------------------------------------------------------------------------- broken input


def _problems(doc: Any) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        chain_dataset_from_json(doc, "d.json")
    return [str(p) for p in caught.value.problems]


def test_a_format_1_dataset_is_named_as_such() -> None:
    [problem] = _problems({"datasetVersion": 1, "shapes": {}, "schools": []})
    assert "format-1" in problem and "load_dataset" in problem


def test_broken_documents_name_what_is_wrong_and_where() -> None:
    good = seeded(5).to_json()
    cases: list[tuple[Any, str]] = []
    no_shapes = copy.deepcopy(good)
    del no_shapes["shapes"]
    cases.append((no_shapes, "d.json: not a valid chain dataset"))
    old = copy.deepcopy(good)
    old["shapes"]["delivery-api"] = "0.9.1"
    cases.append((old, "d.json at /shapes/delivery-api"))
    stranger = copy.deepcopy(good)
    stranger["invoices"] = []
    cases.append((stranger, "invoices"))
    school = copy.deepcopy(good)
    school["schools"][0]["sector"] = "MBO"
    cases.append((school, "d.json at /schools/0/sector"))
    listed = copy.deepcopy(good)
    listed["products"] = {"productId": "x"}
    cases.append((listed, "d.json at /products"))
    for doc, expected in cases:
        found = _problems(doc)
        assert any(expected in p for p in found), (expected, found)


def test_a_folder_reports_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    save_chain_dataset(seeded(5), folder, folder=True)
    lines = (folder / "schools.ndjson").read_bytes().splitlines()
    school = orjson.loads(lines[-1])
    school["sector"] = "MBO"
    lines[-1] = orjson.dumps(school)
    (folder / "schools.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    (folder / "invoices.ndjson").write_bytes(b"{}\n")
    with pytest.raises(DatasetError) as caught:
        load_chain_dataset(folder)
    [unknown] = caught.value.problems
    assert unknown.source.endswith("invoices.ndjson")
    assert unknown.message.startswith("unknown collection")
    (folder / "invoices.ndjson").unlink()
    with pytest.raises(DatasetError) as caught:
        load_chain_dataset(folder)
    [wrong] = caught.value.problems
    assert f"schools.ndjson:{len(lines)} at /sector: " in str(wrong), str(wrong)


def test_a_folder_names_bad_json_and_missing_files(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    save_chain_dataset(seeded(5), folder, folder=True)
    (folder / "products.ndjson").write_bytes(b'{"productId": \n')
    (folder / "dataset.json").unlink()
    with pytest.raises(DatasetError) as caught:
        load_chain_dataset(folder)
    found = {(Path(p.source).name, p.line, p.message.split(":")[0]) for p in caught.value.problems}
    assert ("dataset.json", None, "missing file") in found
    assert ("products.ndjson", 1, "not valid JSON") in found
    with pytest.raises(DatasetError):
        load_chain_dataset(tmp_path / "nothing-here")


# --------------------------------------------------------------------------- conversion


def test_the_table_uses_only_known_operations_and_explains_every_step() -> None:
    table = chain_conversion_table()
    components = {(c.api, c.component) for c in chain_collections()}
    for api, entry in table["apis"].items():
        assert (entry["current"], entry["previous"]) == supported_shapes(api)
        for component, directions in entry["objects"].items():
            assert (api, component) in components, (api, component)
            for direction in ("down", "up"):
                for step in directions[direction]:
                    assert step["op"] in known_chain_operations(), step
                    assert step["op"] in table["operations"]
                    assert step["why"] and step["loses"], step
    assert set(table["operations"]) == known_chain_operations()


def test_converting_down_gives_valid_previous_version_objects() -> None:
    dataset = rich()
    down = convert_chain_dataset(dataset, "down")
    assert down.dataset.shapes == {api: supported_shapes(api)[1] for api in chain_apis()}
    assert validate_chain_objects(down.dataset) == []
    kinds = {p.why.split(":")[0] for p in down.left_out}
    assert "/deliveryType is school-admin" in kinds, kinds


@given(st.integers(0, 10_000))
def test_what_both_versions_express_survives_a_round_trip(seed: int) -> None:
    dataset = seeded(seed, within_previous=True)
    down = convert_chain_dataset(dataset, "down")
    assert down.left_out == []
    assert validate_chain_objects(down.dataset) == []
    up = convert_chain_dataset(down.dataset, "up")
    assert up.left_out == []
    assert up.dataset.to_json() == dataset.to_json()


@given(st.integers(0, 10_000))
def test_any_chain_converts_down_stably(seed: int) -> None:
    down = convert_chain_dataset(seeded(seed), "down").dataset
    up = convert_chain_dataset(down, "up")
    assert validate_chain_objects(up.dataset) == []
    again = convert_chain_dataset(up.dataset, "down").dataset
    assert again.to_json() == down.to_json()


def test_converting_a_dataset_already_in_the_target_shape_changes_nothing() -> None:
    dataset = seeded(2)
    result = convert_chain_dataset(dataset, "up")
    assert result.left_out == [] and result.dataset.to_json() == dataset.to_json()


def _context(dataset: ChainDataset | None = None) -> Context:
    return Context(dataset or ChainDataset(shapes={}), "down")


def test_an_order_of_several_lines_becomes_one_request_per_line() -> None:
    request = {
        "requestReferenceId": "5b0c1f0e-3f64-4c43-9d0c-6d2f1b7b9a10",
        "purchaseOrderId": "PO-1",
        "orderLines": [
            {"purchaseOrderLineId": "1", "productId": "9789402054958", "quantity": 3},
            {"purchaseOrderLineId": "2", "productId": "9789402054965", "quantity": 5},
        ],
    }
    confirmation = {
        "responseReferenceId": "9e1c9b1a-0d3b-4a55-8f3a-4d7d1b2c3e4f",
        "requestReferenceId": request["requestReferenceId"],
        "purchaseOrderId": "PO-1",
        "processedTimestamp": "2025-06-02T10:00:00Z",
        "orderStatus": "approved",
        "success": True,
        "status": 0,
        "orderConfirmationLines": [
            {"purchaseOrderLineId": "2", "productId": "9789402054965", "quantity": 5, "status": 0},
            {"purchaseOrderLineId": "1", "productId": "9789402054958", "quantity": 3, "status": 0},
        ],
    }
    context = _context()
    requests = convert_chain_object("order-api", "OrderRequest", request, "down", context)
    confirmations = convert_chain_object(
        "order-api", "OrderConfirmation", confirmation, "down", context
    )
    assert [r["productId"] for r in requests] == ["9789402054958", "9789402054965"]
    assert {r["requestReferenceId"] for r in requests} == {
        c["requestReferenceId"] for c in confirmations
    }
    assert requests[0]["requestReferenceId"] == derived_id(request["requestReferenceId"], "1")
    for message, component in (
        (requests[0], "OrderRequest"),
        (confirmations[0], "OrderConfirmation"),
    ):
        assert spec.validator("order-api", "0.9.1", component).is_valid(message)


def test_progress_without_a_known_pupil_cannot_be_read_back() -> None:
    report = {
        "id": "p1",
        "schemaVersion": "0.1.0",
        "eckId": "https://ketenid.nl/201703/" + "0" * 128,
        "assignableUnitId": "au1",
        "courseId": "c1",
        "status": "started",
        "timestamp": "2025-09-01T10:00:00Z",
    }
    dataset = ChainDataset(shapes={"progress-api": "0.0.1"}, objects={"progress": [report]})
    result = convert_chain_dataset(dataset, "up")
    assert result.dataset.objects["progress"] == []
    [problem] = result.left_out
    assert problem.where == "/progress/0" and "0 schools" in problem.why


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [
            v
            for k, v in node.items()
            if k in ("description", "why", "loses", "note") and isinstance(v, str)
        ]
        return found + [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


def test_the_format_and_the_conversion_table_are_written_fresh(reference: Path) -> None:
    from tests.chain.conftest import copied

    texts = _texts(chain_schema()) + _texts(chain_conversion_table())
    texts += list(chain_conversion_table()["operations"].values())
    found = [hits[0] for text in texts if (hits := copied(text, reference))]
    assert not found, found
