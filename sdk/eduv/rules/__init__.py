"""The Edu-V rule engine: the catalogue in ``spec/rules/`` checked on messages and datasets.

>>> from eduv.rules import check_message
>>> check_message("association-api", "1.1.0", "Enrollment", {"enrollmentType": "study"})[0].rule_id
'EDUV-ENROL-001'
"""

from __future__ import annotations

from eduv.rules.catalogue import Catalogue, Rule, load_catalogue
from eduv.rules.engine import check_dataset, check_message, normalize_api, sort_violations
from eduv.rules.model import Language, ObjectRef, Severity, Violation

__all__ = [
    "Catalogue",
    "Language",
    "ObjectRef",
    "Rule",
    "Severity",
    "Violation",
    "check_dataset",
    "check_message",
    "load_catalogue",
    "normalize_api",
    "sort_violations",
]
