"""The development and demo mail catcher: an SMTP server (aiosmtpd) on loopback that keeps
what it receives in memory, so ``/dev/mail`` can show a newcomer what a learner would get.

It is a real SMTP server: the app's mail goes to it through the same ``SmtpSender`` and outbox
as to a production relay (only the address differs), so nothing is faked on the way. It runs
only when ``PASSPORT_SMTP_URL`` is unset outside production, keeps the last ``MAX_KEPT``
messages of this process, and listens on 127.0.0.1 only.
"""

from __future__ import annotations

import socket
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

MAX_KEPT = 200


@dataclass(frozen=True)
class CaughtMail:
    received_at: datetime
    sender: str
    to: str
    subject: str
    body: str


class _Keep:
    """aiosmtpd handler: parse and keep each message."""

    def __init__(self, kept: deque[CaughtMail], lock: threading.Lock) -> None:
        self.kept = kept
        self.lock = lock

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        part = parsed.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
        mail = CaughtMail(
            datetime.now(UTC),
            envelope.mail_from,
            ", ".join(envelope.rcpt_tos),
            str(parsed["Subject"] or ""),
            body,
        )
        with self.lock:
            self.kept.appendleft(mail)
        return "250 Message accepted for delivery"


class MailCatcher:
    """Start with ``start()``; ``port`` is where to send; ``messages()`` newest first."""

    def __init__(self) -> None:
        self._kept: deque[CaughtMail] = deque(maxlen=MAX_KEPT)
        self._lock = threading.Lock()
        self.port = _free_port()
        # Made at start: aiosmtpd's Controller opens an event loop as soon as it exists.
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            _Keep(self._kept, self._lock), hostname="127.0.0.1", port=self.port
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[CaughtMail]:
        with self._lock:
            return list(self._kept)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
