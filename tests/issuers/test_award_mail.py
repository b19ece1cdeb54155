"""Issue 15: award emails through a real SMTP server (aiosmtpd) started by the test.

The app is configured with ``PASSPORT_SMTP_URL`` naming that server; what it receives is what
a learner or a registrar would get: the claim link in the learner's language, one message per
cohort row, the staff's completion message, a resend that replaces the earlier link, retries
while the relay is down, and the pace limit."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlmodel import Session, select

from infra.database import create_database_engine
from issuers.mail.outbox import MailPump, MailState, OutboxMail, SmtpRelay, SmtpSender, enqueue
from passport.app import create_app
from passport.mail_wiring import MailThread
from passport.settings import Mode
from tests.issuers.test_award_console import (
    COHORT_HEADER,
    csrf_of,
    issue,
    logged_in,
    prepare_console,
    upload,
    wait_for_batch,
)
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at

MAIL_TIMEOUT_SECONDS = 20.0
CLAIM_URL = re.compile(r"(http://127\.0\.0\.1:\d+/claim/[A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class Received:
    to: str
    subject: str
    body: str


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        assert body is not None
        with self.lock:
            self.messages.append(
                Received(", ".join(envelope.rcpt_tos), str(parsed["Subject"]), body.get_content())
            )
        return "250 OK"

    def wait_for(self, count: int) -> list[Received]:
        deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.messages)} messages arrived, not {count}")


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def registrar(tmp_path: Path, smtp_server: tuple[Inbox, int]) -> Iterator[httpx.Client]:
    port = free_port()
    settings = prepare_console(tmp_path).model_copy(
        update={
            "base_url": f"http://127.0.0.1:{port}",
            "smtp_url": SecretStr(f"smtp://127.0.0.1:{smtp_server[1]}"),
            "smtp_max_per_minute": 6000,
        }
    )
    app = create_app(settings)
    with serving_at(app, port):
        client = logged_in(settings.base_url, "college-a")
        yield client
        client.close()
    app.state.engine.dispose()


def test_an_award_email_in_the_learners_language_and_a_resend(
    registrar: httpx.Client, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp_server
    token = csrf_of(registrar.get("/console/awards/new"))
    form = {"csrf": token, "program": "welding", "name": "Élise Roy", "email": "elise@example.ca"}
    issued = registrar.post("/console/awards/new", data=form | {"language": "fr"})
    assert issued.status_code == 303, issued.text
    [mail] = inbox.wait_for(1)
    assert mail.to == "elise@example.ca"
    assert mail.subject == "Collège college-a : votre titre Soudage de base est prêt"
    assert "Bonjour Élise Roy" in mail.body
    first = CLAIM_URL.search(mail.body)
    assert first is not None
    assert registrar.get(first[1]).status_code == 200

    award_path = issued.headers["location"].split("?")[0]
    token = csrf_of(registrar.get(award_path))
    resent = registrar.post(f"{award_path}/resend", data={"csrf": token, "language": "en"})
    assert resent.status_code == 303
    second = inbox.wait_for(2)[1]
    assert second.subject == "College college-a: your credential Welding Basics is ready"
    again = CLAIM_URL.search(second.body)
    assert again is not None and again[1] != first[1]
    assert registrar.get(first[1]).status_code == 404  # the new link replaced it
    assert registrar.get(again[1]).status_code == 200


def test_a_cohort_sends_one_email_per_row_and_tells_the_registrar(
    registrar: httpx.Client, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp_server
    rows = "M-1,Ana Silva,ana@example.ca,fr\nM-2,Ben Ng,ben@example.ca,\n"
    submitted = upload(registrar, COHORT_HEADER.strip() + ",language\n" + rows, dry_run=False)
    assert submitted.status_code == 303, submitted.text
    wait_for_batch(registrar, submitted.headers["location"])
    received = {mail.to: mail for mail in inbox.wait_for(3)}
    assert set(received) == {"ana@example.ca", "ben@example.ca", "registrar@college-a.example.ca"}
    assert received["ana@example.ca"].body.startswith("Bonjour Ana Silva")
    assert received["ben@example.ca"].body.startswith("Hello Ben Ng")  # the program's language
    done = received["registrar@college-a.example.ca"]
    assert "2 credentials issued" in done.subject and "2 titres délivrés" in done.subject


def test_a_bad_language_in_a_cohort_row_is_reported(registrar: httpx.Client) -> None:
    rows = COHORT_HEADER.strip() + ",language\nL-1,Ana Silva,ana@example.ca,de\n"
    report = upload(registrar, rows, dry_run=True)
    assert report.status_code == 422
    assert "the language of the award email is en or fr" in report.text


def test_mail_waits_while_the_relay_is_down_then_leaves(tmp_path: Path) -> None:
    settings = prepare_console(tmp_path)
    engine = create_database_engine(settings.database_url)
    port = free_port()
    moment = [datetime(2026, 12, 7, 9, 0, tzinfo=UTC)]
    pump = MailPump(
        lambda: Session(engine),
        SmtpSender(SmtpRelay("127.0.0.1", port, implicit_tls=False, starttls=False), "a@b.ca"),
        lambda: moment[0],
    )
    with Session(engine) as session:
        enqueue(session, kind="award", to="x@example.ca", subject="s", body="b", now=moment[0])
        session.commit()
    assert pump.send_due(10) == 1  # tried once: nobody listens
    with Session(engine) as session:
        mail = session.exec(select(OutboxMail)).one()
        assert (mail.state, mail.attempts) == (MailState.QUEUED, 1)
        assert mail.last_error is not None and "Connection" in mail.last_error
    assert pump.send_due(10) == 0  # not due before its pause
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        moment[0] += timedelta(minutes=2)
        assert pump.send_due(10) == 1
        assert inbox.wait_for(1)[0].to == "x@example.ca"
    finally:
        controller.stop()
    with Session(engine) as session:
        sent = session.exec(select(OutboxMail)).one()
        assert sent.state == MailState.SENT and sent.body == ""  # the claim link is not kept
    engine.dispose()


def test_the_pump_keeps_to_its_pace(tmp_path: Path, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    settings = prepare_console(tmp_path)
    engine = create_database_engine(settings.database_url)
    with Session(engine) as session:
        for number in range(3):
            enqueue(
                session,
                kind="award",
                to=f"p{number}@example.ca",
                subject="s",
                body="b",
                now=datetime.now(UTC),
            )
        session.commit()
    relay = SmtpRelay("127.0.0.1", port, implicit_tls=False, starttls=False)
    pump = MailPump(lambda: Session(engine), SmtpSender(relay, "a@b.ca"), lambda: datetime.now(UTC))
    thread = MailThread(pump, per_minute=120)  # one every half second
    started = time.monotonic()
    thread.start()
    inbox.wait_for(3)
    elapsed = time.monotonic() - started
    thread.stop()
    engine.dispose()
    assert elapsed >= 1.0  # three messages: two pauses of 0.5 s


def test_an_idle_pump_sends_a_committed_message_at_once(
    tmp_path: Path, smtp_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A learner waits for a sign-up link: the pump does not wait for its next idle poll (made a
    minute long here, so only the wake after the commit can send it in time)."""
    monkeypatch.setattr("passport.mail_wiring.IDLE_POLL_SECONDS", 60.0)
    inbox, port = smtp_server
    engine = create_database_engine(prepare_console(tmp_path).database_url)
    relay = SmtpRelay("127.0.0.1", port, implicit_tls=False, starttls=False)
    pump = MailPump(lambda: Session(engine), SmtpSender(relay, "a@b.ca"), lambda: datetime.now(UTC))
    thread = MailThread(pump, per_minute=6000)
    thread.start()
    try:
        time.sleep(0.5)  # the pump has found the outbox empty and is idle
        with Session(engine) as session:
            enqueue(session, kind="signup", to="n@example.ca", subject="s", body="b",
                    now=datetime.now(UTC))  # fmt: skip
            session.commit()
        assert [m.to for m in inbox.wait_for(1)] == ["n@example.ca"]
    finally:
        thread.stop()
        engine.dispose()


def test_development_mode_catches_mail_and_shows_it_at_dev_mail(tmp_path: Path) -> None:
    port = free_port()
    settings = prepare_console(tmp_path).model_copy(
        update={"base_url": f"http://127.0.0.1:{port}", "smtp_max_per_minute": 6000}
    )
    assert settings.mode is Mode.DEVELOPMENT and settings.smtp_url is None
    app = create_app(settings)
    with serving_at(app, port):
        client = logged_in(settings.base_url, "college-a")
        issue(client, "Noé Martin", "noe@example.ca")
        deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
        while "noe@example.ca" not in (page := client.get("/dev/mail").text):
            assert time.monotonic() < deadline, page
            time.sleep(0.1)
        assert 'href="http://127.0.0.1:' in page and "/claim/" in page
        client.close()
    app.state.engine.dispose()
    production = create_app(
        settings.model_copy(
            update={"mode": Mode.PRODUCTION, "master_key": SecretStr("x" * 8 + "Zq" * 20)}
        )
    )
    assert production.state.mail.enabled is False
    assert "/dev/mail" not in {getattr(route, "path", "") for route in production.routes}
    production.state.engine.dispose()
