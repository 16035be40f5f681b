"""Files only the provider's own user may read: the SQLite database and key files.

The database holds the schools' data and, by default, the key that signs access
tokens: whoever reads it can mint tokens. Files are therefore created with mode
0600 from the start (not tightened afterwards, which would leave a window), and SQLite
gives its ``-wal`` and ``-shm`` files the mode of the database file.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger("eduv.provider")

SIGNING_KEY_ENV = "EDUV_SIGNING_KEY"
MIN_SIGNING_KEY = 32
PRIVATE_MODE = 0o600


class KeyFileError(ValueError):
    """A key file or key variable that cannot be used; the message says why."""


def create_private(path: Path, content: bytes = b"") -> bool:
    """Create ``path`` readable and writable by its owner only; ``False`` if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as file:
        file.write(content)
    return True


def readable_by_others(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def prepare_sqlite_file(path: Path) -> None:
    """Make sure a SQLite database file exists with mode 0600 before SQLite opens it.

    An empty file is a valid empty database; SQLite would otherwise create it (and its
    ``-wal`` and ``-shm`` files) with the umask's mode, usually world-readable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not create_private(path) and readable_by_others(path):
        log.warning(
            "the database %s can be read by other users and holds the token-signing key; "
            "chmod 600 it (and its -wal and -shm files)",
            path,
        )


def signing_key_text(file: str | None, environ: dict[str, str] | None = None) -> str | None:
    """The access-token key from ``EDUV_SIGNING_KEY`` or the key file, ``None`` when
    neither is set (the key then lives in the database).

    A key file that does not exist yet is created with a random key and mode 0600; one
    that others can read is refused, as ssh refuses such private keys.
    """
    env = os.environ if environ is None else environ
    text = env.get(SIGNING_KEY_ENV, "").strip()
    if text:
        return _checked(text, f"the environment variable {SIGNING_KEY_ENV}")
    if not file:
        return None
    path = Path(file)
    create_private(path, secrets.token_hex(32).encode())
    if readable_by_others(path):
        raise KeyFileError(f"the signing key file {path} can be read by others: chmod 600 it")
    return _checked(path.read_text("utf-8").strip(), f"the signing key file {path}")


def _checked(text: str, where: str) -> str:
    if len(text) < MIN_SIGNING_KEY:
        raise KeyFileError(f"{where} must hold a key of at least {MIN_SIGNING_KEY} characters")
    return text
