"""Provisioning adapters: how scenario mode puts generated data into a source.

The standard has no write operations for school data, so each source needs an adapter.
Two kinds are built in:

* :class:`HttpProvisioning` talks to the reference provider's provisioning API (or any
  source that offers the same calls);
* a vendor's own Python adapter, registered as an entry point in the group
  ``eduv.conformance.provisioning``; the entry point names a class or factory that takes
  no arguments and returns an object with the methods of :class:`Adapter`.

Without an adapter scenario mode is skipped, with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any, Protocol

from eduv.conformance.config import RunConfig
from eduv.conformance.http import SafeHttp
from eduv.dataset.model import Dataset

ENTRY_POINT_GROUP = "eduv.conformance.provisioning"
JsonObject = dict[str, Any]


class ProvisioningError(RuntimeError):
    """The adapter could not make the change; the scenario ends as an error."""


class Adapter(Protocol):
    def load_school(self, dataset: Dataset, key: str) -> None:
        """Replace school ``key`` with its data in ``dataset`` (people included)."""
        ...

    def apply(self, changes: Sequence[JsonObject]) -> None:
        """Apply changes (the provisioning API's change format), all or nothing."""
        ...

    def remove_school(self, key: str) -> None:
        """Remove a school the scenario loaded."""
        ...


class HttpProvisioning:
    """The provisioning API of the reference provider, over HTTP."""

    def __init__(self, http: SafeHttp, url: str, token: str) -> None:
        self.http = http
        self.url = url.rstrip("/") + "/provisioning"
        self._headers = {"Authorization": f"Bearer {token}"}

    def _send(self, method: str, path: str, body: Any = None) -> None:
        answer = self.http.request(method, self.url + path, headers=self._headers, json=body)
        if answer.status is None or not 200 <= answer.status < 300:
            excerpt = answer.exchange.response_excerpt or answer.error or ""
            raise ProvisioningError(
                f"provisioning {method} {path} answered HTTP {answer.status}: {excerpt[:300]}"
            )

    def load_school(self, dataset: Dataset, key: str) -> None:
        school = dataset.school(key)
        if school is None:
            raise ProvisioningError(f"the dataset has no school {key}")
        doc = dataset.header_json()
        doc["facts"] = {"schools": {key: dataset.facts[key].to_json()}}
        doc["schools"] = [school.to_json()]
        doc["students"] = dataset.students
        doc["employees"] = dataset.employees
        self._send("PUT", f"/schools/{key}", doc)

    def apply(self, changes: Sequence[JsonObject]) -> None:
        self._send("POST", "/changes", {"changes": list(changes)})

    def remove_school(self, key: str) -> None:
        self._send("DELETE", f"/schools/{key}")


def entry_point_adapter(name: str) -> Adapter:
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        known = ", ".join(sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)))
        raise ProvisioningError(
            f"no provisioning adapter {name!r} in the entry points of {ENTRY_POINT_GROUP}; "
            f"installed: {known or 'none'}"
        )
    factory = found[0].load()
    adapter: Adapter = factory()
    return adapter


def choose(cfg: RunConfig, http: SafeHttp, given: Any = None) -> tuple[Adapter | None, str]:
    """The adapter to use, or None with the reason scenario mode is skipped."""
    if given is not None:
        return given, "adapter given by the caller"
    if cfg.provisioning.adapter:
        return entry_point_adapter(cfg.provisioning.adapter), cfg.provisioning.adapter
    if cfg.provisioning.url and cfg.provisioning.token:
        return HttpProvisioning(http, cfg.provisioning.url, cfg.provisioning.token), "http"
    return None, (
        "no provisioning adapter: give [provisioning] url and token_env, or the name of an "
        f"adapter registered in the entry points of {ENTRY_POINT_GROUP}"
    )
