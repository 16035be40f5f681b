"""Reading the values of a configuration document: each reader names the member it
reads and says what is wrong with it, so that a mistake is refused with its reason."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which member and why."""


def optional_text(doc: Mapping[str, Any], name: str, default: str | None) -> str | None:
    if name not in doc:
        return default
    value = doc[name]
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a string, not {type(value).__name__}")
    return value


def table(doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} must be a table")
    return value


def tables(doc: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = doc.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ConfigError(f"{name} must be an array of tables ([[{name}]])")
    return value


def strings(doc: Mapping[str, Any], name: str) -> list[str]:
    value = doc[name]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{name} must be a list of strings")
    return value


def whole_number(doc: Mapping[str, Any], name: str) -> int:
    value = doc[name]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{name} must be a whole number of zero or more")
    return value


def flag(doc: Mapping[str, Any], name: str, default: bool, where: str) -> bool:
    value = doc.get(name, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {name} is true or false, not {value!r}")
    return value


def secret(doc: Mapping[str, Any], where: str, name: str = "secret") -> str | None:
    """A secret given inline or, better, by the name of an environment variable."""
    env = doc.get(f"{name}_env")
    if env:
        value = os.environ.get(str(env))
        if value is None:
            raise ConfigError(f"{where}: the environment variable {env} is not set")
        return value
    found = doc.get(name)
    return None if found is None else str(found)
