"""Mail in the app: which relay, the pump thread that drains the outbox, and ``/dev/mail``.

- ``PASSPORT_SMTP_URL`` set: every message goes to that relay, in any mode.
- Unset in development or demo mode: the built-in catcher (``passport.mail_catcher``) is the
  relay, and ``GET /dev/mail`` shows what it caught (that page exists in those modes only).
- Unset in production: no mail is queued at all (``app.state.mail_enabled`` is false), and the
  start-up log says so.

The pump thread sends at most ``PASSPORT_SMTP_MAX_PER_MINUTE`` messages a minute.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from infra import render_page
from issuers import MailPump, SmtpRelay, SmtpSender, stop_waking, wake_on_commit
from passport.mail_catcher import MailCatcher
from passport.settings import Mode, Settings

logger = logging.getLogger("passport.mail")
IDLE_POLL_SECONDS = 1.0


class MailThread:
    """Loops ``pump.send_due(1)``: one message per ``60 / per_minute`` seconds at most. Idle, it
    polls the outbox every second (other processes queue mail too), and wakes at once when this
    process commits a queued message."""

    def __init__(self, pump: MailPump, per_minute: int) -> None:
        self.pump = pump
        self.pause = 60.0 / per_minute
        self._stopped = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mail-pump", daemon=True)

    def start(self) -> None:
        wake_on_commit(self._wake.set)
        self._thread.start()

    def stop(self) -> None:
        stop_waking(self._wake.set)
        self._stopped.set()
        self._wake.set()
        self._thread.join(10)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                sent = self.pump.send_due(1)
            except Exception:  # the pump must outlive a database hiccup; it retries
                logger.exception("mail pump: a round failed")
                sent = 0
            if sent:
                self._stopped.wait(self.pause)  # the pace limit: a wake does not shorten it
            else:
                self._wake.wait(IDLE_POLL_SECONDS)
                self._wake.clear()


class MailService:
    """What ``create_app`` keeps in ``app.state.mail``; ``start``/``stop`` from the lifespan."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.catcher: MailCatcher | None = None
        if settings.smtp_url is not None:
            relay = SmtpRelay.from_url(settings.smtp_url.get_secret_value())
        elif settings.mode is not Mode.PRODUCTION:
            self.catcher = MailCatcher()
            relay = SmtpRelay("127.0.0.1", self.catcher.port, implicit_tls=False, starttls=False)
        else:
            relay = None
        self.enabled = relay is not None
        self.thread = (
            None
            if relay is None
            else MailThread(
                MailPump(
                    lambda: Session(app.state.engine),
                    SmtpSender(relay, settings.mail_from),
                    lambda: datetime.now(UTC),
                ),
                settings.smtp_max_per_minute,
            )
        )

    def start(self) -> None:
        if self.catcher is not None:
            self.catcher.start()
        if self.thread is not None:
            self.thread.start()
        else:
            logger.warning("no PASSPORT_SMTP_URL in production mode: no mail is sent")

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()
        if self.catcher is not None:
            self.catcher.stop()


def install_mail(app: FastAPI, settings: Settings) -> MailService:
    service = MailService(app, settings)
    app.state.mail = service
    if service.catcher is not None:
        app.include_router(dev_mail_router)
    return service


dev_mail_router = APIRouter(include_in_schema=False)


@dev_mail_router.get("/dev/mail", response_class=HTMLResponse)
def dev_mail(request: Request) -> HTMLResponse:
    """What the built-in catcher received (development and demo modes only)."""
    catcher: MailCatcher = request.app.state.mail.catcher
    response = render_page(request, "dev_mail.html", messages=catcher.messages())
    response.headers["Cache-Control"] = "no-store"
    return response
