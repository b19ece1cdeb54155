"""Where the master key (the key-encryption key of every private key at rest) comes from.

In order: ``PASSPORT_MASTER_KEY``; ``PASSPORT_MASTER_KEY_FILE``; and, in development or demo mode
only, a development key generated on first use into ``var/development-master.key`` (mode 0600,
never in the repository: ``var/`` is ignored by git) with a loud warning on the log and stderr,
since every key encrypted under it is only as safe as that file. Production never gets there:
its settings refuse to load without a master key.

The key is loaded lazily, on the first request that needs one, so a deployment that never signs
(a verifier-only one) never creates a key file. A configured key that cannot be used (a key file
gone since start-up, a key that does not decode) is a server fault: the reason, which may name a
file on the server, goes to the log, and the caller gets ``MasterKeyUnavailable`` (503) without
it. ``passport serve`` refuses such a configuration before it starts (``passport.config_check``).
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
from pathlib import Path

from credentials import InvalidKey, PassportError, encode_base64url
from keys import MASTER_KEY_BYTES, MasterKey, load_master_key

logger = logging.getLogger("issuers.master_key")
DEVELOPMENT_KEY_FILE = Path("var/development-master.key")
WARNING = (
    "WARNING: no master key is configured; using the DEVELOPMENT master key in {path}. "
    "Every private key is encrypted under it: never use this outside development. "
    "Set PASSPORT_MASTER_KEY or PASSPORT_MASTER_KEY_FILE."
)


class MasterKeyUnavailable(PassportError):
    """The configured master key cannot be loaded; the operator must fix the configuration."""

    code = "master_key_unavailable"
    status = 503


class MasterKeySource:
    """Gives the master key, loading (or, for development, creating) it once."""

    def __init__(
        self,
        configured: str | None,
        key_file: Path | None,
        *,
        allow_development_key: bool,
        development_key_file: Path = DEVELOPMENT_KEY_FILE,
    ) -> None:
        self._configured = configured
        self._key_file = key_file
        self._allow_development_key = allow_development_key
        self._development_key_file = development_key_file
        self._key: MasterKey | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MasterKeySource(key_file={self._key_file!r})"

    def get(self) -> MasterKey:
        with self._lock:
            if self._key is None:
                self._key = self._load()
            return self._key

    def _load(self) -> MasterKey:
        try:
            if self._configured is not None:
                return load_master_key(self._configured)
            if self._key_file is not None:
                return _read_key_file(self._key_file)
        except InvalidKey as error:
            logger.error("the configured master key cannot be used: %s", error.message)
            raise MasterKeyUnavailable(
                "the server's master key is unavailable; its operator must fix the configuration"
            ) from None
        if not self._allow_development_key:
            raise InvalidKey("no master key is configured (PASSPORT_MASTER_KEY)")
        message = WARNING.format(path=self._development_key_file)
        logger.warning(message)
        print(message, file=sys.stderr)
        return _development_key(self._development_key_file)


def _read_key_file(path: Path) -> MasterKey:
    try:
        return load_master_key(path.read_bytes())
    except OSError as error:
        raise InvalidKey(f"cannot read the master key file {path}: {error.strerror}") from None


def _development_key(path: Path) -> MasterKey:
    """Read the development key, creating it first. The key is written to a private temporary
    file and hard-linked into place, so concurrent processes never see a half-written key and
    all end up with the same one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(encode_base64url(secrets.token_bytes(MASTER_KEY_BYTES)) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return _read_key_file(path)
