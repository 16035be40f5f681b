"""The organisations search: by school, by board alone, by name alone, within consent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from eduv.dataset.model import Dataset
from tests.provider.harness import Provider, client, config, running

PATH = "/education-api/v1/organisations"


def _search(provider: Provider, client_id: str, **params: str) -> Any:
    with provider.http(provider.token(client_id)) as http:
        return http.get(PATH, params=params)


def _keys(answer: Any) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {o["organisationMasterIdentifier"] for o in answer.json()}


def _setup(dataset: Dataset) -> Any:
    hidden = dataset.schools[-1].key
    return config(
        [
            client("full"),
            client("all-but-one", consents=[{"school": "*"}, {"school": hidden, "apis": []}]),
        ]
    )


def test_a_board_alone_finds_its_schools_and_consent_still_applies(
    engine: Engine, dataset: Dataset
) -> None:
    by_board: dict[str, set[str]] = {}
    for school in dataset.schools:
        for board in school.organisation.get("boards", []):
            by_board.setdefault(board["organisationMasterIdentifier"], set()).add(school.key)
    board, schools = max(by_board.items(), key=lambda kv: len(kv[1]))
    hidden = dataset.schools[-1].key
    with running(engine, _setup(dataset), dataset=dataset, deliver=False) as provider:
        assert _keys(_search(provider, "full", boardMasterId=board)) == schools
        seen = _keys(_search(provider, "all-but-one", boardMasterId=board))
        assert seen == schools - {hidden}
        assert _keys(_search(provider, "full", boardMasterId="000B000")) == set()


def test_a_name_alone_finds_the_school(engine: Engine, dataset: Dataset) -> None:
    school = dataset.schools[0]
    part = school.organisation["name"].split()[-1]
    expected = {s.key for s in dataset.schools if part.lower() in s.organisation["name"].lower()}
    with running(engine, _setup(dataset), dataset=dataset, deliver=False) as provider:
        assert school.key in _keys(_search(provider, "full", name=part))
        assert _keys(_search(provider, "full", name=part)) == expected


def test_half_a_pair_is_a_bad_request_not_a_server_error(engine: Engine, dataset: Dataset) -> None:
    with running(engine, _setup(dataset), dataset=dataset, deliver=False) as provider:
        for params in ({"boardId": "72570"}, {"boardIdType": "BGE_CODE"}, {}):
            answer = _search(provider, "full", **params)
            assert answer.status_code == 400, (params, answer.text)
            assert isinstance(answer.json()["status"], int)


def test_a_school_and_a_board_narrow_each_other(engine: Engine, dataset: Dataset) -> None:
    school = dataset.schools[0]
    board = school.organisation["boards"][0]["organisationMasterIdentifier"]
    with running(engine, _setup(dataset), dataset=dataset, deliver=False) as provider:
        assert _keys(_search(provider, "full", orgMasterId=school.key, boardMasterId=board)) == {
            school.key
        }
        assert (
            _keys(_search(provider, "full", orgMasterId=school.key, boardMasterId="000B000"))
            == set()
        )
