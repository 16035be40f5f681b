"""The client's loggers, ``EDUV_LOG``, and warnings that point at the caller's line.

Records go to children of the ``eduv`` logger, so one line switches all of them on::

    logging.getLogger("eduv").setLevel(logging.DEBUG)

- ``eduv.http``: DEBUG before each request (method, path template, operation, version),
  INFO after each answer (status, API-Version, milliseconds), DEBUG for token requests;
- ``eduv.retry``: INFO for every retry (why, how long the wait, which attempt);
- ``eduv.validation``: WARNING for every answer that deviates from its schema (JSON
  pointers and keywords only).

What is never logged: tokens, secrets, client assertions, headers, bodies, query strings
and the values of path parameters (a pupil's id is personal data), and the messages of
schema findings (they quote the offending value). The environment variable
``EDUV_LOG=info`` or ``EDUV_LOG=debug`` attaches a handler that writes the records to
standard error, without any code.
"""

from __future__ import annotations

import functools
import logging
import os
import sys

ROOT = "eduv"
http_log = logging.getLogger("eduv.http")
retry_log = logging.getLogger("eduv.retry")
validation_log = logging.getLogger("eduv.validation")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


@functools.cache
def configure_from_env() -> None:
    """Honour ``EDUV_LOG`` (once per process): a stderr handler at that level."""
    level = _LEVELS.get(os.environ.get("EDUV_LOG", "").strip().lower())
    if level is None:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger(ROOT)
    root.addHandler(handler)
    root.setLevel(level)


def caller_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` that names the first frame outside eduv.

    The depth from a warning to the user's line differs between the sync and the async
    client, the generated methods and direct calls, so it is counted, not fixed.
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None and _inside_eduv(frame.f_globals.get("__name__", "")):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _inside_eduv(module: str) -> bool:
    return module == ROOT or module.startswith(ROOT + ".")
