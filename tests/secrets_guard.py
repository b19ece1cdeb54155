"""A session-wide guard: no secret a test creates may appear in any log record of the run.

Fixtures and tests call ``register_secret(value)`` with every secret they make (master keys,
private key material, API keys, passwords, session tokens); it returns the value, so a fixture
registers in place: ``load_master_key(register_secret(text))``. ``install`` (called from
``tests/conftest.py`` at session start) puts a handler on the root logger that keeps the text of
every record, at every level, from every thread (the live uvicorn servers log here too); at
session end ``leaks()`` lists the records that contain a registered secret in any of the
encodings a careless log line would use (as is, base64, base64url, hex), and the session fails.

Logs of subprocesses (CLI tests that spawn ``passport``) are not seen here; their outputs are
checked by the tests that run them.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from dataclasses import dataclass, field
from typing import TypeVar

import pytest

# Shorter values would match by accident ("test", "1234"); secrets are longer than this.
MIN_SECRET_LENGTH = 12
SecretValue = TypeVar("SecretValue", str, bytes)


def _encodings(raw: bytes) -> set[str]:
    standard = base64.b64encode(raw).decode("ascii")
    urlsafe = base64.urlsafe_b64encode(raw).decode("ascii")
    return {standard, standard.rstrip("="), urlsafe, urlsafe.rstrip("="), raw.hex()}


def _decoded_base64(text: str) -> bytes | None:
    """The bytes behind a base64 or base64url text (master keys are written that way)."""
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        return None


def secret_forms(value: str | bytes) -> set[str]:
    """Every text form of ``value`` a log line could carry."""
    raw = value.encode("utf-8") if isinstance(value, str) else value
    forms = _encodings(raw)
    if isinstance(value, str):
        forms.add(value)
        decoded = _decoded_base64(value)
        if decoded is not None and len(decoded) >= MIN_SECRET_LENGTH // 2:
            forms |= _encodings(decoded)
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class _RecordingHandler(logging.Handler):
    def __init__(self, guard: SecretsGuard) -> None:
        super().__init__(level=logging.NOTSET)
        self.guard = guard

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + record.stack_info
        self.guard.keep(f"{record.name}: {text}")


@dataclass
class SecretsGuard:
    """The registered secrets and the text of every record seen since ``install``."""

    secrets: dict[str, str] = field(default_factory=dict)
    records: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, value: str | bytes, what: str = "secret") -> None:
        if len(value) < MIN_SECRET_LENGTH // 2:
            raise ValueError("a secret this short cannot be told apart from ordinary text")
        with self._lock:
            for form in secret_forms(value):
                self.secrets.setdefault(form, what)

    def keep(self, text: str) -> None:
        with self._lock:
            self.records.add(text)

    def handler(self) -> logging.Handler:
        return _RecordingHandler(self)

    def leaks(self) -> list[str]:
        """One line per record that contains a registered secret (the secret itself not shown)."""
        with self._lock:
            records, secrets = sorted(self.records), dict(self.secrets)
        found = []
        for text in records:
            kinds = sorted({what for form, what in secrets.items() if form in text})
            if kinds:
                found.append(f"{', '.join(kinds)} in a log record of {text.split(':', 1)[0]}")
        return found


SESSION_GUARD = SecretsGuard()


def register_secret(value: SecretValue, what: str = "secret") -> SecretValue:
    """Register ``value`` with the session guard and return it unchanged."""
    SESSION_GUARD.register(value, what)
    return value


def install(guard: SecretsGuard = SESSION_GUARD) -> logging.Handler:
    """Record every log record of the process from now on (root logger at DEBUG)."""
    handler = guard.handler()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return handler


def pytest_configure(config: pytest.Config) -> None:
    """Hook (imported into tests/conftest.py): start recording at session start."""
    install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Hook: fail the session when any log record carried a registered secret."""
    leaks = SESSION_GUARD.leaks()
    if not leaks:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "SECRETS FOUND IN LOGS (tests/secrets_guard.py)", red=True)
        for line in leaks:
            reporter.write_line(line, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
