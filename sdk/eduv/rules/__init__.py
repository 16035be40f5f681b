"""The Edu-V rule engine: the catalogue in ``spec/rules/`` checked on messages and datasets.

>>> from eduv.rules import check_message
>>> check_message("association-api", "1.1.0", "Enrollment", {"enrollmentType": "study"})[0].rule
'EDUV-ENROL-001'

Findings are :class:`eduv.findings.Finding` of kind ``rule``.
"""

from __future__ import annotations

from eduv.dataset.judged import Judged, judged_range
from eduv.rules.catalogue import Catalogue, Rule, load_catalogue
from eduv.rules.engine import check_chain_dataset, check_dataset, check_message

__all__ = [
    "Catalogue",
    "Judged",
    "Rule",
    "check_chain_dataset",
    "check_dataset",
    "check_message",
    "judged_range",
    "load_catalogue",
]
