"""Which scopes a call asks for: as few as the operation allows, more only when asked.

Edu-V is built on data minimisation, and a token's scopes decide which fields a provider
fills in (a pupil's date of birth needs ``eduv.student.demographics``). So a call asks
for its API's ``.basic`` scope where the operation accepts one (students, employees),
otherwise for the operation's single scope (``eduv.association``). Wider scopes are
added by naming them, on the client or per call (``scopes=``), and only where the
operation accepts them. Operations that accept several role scopes and no basic one
(delivery, entitlement, usage, notifications: ``eduv.delivery.portal`` and the like) have
no default: the role is what the client was registered for, so it is a required client
setting, and a call without it raises :class:`ScopeError` before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from eduv import spec
from eduv.runtime.errors import ScopeError

BASIC_SUFFIX = ".basic"


def default_scopes(op: spec.Operation) -> tuple[str, ...]:
    """The scopes a call of ``op`` asks for when nothing more is configured."""
    basic = [s for s in op.scopes if s.endswith(BASIC_SUFFIX)]
    if len(basic) == 1:
        return (basic[0],)
    if len(op.scopes) == 1:
        return op.scopes
    return ()


def requested_scopes(op: spec.Operation, configured: Iterable[str]) -> tuple[str, ...]:
    """The scope set of one call: the default plus the configured scopes ``op`` accepts."""
    wanted = set(default_scopes(op)) | {s for s in configured if s in op.scopes}
    if op.scopes and not wanted:
        raise ScopeError(
            f"{op.api} {op.operation_id} needs one of the scopes {', '.join(op.scopes)}, and "
            "has no default one: give the scopes this client was registered for, "
            "Client(scopes=[...]) or scopes=[...] on the call"
        )
    return tuple(sorted(wanted))
