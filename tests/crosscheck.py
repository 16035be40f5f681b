"""python-jsonschema, configured as the independent cross-check of jsonschema-rs.

The format checkers are python-jsonschema's own, with its pinned dependency
rfc3339-validator 0.1.4 for date-time. That version's expression ends in ``$``,
which in Python also matches before a final newline, so it accepts
"2024-08-01T08:30:00Z\\n"; RFC 3339 has no room for the newline, and the check
below rejects it before handing the value to the library.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import referencing
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing.jsonschema import DRAFT202012

from eduv import spec

_BASE = Draft202012Validator.FORMAT_CHECKER


def _checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checkers = dict(_BASE.checkers)
    date_time, raises = _BASE.checkers["date-time"]

    def strict_date_time(instance: object) -> bool:
        if isinstance(instance, str) and instance != instance.rstrip("\r\n"):
            return False
        return bool(date_time(instance))

    checker.checkers["date-time"] = (strict_date_time, raises)
    return checker


FORMATS = _checker()


@cache
def _registry(api: str, version: str) -> referencing.Registry[Any]:
    resources = [
        (doc["$id"], DRAFT202012.create_resource(dict(doc)))
        for doc in (spec.schema(api, version, m) for m in spec.messages(api, version))
    ]
    return referencing.Registry().with_resources(resources)


@cache
def validator(api: str, version: str, message: str) -> Draft202012Validator:
    return Draft202012Validator(
        dict(spec.schema(api, version, message)),
        registry=_registry(api, version),
        format_checker=FORMATS,
    )


def errors(api: str, version: str, message: str, instance: Any) -> Iterator[ValidationError]:
    return validator(api, version, message).iter_errors(instance)
