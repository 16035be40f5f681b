"""The chain reads of the reference provider: Catalogue (as LC), Delivery (as BO),
Entitlement (as AM), Usage (as LR), Consent (as CM, profile Bron) and DPA (as VR), at t
and t-1, with
scopes, consent, 405 for the other side's operations, and chain datasets loaded whole,
in either shape, or provisioned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from eduv import spec
from eduv.dataset.chain import ChainDataset, convert_chain_dataset, save_chain_dataset
from eduv.dataset.model import Dataset
from eduv.provider.chain.store import load_chain
from eduv.provider.roles import chain_apis, serves
from eduv.provider.routes import ROUTES
from eduv.provider.versions import mounts
from tests.provider.harness import Provider, client, config, running, small_chain

ENTITLOR = "eduv.delivery.entitlor"


@pytest.fixture(scope="module")
def chain(dataset: Dataset) -> ChainDataset:
    return small_chain(dataset)


@pytest.fixture
def provider(engine: Engine, dataset: Dataset, chain: ChainDataset) -> Iterator[Provider]:
    load_chain(engine, chain)
    without = chain.schools[-1].key
    cfg = config(
        [
            client("full"),
            client("portal", scopes=["eduv.delivery.portal", "eduv.entitlement.portal"]),
            client("entitlor", scopes=[ENTITLOR, "eduv.usage.entitlor"]),
            client("no-consent", consents=[{"school": "*"}, {"school": without, "apis": []}]),
        ]
    )
    with running(engine, cfg, dataset=dataset, deliver=False) as found:
        yield found


def _usage_holder(chain: ChainDataset) -> tuple[str, dict[str, Any]]:
    """A school and a person a usage entry names."""
    for report in chain.objects["deliveryOrderUsage"]:
        for entry in report["entitlements"]:
            school = entry.get("school", {}).get("organisationMasterIdentifier")
            if school and "user" in entry:
                return school, entry["user"]
    raise AssertionError("no usage of a person at a school")


def _order_holder(chain: ChainDataset) -> tuple[str, dict[str, Any]]:
    """A school and a person a delivery order there names."""
    order = next(o for o in chain.objects["deliveryOrders"] if any(_named(o)))
    school = order["deliverySpecification"].get("school") or order["buyer"]
    return school["organisationMasterIdentifier"], next(p for p in _named(order) if p)


def _reported_contract(chain: ChainDataset) -> str:
    """A contract with a delivery order whose usage is reported."""
    reported = {r["deliveryOrderId"] for r in chain.objects["deliveryOrderUsage"]}
    return next(
        str(o["contractId"])
        for o in chain.objects["deliveryOrders"]
        if "contractId" in o and o["deliveryOrderId"] in reported
    )


def _consent(chain: ChainDataset, api: str) -> dict[str, Any]:
    """The first accepted consent for ``api`` of a school known by its RIO code."""
    return next(
        c
        for c in chain.objects["consents"]
        if c["api"] == api
        and c["providerStatus"] == "accepted"
        and "organisationMasterIdentifier" in c["school"]
    )


def _school_with(chain: ChainDataset, collection: str) -> str:
    if collection == "deliveryOrderUsage":
        return _usage_holder(chain)[0]
    counts: dict[str, int] = {}
    for obj in chain.objects[collection]:
        spec_ = obj.get("deliverySpecification") or obj.get("entitlementSpecification") or {}
        key = spec_.get("school", {}).get("organisationMasterIdentifier")
        if key:
            counts[key] = counts.get(key, 0) + 1
    return max(counts, key=lambda k: counts[k])


def _holder(chain: ChainDataset) -> tuple[str, dict[str, Any]]:
    """A school and a person an entitlement there is for."""
    for entitlement in chain.objects["entitlements"]:
        specification = entitlement.get("entitlementSpecification", {})
        school = specification.get("school", {}).get("organisationMasterIdentifier")
        person = specification.get("student") or specification.get("employee")
        if school and person:
            return school, person
    raise AssertionError("no entitlement for a person at a school")


def _request(chain: ChainDataset, op: spec.Operation) -> tuple[str, dict[str, Any], Any]:
    """A path, query and body naming existing data for a served chain read."""
    route = ROUTES[op.operation_id]
    path, query, body = op.path, {}, None
    if route.kind == "chain-user":
        holders = {"deliveryOrderUsage": _usage_holder, "deliveryOrders": _order_holder}
        school, person = holders.get(route.target, _holder)(chain)
        body = {"school": {"organisationMasterIdentifier": school}, "user": person}
    if route.kind == "chain-school":
        query = {"orgMasterId": _school_with(chain, route.target)}
    if route.kind.startswith("consents"):
        consent = _consent(chain, "entitlement-api")
        school = consent["school"]["organisationMasterIdentifier"]
        path = path.replace("{api}", "entitlement-api").replace("{edu_org_id}", school)
        if route.kind == "consents-school" and "{" not in op.path:
            query = {"orgMasterId": school}
    if route.kind.startswith("agreement"):
        agreement = chain.objects["agreements"][0]
        query = {k: agreement[k] for k in ("supplierOin", "boardId", "ecosystem")}
    if "{id}" in path:
        if route.kind == "chain-get":
            member = {
                "products": "productId",
                "productInfo": "productId",
                "deliveryOrders": "deliveryOrderId",
                "deliveryOrderUsage": "deliveryOrderId",
            }.get(route.target, "entitlementId")
            value = chain.objects[route.target][0][member]
        elif route.kind == "chain-part":
            value = chain.objects["deliveryOrderUsage"][0]["entitlements"][0]["entitlementId"]
        elif "contract" in op.path and route.target == "deliveryOrderUsage":
            value = _reported_contract(chain)
        elif "contract" in op.path:
            value = next(
                o["contractId"] for o in chain.objects["deliveryOrders"] if "contractId" in o
            )
        else:
            value = chain.objects["entitlements"][0]["deliveryOrderId"]
        path = path.replace("{id}", str(value))
    return path, query, body


def _chain_reads() -> Iterator[Any]:
    for mount in mounts():
        if mount.api not in chain_apis():
            continue
        for version in mount.versions:
            for op in spec.operations(mount.api, version):
                if serves(op) and ROUTES[op.operation_id].kind != "chain-write":
                    yield pytest.param(mount.prefix, version, op, id=f"{version}-{op.operation_id}")


@pytest.mark.parametrize(("prefix", "version", "op"), list(_chain_reads()))
def test_every_chain_read_answers_valid_messages(
    provider: Provider, chain: ChainDataset, prefix: str, version: str, op: spec.Operation
) -> None:
    path, query, json = _request(chain, op)
    with provider.http(provider.token()) as http:
        answer = http.request(
            op.method, prefix + path, params=query, json=json, headers={"API-Version": version}
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["API-Version"] == version
    body = op.success[1]
    assert body is not None
    items = answer.json() if body.array else [answer.json()]
    assert items, f"{op.operation_id} returned nothing for data that exists"
    validator = spec.validator(op.api, version, body.message)
    for item in items:
        assert not [e.message for e in validator.iter_errors(item)]


def test_the_other_sides_operations_answer_405(provider: Provider) -> None:
    with provider.http(provider.token()) as http:
        # The order system does not take confirmations, the entitlement manager does not
        # take entitlements, the licence registry does not take code confirmations.
        delivery = http.put("/order-api/v0/orders/confirmations", json={})
        entitlement = http.put("/entitlement-api/v1/entitlements", json={})
        usage = http.put("/activationcode-api/v0/activationcodes/confirmations", json={})
        # A source plays the Consent API's profile Bron: the consumer's endpoints are not
        # its own, at t and at t-1.
        consent = [
            http.put("/consent-api/v0/consent/notifications", json={}),
            http.put("/consent-api/v0/consent/confirmations", json={}),
            http.get("/consent-api/v0/consent/requests"),
            http.get("/consent-api/v0/consent/confirmations"),
            http.put(
                "/consent-api/v0/consentnotifications", json={}, headers={"API-Version": "0.0.2"}
            ),
        ]
    for answer in (delivery, entitlement, usage, *consent):
        assert answer.status_code == 405, answer.text
        assert answer.json()["status"] == 99
        assert "Allow" in answer.headers and answer.headers["API-Version"]


def test_scopes_unknown_schools_and_unknown_objects(
    provider: Provider, chain: ChainDataset
) -> None:
    school = _school_with(chain, "deliveryOrders")
    with provider.http(provider.token("entitlor")) as http:
        # The entitlement manager may read a delivery order, not a school's list of them.
        listed = http.get("/delivery-api/v2/deliveryorders/school", params={"orgMasterId": school})
        catalogue = http.get("/catalogue-api/v2/products")
    with provider.http(provider.token()) as http:
        unknown = http.get(
            "/delivery-api/v2/deliveryorders/school", params={"orgMasterId": "999Z999"}
        )
        missing = http.get("/entitlement-api/v1/entitlements/deliveryorder/none-such")
        product = http.get("/catalogue-api/v2/products/none-such")
    assert (listed.status_code, listed.json()["status"]) == (403, 21)
    assert (catalogue.status_code, catalogue.json()["status"]) == (403, 21)
    assert (unknown.status_code, unknown.json()["status"]) == (400, 23)
    assert missing.status_code == 404 and product.status_code == 404


def test_consent_as_the_texts_ask_for_it(provider: Provider, chain: ChainDataset) -> None:
    without = chain.schools[-1].key
    order = next(
        o
        for o in chain.objects["deliveryOrders"]
        if o.get("deliverySpecification", {}).get("school", {}).get("organisationMasterIdentifier")
        == without
    )
    path = f"/delivery-api/v2/deliveryorders/{order['deliveryOrderId']}"
    with provider.http(provider.token("no-consent")) as http:
        listed = http.get("/delivery-api/v2/deliveryorders/school", params={"orgMasterId": without})
        as_portal = http.get(path)  # every scope, the portal's among them: no consent needed
        products = http.get("/catalogue-api/v2/products")
    with provider.http(provider.token("entitlor")) as http:
        as_entitlor = http.get(path)
    assert (listed.status_code, listed.json()["status"]) == (403, 22)
    assert as_portal.status_code == 200 and as_entitlor.status_code == 200
    assert products.status_code == 200


def test_since_keeps_the_products_changed_after_it(provider: Provider, chain: ChainDataset) -> None:
    moments = sorted(p["dateLastModified"] for p in chain.objects["products"])
    middle = moments[len(moments) // 2]
    with provider.http(provider.token()) as http:
        answer = http.get("/catalogue-api/v2/products", params={"since": middle})
        bad = http.get("/catalogue-api/v2/products", params={"since": "yesterday"})
    assert answer.status_code == 200
    assert {p["productId"] for p in answer.json()} == {
        p["productId"] for p in chain.objects["products"] if p["dateLastModified"] > middle
    }
    assert bad.status_code == 400


def test_a_chain_dataset_in_the_previous_shapes_is_stored_in_the_current_ones(
    sqlite_engine: Engine, chain: ChainDataset
) -> None:
    previous = convert_chain_dataset(chain, "down").dataset
    summary = load_chain(sqlite_engine, previous)
    assert summary.objects["products"] == len(previous.objects["products"])


def test_provisioning_replaces_the_chain(provider: Provider, chain: ChainDataset) -> None:
    smaller = ChainDataset(
        shapes=chain.shapes,
        schools=chain.schools,
        objects={"products": chain.objects["products"][:2]},
        catalogue_provider=chain.catalogue_provider,
    )
    with provider.provisioning() as http:
        answer = http.put("/provisioning/chain", json=smaller.to_json())
        bad = http.put("/provisioning/chain", json={"datasetVersion": 2})
    assert answer.status_code == 200, answer.text
    assert bad.status_code == 400
    with provider.http(provider.token()) as http:
        products = http.get("/catalogue-api/v2/products").json()
        orders = http.get(
            "/delivery-api/v2/deliveryorders/school",
            params={"orgMasterId": _school_with(chain, "deliveryOrders")},
        ).json()
    assert len(products) == 2 and orders == []


def test_load_takes_a_chain_dataset(tmp_path: Path, chain: ChainDataset) -> None:
    from eduv.provider import cli

    folder = tmp_path / "chain"
    save_chain_dataset(chain, folder, folder=True)
    database = f"sqlite:///{tmp_path / 'provider.db'}"
    result = CliRunner().invoke(cli.app, ["load", str(folder), "--database", database])
    assert result.exit_code == 0, result.output
    assert "chain" in result.output


def test_a_database_of_the_first_schema_gains_the_chain_tables(
    tmp_path: Path, chain: ChainDataset
) -> None:
    from sqlalchemy import insert

    from eduv.provider import schema
    from eduv.provider.db import MIGRATIONS, make_engine, migrate, utc_now, writing
    from eduv.provider.schema import CHAIN_TABLES

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    first = [t for t in schema.metadata.sorted_tables if t not in CHAIN_TABLES]
    with writing(engine) as conn:  # what a provider before the chain wrote
        schema.metadata.create_all(conn, tables=first)
        conn.execute(
            insert(schema.migrations).values(version=1, name="initial tables", applied_at=utc_now())
        )
    assert migrate(engine) == MIGRATIONS[-1].version
    assert load_chain(engine, chain).objects["products"] == len(chain.objects["products"])
    engine.dispose()


def test_migration_3_links_stored_usage_reports_to_their_delivery_orders(
    engine: Engine, chain: ChainDataset
) -> None:
    """A chain loaded before migration 3 kept usage reports without delivery order,
    school or contract; the migration fills them in as a load now does."""
    from sqlalchemy import delete, select, update

    from eduv.provider import schema
    from eduv.provider.db import MIGRATIONS, migrate, writing

    load_chain(engine, chain)
    t = schema.chain_objects
    columns = (t.c.obj_id, t.c.delivery_order, t.c.school_key, t.c.contract)
    usage = t.c.collection == "deliveryOrderUsage"
    with engine.connect() as conn:
        loaded = sorted(conn.execute(select(*columns).where(usage)).all())
    with writing(engine) as conn:  # as version 2 stored them
        conn.execute(update(t).where(usage).values(delivery_order=None, school_key=None))
        conn.execute(update(t).where(usage).values(contract=None))
        conn.execute(delete(schema.migrations).where(schema.migrations.c.version >= 3))
    assert migrate(engine) == MIGRATIONS[-1].version
    with engine.connect() as conn:
        migrated = sorted(conn.execute(select(*columns).where(usage)).all())
    assert migrated == loaded
    assert all(row.school_key for row in migrated)


def test_school_list_filters(provider: Provider, chain: ChainDataset) -> None:
    """Each filter gives what the school's whole list holds that matches it."""
    school = _school_with(chain, "entitlements")
    path = "/entitlement-api/v1/entitlements/school"
    with provider.http(provider.token()) as http:
        everything = http.get(path, params={"orgMasterId": school}).json()
        first = everything[0]
        for name, member in (
            ("deliveryOrderId", "deliveryOrderId"),
            ("entitlementStatus", "entitlementStatus"),
        ):
            query = {"orgMasterId": school, name: first[member]}
            found = {e["entitlementId"] for e in http.get(path, params=query).json()}
            wanted = {e["entitlementId"] for e in everything if e.get(member) == first[member]}
            assert found == wanted, name
        orders = "/delivery-api/v2/deliveryorders/school"
        school = _school_with(chain, "deliveryOrders")
        listed = http.get(orders, params={"orgMasterId": school}).json()
        for name in ("status", "deliveryType"):
            query = {"orgMasterId": school, name: listed[0][name]}
            found = {o["deliveryOrderId"] for o in http.get(orders, params=query).json()}
            wanted = {o["deliveryOrderId"] for o in listed if o[name] == listed[0][name]}
            assert found == wanted, name


def test_a_persons_entitlements_and_products(provider: Provider, chain: ChainDataset) -> None:
    school, person = _holder(chain)
    body = {"school": {"organisationMasterIdentifier": school}, "user": person}
    stranger = {"school": body["school"], "user": {"userMasterIdentifier": "nobody"}}
    with provider.http(provider.token()) as http:
        held = http.post("/entitlement-api/v1/entitlements/school/user", json=body).json()
        products = http.post("/entitlement-api/v1/entitlements/school/user/products", json=body)
        none = http.post("/entitlement-api/v1/entitlements/school/user", json=stranger).json()
    assert held and none == []
    for entitlement in held:
        specification = entitlement["entitlementSpecification"]
        assert person in (specification.get("student"), specification.get("employee"))
    assert [p["entitlementId"] for p in products.json()] == [e["entitlementId"] for e in held]
    assert all("entitlementSpecification" not in p for p in products.json())


def _named(order: dict[str, Any]) -> list[Any]:
    specification = order.get("deliverySpecification", {})
    one = [specification.get(m) for m in ("student", "employee")]
    return [*one, *specification.get("students", []), *specification.get("employees", [])]


def test_a_persons_delivery_orders(provider: Provider, chain: ChainDataset) -> None:
    """The delivery orders at the school whose specification names the person."""
    order = next(o for o in chain.objects["deliveryOrders"] if any(_named(o)))
    school, person = _order_holder(chain)
    body = {"school": {"organisationMasterIdentifier": school}, "user": person}
    path = "/delivery-api/v2/deliveryorders/school/user"
    with provider.http(provider.token()) as http:
        mine = http.post(path, json=body)
        narrowed = http.post(path, json=body, params={"status": order["status"]}).json()
        stranger = http.post(path, json={**body, "user": {"userMasterIdentifier": "nobody"}})
    assert mine.status_code == 200, mine.text
    assert order["deliveryOrderId"] in {o["deliveryOrderId"] for o in mine.json()}
    assert all(person in _named(o) for o in mine.json())
    assert {o["deliveryOrderId"] for o in narrowed} == {
        o["deliveryOrderId"] for o in mine.json() if o["status"] == order["status"]
    }
    assert stranger.json() == []


USAGE = "/usage-api/v1/usage"


def test_usage_views_hold_the_same_entries(provider: Provider, chain: ChainDataset) -> None:
    """Per school, delivery order, entitlement, contract and person: one set of entries,
    with totals that count them."""
    school, person = _usage_holder(chain)
    with provider.http(provider.token()) as http:
        overview = http.get(f"{USAGE}/school", params={"orgMasterId": school}).json()
        held = {e["entitlementId"]: e for e in overview["entitlements"]}
        first = overview["entitlements"][0]
        entry = http.get(f"{USAGE}/entitlements/{first['entitlementId']}").json()
        order = http.get(f"{USAGE}/deliveryorders/{overview['deliveryOrderId']}").json()
        body = {"school": {"organisationMasterIdentifier": school}, "user": person}
        mine = http.post(f"{USAGE}/school/user", json=body).json()
        stranger = {**body, "user": {"userMasterIdentifier": "nobody"}}
        none = http.post(f"{USAGE}/school/user", json=stranger).json()
        contract = http.get(f"{USAGE}/contracts/{_reported_contract(chain)}")
        unknown = http.get(f"{USAGE}/entitlements/none-such")
        no_contract = http.get(f"{USAGE}/contracts/none-such")
    assert entry == first
    assert all(held[e["entitlementId"]] == e for e in order["entitlements"])
    assert none == [] and len(mine) == 1
    assert all(e["user"] == person for e in mine[0]["entitlements"])
    licensed = sum(e["entitlementStatus"] == "licensed" for e in mine[0]["entitlements"])
    assert mine[0]["totalLicensed"] == licensed
    total = sum(overview.get(f"total{s}", 0) for s in ("Entitled", "Licensed", "Cancelled"))
    assert total + overview.get("totalBlocked", 0) == len(overview["entitlements"])
    assert contract.status_code == 200, contract.text
    assert unknown.status_code == 404 and no_contract.status_code == 404


def test_usage_scopes_and_consent(provider: Provider, chain: ChainDataset) -> None:
    school, _ = _usage_holder(chain)
    without = chain.schools[-1].key
    with provider.http(provider.token("entitlor")) as http:
        # The entitlement manager reads usage per contract, not a school's overview.
        refused = http.get(f"{USAGE}/school", params={"orgMasterId": school})
    with provider.http(provider.token("no-consent")) as http:
        listed = http.get(f"{USAGE}/school", params={"orgMasterId": without})
    with provider.http(provider.token()) as http:
        unknown = http.get(f"{USAGE}/school", params={"orgMasterId": "999Z999"})
    assert (refused.status_code, refused.json()["status"]) == (403, 21)
    assert (listed.status_code, listed.json()["status"]) == (403, 22)
    assert (unknown.status_code, unknown.json()["status"]) == (400, 23)


CONSENT = "/consent-api/v0"


def _latest_per_api(chain: ChainDataset, school: str) -> dict[str, dict[str, Any]]:
    """Per API, the last consent the dataset registers for ``school``."""
    found: dict[str, dict[str, Any]] = {}
    for consent in chain.objects["consents"]:
        if consent["school"].get("organisationMasterIdentifier") == school:
            found[consent["api"]] = consent
    return found


def test_consent_statuses_all_and_per_school(provider: Provider, chain: ChainDataset) -> None:
    """All consents, the api filter, and per school the most recent one per API (or the
    registrations a reference names); an unknown school is 400/23."""
    consent = _consent(chain, "usage-api")
    school = consent["school"]["organisationMasterIdentifier"]
    with provider.http(provider.token()) as http:
        everything = http.get(f"{CONSENT}/consent/statuses").json()
        usage = http.get(f"{CONSENT}/consent/statuses", params={"api": "usage-api"}).json()
        mine = http.get(f"{CONSENT}/consent/statuses/school", params={"orgMasterId": school})
        by_ref = http.get(
            f"{CONSENT}/consent/statuses/school",
            params={"orgMasterId": school, "providerReferenceId": consent["providerReferenceId"]},
        ).json()
        by_consumer = http.get(
            f"{CONSENT}/consent/statuses/school",
            params={"orgMasterId": school, "consumerReferenceId": consent["consumerReferenceId"]},
        ).json()
        later = http.get(
            f"{CONSENT}/consent/statuses", params={"since": "2999-01-01T00:00:00Z"}
        ).json()
        unknown = http.get(f"{CONSENT}/consent/statuses/school", params={"orgMasterId": "999Z999"})
    assert everything == chain.objects["consents"]
    assert usage == [c for c in chain.objects["consents"] if c["api"] == "usage-api"]
    assert mine.status_code == 200, mine.text
    assert sorted(mine.json(), key=str) == sorted(_latest_per_api(chain, school).values(), key=str)
    assert by_ref == [consent] and by_consumer == [consent]
    # A consent carries no moment of change: every one counts as changed after since.
    assert later == everything
    assert (unknown.status_code, unknown.json()["status"]) == (400, 23)


def test_consent_statuses_at_t_minus_1(provider: Provider, chain: ChainDataset) -> None:
    """0.0.2 takes the API (and the school) in the path and answers one consent per
    school, in its own shapes; a consent for an API 0.0.2 does not know is left out."""
    consent = _consent(chain, "entitlement-api")
    school = consent["school"]["organisationMasterIdentifier"]
    old = {"API-Version": "0.0.2"}
    with provider.http(provider.token()) as http:
        listed = http.get(f"{CONSENT}/consentstatuses/entitlement-api", headers=old)
        one = http.get(f"{CONSENT}/consentstatuses/entitlement-api/{school}", headers=old)
        delivery = http.get(f"{CONSENT}/consentstatuses/delivery-api", headers=old)
    assert listed.status_code == 200, listed.text
    assert {c["providerReferenceId"] for c in listed.json()} == {
        c["providerReferenceId"] for c in chain.objects["consents"] if c["api"] == "entitlement-api"
    }
    assert one.status_code == 200, one.text
    assert one.json()["edu_org_id"] == school and one.json()["schemaVersion"] == "0.0.2"
    assert (
        one.json()["providerReferenceId"]
        == (_latest_per_api(chain, school)["entitlement-api"]["providerReferenceId"])
    )
    assert delivery.status_code == 400  # not an API 0.0.2 names


def test_consent_scope_and_no_school_consent_needed(
    provider: Provider, chain: ChainDataset
) -> None:
    """The Consent API takes its own scope and asks no consent of the school: it is how
    consent is given."""
    without = chain.schools[-1].key
    with provider.http(provider.token("portal")) as http:
        refused = http.get(f"{CONSENT}/consent/statuses")
    with provider.http(provider.token("no-consent")) as http:
        listed = http.get(f"{CONSENT}/consent/statuses/school", params={"orgMasterId": without})
    assert (refused.status_code, refused.json()["status"]) == (403, 21)
    assert listed.status_code == 200, listed.text


def test_migration_4_gives_stored_consents_their_columns(
    engine: Engine, chain: ChainDataset
) -> None:
    """A chain loaded before migration 4 kept consents without school, API, status or
    references, and the table had no column for the consumer's reference; the migration
    adds it and fills them in as a load now does."""
    from sqlalchemy import delete, select, text, update

    from eduv.provider import schema
    from eduv.provider.db import MIGRATIONS, migrate, writing

    load_chain(engine, chain)
    t = schema.chain_objects
    columns = (t.c.obj_id, t.c.school_key, t.c.kind, t.c.status, t.c.reference)
    consents = t.c.collection == "consents"
    with engine.connect() as conn:
        loaded = sorted(conn.execute(select(*columns).where(consents)).all(), key=str)
    with writing(engine) as conn:  # as version 3 stored them
        blank = dict.fromkeys(("obj_id", "school_key", "kind", "status"))
        conn.execute(update(t).where(consents).values(**blank))
        conn.execute(text("ALTER TABLE chain_objects DROP COLUMN reference"))
        conn.execute(delete(schema.migrations).where(schema.migrations.c.version >= 4))
    assert migrate(engine) == MIGRATIONS[-1].version
    with engine.connect() as conn:
        migrated = sorted(conn.execute(select(*columns).where(consents)).all(), key=str)
    assert migrated == loaded
    assert all(row.school_key and row.kind and row.status for row in migrated)


def _uncovered(version: str, listed: list[str]) -> str:
    """A data service of ``version``'s list that ``listed`` leaves out."""
    prop = spec.schema("dpa-api", version, "GET /agreements.parameters")["properties"]
    return next(s for s in prop["data_services"]["items"]["enum"] if s not in listed)


@pytest.mark.parametrize("version", spec.versions("dpa-api"))
def test_the_register_answers_for_the_services_asked(
    provider: Provider, chain: ChainDataset, version: str
) -> None:
    stored = chain.objects["agreements"][0]
    asked = {k: stored[k] for k in ("supplierOin", "boardId", "ecosystem")}
    headers = {"API-Version": version}
    with provider.http(provider.token()) as http:
        whole = http.get("/dpa-api/v0/agreements/self", params=asked, headers=headers)
        listed = whole.json()["dataServices"]
        other = _uncovered(version, listed)
        covered = {**asked, "data_services": listed[:2]}
        uncovered = {**asked, "data_services": [listed[0], other]}
        found = http.get("/dpa-api/v0/agreements/self", params=covered, headers=headers)
        missing = http.get("/dpa-api/v0/agreements/self", params=uncovered, headers=headers)
        valid = http.get("/dpa-api/v0/agreements", params=covered, headers=headers)
        invalid = http.get("/dpa-api/v0/agreements", params=uncovered, headers=headers)
        stranger = {**asked, "supplierOin": "0" * 20}
        nobody = http.get("/dpa-api/v0/agreements", params=stranger, headers=headers)
    assert whole.status_code == 200 and whole.json()["agreementId"] == stored["agreementId"]
    assert found.status_code == 200 and found.json() == whole.json()
    assert (missing.status_code, missing.json()["status"]) == (404, 99)
    # the verification repeats the question, the services asked included
    assert valid.json() == {
        **asked,
        "dataServices": listed[:2],
        "valid": True,
        **({} if version == spec.api("dpa-api").current else {"schemaVersion": version}),
    }
    assert invalid.json()["valid"] is False
    assert invalid.json()["dataServices"] == [listed[0], other]
    assert nobody.status_code == 200 and nobody.json()["valid"] is False


def test_the_register_needs_its_scope(provider: Provider, chain: ChainDataset) -> None:
    stored = chain.objects["agreements"][0]
    asked = {k: stored[k] for k in ("supplierOin", "boardId", "ecosystem")}
    with provider.http(provider.token("portal")) as http:
        answer = http.get("/dpa-api/v0/agreements", params=asked)
    assert (answer.status_code, answer.json()["status"]) == (403, 21)
