"""Which API versions the provider serves, where, and how a request picks one.

URL layout (the standard leaves it to the provider): ``/{api-id}/v{major}/...``. When
t and t-1 share a major version, the request header ``API-Version`` selects the full
version; without it the newest version under that major is served.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from eduv import spec

# Notifications is served as a source in its current version only: the pre-1.0 version
# before it (0.0.2) cannot subscribe to these APIs.
NOTIFICATIONS_API = "notifications-api"


def data_apis() -> tuple[str, ...]:
    """The APIs served in t and t-1 with data: the registry's source APIs."""
    return tuple(api.id for api in spec.source_apis())


def served_scopes() -> list[str]:
    """Every scope of the data APIs and the chain APIs served, sorted: what a client may
    be registered for."""
    from eduv.provider.roles import chain_scopes

    data = {s for api in data_apis() for s in spec.api_version(api).scopes}
    return sorted(data | set(chain_scopes()))


def chain_apis() -> tuple[str, ...]:
    """The chain APIs served in t and t-1, each in the role of ``chain.roles.ROLES``."""
    from eduv.provider.roles import chain_apis as served

    return served()


@dataclass(frozen=True, slots=True)
class Mount:
    """One URL prefix and the versions served under it, newest first."""

    api: str
    major: int
    versions: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return f"/{self.api}/v{self.major}"


def served_versions(api: str) -> tuple[str, ...]:
    if api == NOTIFICATIONS_API:
        return (spec.api(api).current,)
    return spec.versions(api)


@cache
def mounts() -> tuple[Mount, ...]:
    found: dict[tuple[str, int], list[str]] = {}
    for api in (*data_apis(), NOTIFICATIONS_API, *chain_apis()):
        for version in served_versions(api):
            major = spec.api_version(api, version).major
            found.setdefault((api, major), []).append(version)
    return tuple(
        Mount(api, major, tuple(sorted(vs, key=_semver, reverse=True)))
        for (api, major), vs in found.items()
    )


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def negotiate(mount: Mount, requested: str | None) -> str | None:
    """The version to serve, or ``None`` when the requested one is not served here."""
    if requested is None:
        return mount.versions[0]
    # A blank header names no version: refused like any unknown one, rather than read as
    # absent, so that the served documents can state exactly which values are taken.
    wanted = requested.strip()
    return wanted if wanted in mount.versions else None


def unsupported_message(mount: Mount, requested: str) -> str:
    served = ", ".join(mount.versions)
    return f"API-Version {requested!r} is not served under {mount.prefix}; served here: {served}"


def is_previous(api: str, version: str) -> bool:
    return api in data_apis() and version == spec.api(api).previous


def all_served() -> Mapping[str, tuple[str, ...]]:
    return {api: served_versions(api) for api in (*data_apis(), NOTIFICATIONS_API, *chain_apis())}
