"""eduv: the Edu-V data-exchange standard, machine-checkable.

The package is assembled from three source roots (``sdk``, ``generated`` and
``conformance``); in an editable install they are separate folders on
``sys.path``, so the package path is extended to find ``eduv.models`` and
``eduv.conformance`` there. In a wheel they are already one folder.
"""

from __future__ import annotations

import pkgutil
from typing import TYPE_CHECKING, Any

__path__ = pkgutil.extend_path(__path__, __name__)

from eduv.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from eduv.client import AsyncClient as AsyncClient
    from eduv.client import Client as Client
    from eduv.validation import validate as validate
    from eduv.validation import validate_dataset as validate_dataset

# Heavy modules load on first use so that `import eduv` stays cheap.
_LAZY = {
    "validate": ("eduv.validation", "validate"),
    "validate_dataset": ("eduv.validation", "validate_dataset"),
    "Client": ("eduv.client", "Client"),
    "AsyncClient": ("eduv.client", "AsyncClient"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'eduv' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


__all__ = ["AsyncClient", "Client", "__version__", "validate", "validate_dataset"]
