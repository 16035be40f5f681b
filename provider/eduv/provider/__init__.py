"""The eduv reference provider: a real Edu-V source on SQLite or PostgreSQL.

It serves the Students, Employees, Association and Education APIs in t and t-1 and the
source side of Notifications 0.9.1, from a dataset loaded into a relational database.
Start it with ``eduv serve``; see docs/provider.md.
"""

from __future__ import annotations

from eduv.provider.app import Provider, Settings, create_app
from eduv.provider.config import ConfigError, ProviderConfig, load_config
from eduv.provider.db import default_url, make_engine, migrate
from eduv.provider.faults import FAULTS, Faults
from eduv.provider.store import StoreError, load_dataset

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
