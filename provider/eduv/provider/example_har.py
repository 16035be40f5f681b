"""Recording a few exchanges with the reference provider as a HAR file, for ``eduv example``.

The provider runs in this process (no port is opened), on a SQLite file in a scratch
folder, with the example's configuration and dataset; the client authenticates with
``private_key_jwt`` as the example's ``demo`` client. The HAR names the URL the served
example listens on, and its ``Authorization`` headers are masked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from eduv import keys, spec
from eduv.dataset import Dataset
from eduv.version import __version__

MASKED = "Bearer (masked)"


@dataclass(frozen=True, slots=True)
class Capture:
    har: dict[str, Any]
    group: dict[str, Any]  # one Group as served in the current association-api


def record(
    dataset: Dataset, config: dict[str, Any], client: str, pair: keys.KeyPair, url: str
) -> Capture:
    """Serve ``dataset`` under ``config`` in-process and record four reads of ``url``."""
    from eduv.provider.db import make_engine, migrate
    from eduv.provider.store import load_dataset

    with tempfile.TemporaryDirectory(prefix="eduv-example-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'provider.db'}")
        try:
            migrate(engine)
            load_dataset(engine, dataset, notify=False)
            return asyncio.run(_session(engine, config, client, pair, url, dataset.schools[0].key))
        finally:
            engine.dispose()


async def _session(
    engine: Any, config: dict[str, Any], client: str, pair: keys.KeyPair, url: str, school: str
) -> Capture:
    from eduv.provider.app import Settings, create_app
    from eduv.provider.config import config_from_json
    from eduv.runtime import PrivateKeyJwt

    settings = Settings(config_from_json(config, "example configuration"), url, deliver=False)
    transport = httpx.ASGITransport(app=create_app(engine, settings))
    auth = PrivateKeyJwt(client_id=client, private_key=pair, token_url=url + "/oauth2/token")
    async with httpx.AsyncClient(transport=transport, base_url=url) as http:
        answer = await http.send(auth.token_request((), time.time()))
        answer.raise_for_status()
        return await _reads(http, str(answer.json()["access_token"]), url, school)


async def _reads(http: httpx.AsyncClient, token: str, url: str, school: str) -> Capture:
    association = spec.api("association-api")
    current, previous = association.current, association.versions[1]
    groups = f"{url}/association-api/v{spec.api_version('association-api', current).major}"
    students_api = spec.api("students-api").current
    students = f"{url}/students-api/v{spec.api_version('students-api', students_api).major}"
    query = {"orgMasterId": school}
    listed = await _get(http, f"{groups}/groups/school", query, token, current)
    group_id = listed.body[0]["groupId"]
    one = await _get(http, f"{groups}/groups/school/{group_id}", query, token, current)
    pupils = await _get(http, f"{students}/students/school", query, token, students_api)
    earlier = await _get(http, f"{groups}/groups/school", query, token, previous)
    entries = [listed.entry, one.entry, pupils.entry, earlier.entry]
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "eduv example", "version": __version__},
            "entries": entries,
        }
    }
    return Capture(har, one.body)


@dataclass(frozen=True, slots=True)
class _Exchange:
    entry: dict[str, Any]
    body: Any


async def _get(
    http: httpx.AsyncClient, url: str, query: dict[str, str], token: str, version: str
) -> _Exchange:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    headers["API-Version"] = version
    started = dt.datetime.now(dt.UTC)
    response = await http.get(url, params=query, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"the provider answered {response.status_code} to {url}")
    took = round((dt.datetime.now(dt.UTC) - started).total_seconds() * 1000, 3)
    return _Exchange(_entry(response, started, took), response.json())


def _headers(headers: httpx.Headers) -> list[dict[str, str]]:
    return [
        {"name": name, "value": MASKED if name.lower() == "authorization" else value}
        for name, value in headers.multi_items()
    ]


def _entry(response: httpx.Response, started: dt.datetime, took: float) -> dict[str, Any]:
    request = response.request
    text = response.text
    return {
        "startedDateTime": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "time": took,
        "request": {
            "method": request.method,
            "url": str(request.url),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(request.headers),
            "queryString": [{"name": k, "value": v} for k, v in request.url.params.multi_items()],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": response.status_code,
            "statusText": response.reason_phrase,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(response.headers),
            "content": {
                "size": len(response.content),
                "mimeType": response.headers.get("content-type", "application/json"),
                "text": text,
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(response.content),
        },
        "cache": {},
        "timings": {"send": 0, "wait": took, "receive": 0},
    }
