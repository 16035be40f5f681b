"""spec/chain/roles.json: valid, complete against the index, its citations hold, and
docs/chain.md shows it as it is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
import pytest

from eduv import spec
from tests.chain.conftest import copied, official, resolve
from tests.conftest import REPO
from tools import chaindoc

CHAIN_APIS = (
    "activationcode-api",
    "catalogue-api",
    "consent-api",
    "course-api",
    "delivery-api",
    "dpa-api",
    "entitlement-api",
    "notifications-api",
    "order-api",
    "progress-api",
    "results-api",
    "usage-api",
)


def _roles() -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads((spec.root() / "chain" / "roles.json").read_bytes())
    return data


def _operations() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for api, entry in _roles()["apis"].items():
        for version, ver in entry["versions"].items():
            for op_id, op in ver["operations"].items():
                yield api, version, op_id, op


def _parties(op: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("serves", "calls", "answers405"):
        yield from op[key]


def test_roles_validate_against_their_schema() -> None:
    schema = orjson.loads((spec.root() / "chain" / "roles.schema.json").read_bytes())
    validator = jsonschema_rs.validator_for(schema)
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(_roles())]
    assert not errors, "\n".join(errors[:20])


def test_every_chain_api_version_of_the_index_is_described() -> None:
    apis = _roles()["apis"]
    assert sorted(apis) == sorted(CHAIN_APIS)
    for api in CHAIN_APIS:
        assert sorted(apis[api]["versions"]) == sorted(spec.versions(api))


@pytest.mark.parametrize("api", CHAIN_APIS)
def test_every_operation_has_an_entry_and_no_entry_is_unknown(api: str) -> None:
    for version in spec.versions(api):
        described = _roles()["apis"][api]["versions"][version]["operations"]
        known = {op.operation_id: op for op in spec.operations(api, version)}
        assert sorted(described) == sorted(known), f"{api} {version}"
        for op_id, op in described.items():
            assert op["scopes"] == list(known[op_id].scopes), f"{api} {version} {op_id}"


def test_component_codes_and_paired_operations_exist() -> None:
    roles = _roles()
    components = roles["components"]
    for api, version, op_id, op in _operations():
        where = f"{api} {version} {op_id}"
        for party in _parties(op):
            assert party["component"] in components, where
        involved = {p["component"] for p in op["calls"] + op["serves"]}
        assert set(op["consent"].get("for", ())) <= involved, where
        siblings = roles["apis"][api]["versions"][version]["operations"]
        assert set(op.get("pairedWith", ())) <= set(siblings), where
        if op["pattern"] == "request-confirmation":
            assert op.get("pairedWith"), f"{where}: a request needs its confirmation"


def test_servers_and_405_answerers_are_kept_apart() -> None:
    for api, version, op_id, op in _operations():
        served = {p["component"] for p in op["serves"]}
        refused = {p["component"] for p in op["answers405"]}
        assert not served & refused, f"{api} {version} {op_id}"


def test_the_delivery_reads_are_served_by_one_component_and_refused_by_another() -> None:
    for version in spec.versions("delivery-api"):
        op = _roles()["apis"]["delivery-api"]["versions"][version]["operations"][
            "get-delivery-order"
        ]
        assert [p["component"] for p in op["serves"]] == ["BO"]
        assert [p["component"] for p in op["answers405"]] == ["AM"]
        assert "AM" in {p["component"] for p in op["calls"]}


def _refs(reference: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    roles = _roles()
    for code, comp in roles["components"].items():
        for ref in comp["refs"]:
            yield f"component {code}", comp["name"], ref
    for api, version, op_id, op in _operations():
        for party in _parties(op):
            name = roles["components"][party["component"]]["name"]
            for ref in party["refs"]:
                yield f"{api} {version} {op_id}", name, ref
        for ref in op["consent"].get("refs", ()):
            yield f"{api} {version} {op_id} consent", "onsent", ref


def test_every_citation_names_what_it_is_cited_for(reference: Path) -> None:
    """A pointer must resolve in the official document and its text must name the
    component (or mention consent); YAML comments and wiki notes are only checked for
    existence."""
    wrong = []
    for where, name, ref in _refs(reference):
        if "notes" in ref:
            text = (reference / "notes" / ref["notes"]).read_text(encoding="utf-8")
            if f"## {ref['section'].split(' ')[0]}" not in text:
                wrong.append(f"{where}: no section {ref['section']} in {ref['notes']}")
            continue
        try:
            node = resolve(official(ref["api"], ref["version"]), ref["pointer"])
        except (KeyError, IndexError):
            wrong.append(f"{where}: {ref['api']} {ref['version']} has no {ref['pointer']}")
            continue
        if not ref.get("comment") and name not in str(node):
            wrong.append(f"{where}: {ref['pointer']} does not mention {name}")
    assert not wrong, "\n".join(wrong[:20])


def _own_prose() -> Iterator[tuple[str, str]]:
    roles = _roles()
    yield "roles description", roles["description"]
    for code, comp in roles["components"].items():
        yield f"component {code}", comp["gloss"]["en"]
    for name, text in roles["patterns"].items():
        yield f"pattern {name}", text["en"]
    for api, entry in roles["apis"].items():
        yield f"{api} summary", entry["summary"]["en"]
    for api, version, op_id, op in _operations():
        for party in _parties(op):
            if "note" in party:
                yield f"{api} {version} {op_id}", party["note"]
        for holder in (op, op["consent"]):
            if "note" in holder:
                yield f"{api} {version} {op_id}", holder["note"]
    yield "docs/chain.md", (REPO / "docs" / "chain.md").read_text(encoding="utf-8")


def test_prose_is_written_fresh(reference: Path) -> None:
    found = [
        f"{where}: '{hits[0]}'" for where, text in _own_prose() if (hits := copied(text, reference))
    ]
    assert not found, "\n".join(found)


def test_the_generated_part_of_the_chain_page_is_in_step() -> None:
    assert chaindoc.main(["--check"]) == 0


def test_the_generator_notices_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = (REPO / "docs" / "chain.md").read_text(encoding="utf-8")
    stale = tmp_path / "chain.md"
    stale.write_text(page.replace("| `get-delivery-order` |", "| `get-deliveryorder` |"), "utf-8")
    monkeypatch.setattr(chaindoc, "DOC", stale)
    monkeypatch.setattr(chaindoc, "REPO", tmp_path)
    assert chaindoc.main(["--check"]) == 1
    assert chaindoc.main([]) == 0
    assert stale.read_text(encoding="utf-8") == page
