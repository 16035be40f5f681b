"""The eduv reference provider: a real Edu-V source on SQLite or PostgreSQL.

It serves the Students, Employees, Association and Education APIs in t and t-1 and the
source side of Notifications 0.9.1, from a dataset loaded into a relational database.
Start it with ``eduv serve``; see docs/provider.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from eduv.provider.app import Provider as Provider
    from eduv.provider.app import Settings as Settings
    from eduv.provider.app import create_app as create_app
    from eduv.provider.config import ConfigError as ConfigError
    from eduv.provider.config import ProviderConfig as ProviderConfig
    from eduv.provider.config import load_config as load_config
    from eduv.provider.db import default_url as default_url
    from eduv.provider.db import make_engine as make_engine
    from eduv.provider.db import migrate as migrate
    from eduv.provider.faults import FAULTS as FAULTS
    from eduv.provider.faults import Faults as Faults
    from eduv.provider.store import StoreError as StoreError
    from eduv.provider.store import load_dataset as load_dataset

# Loaded on first use: `eduv --help` imports eduv.provider.cli, and with it this package,
# which must not bring FastAPI and SQLAlchemy along.
_LAZY = {
    "Provider": "eduv.provider.app",
    "Settings": "eduv.provider.app",
    "create_app": "eduv.provider.app",
    "ConfigError": "eduv.provider.config",
    "ProviderConfig": "eduv.provider.config",
    "load_config": "eduv.provider.config",
    "default_url": "eduv.provider.db",
    "make_engine": "eduv.provider.db",
    "migrate": "eduv.provider.db",
    "FAULTS": "eduv.provider.faults",
    "Faults": "eduv.provider.faults",
    "StoreError": "eduv.provider.store",
    "load_dataset": "eduv.provider.store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eduv.provider' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FAULTS",
    "ConfigError",
    "Faults",
    "Provider",
    "ProviderConfig",
    "Settings",
    "StoreError",
    "create_app",
    "default_url",
    "load_config",
    "load_dataset",
    "make_engine",
    "migrate",
]
