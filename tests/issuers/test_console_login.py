"""The console login's per-address limit over a real server (issue #3, "Access").

The client addresses are set with ``X-Forwarded-For``: uvicorn takes the client address from it
when the connection comes from a trusted proxy, by default 127.0.0.1 and ::1
(``forwarded_allow_ips``), which is where the test's requests come from, as a reverse proxy's
would in production.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from issuers import access
from passport.app import create_app
from tests.issuers.test_award_console import PASSWORD, csrf_of, prepare_console, staff_email
from tests.passport.live_server import serving

LIMIT = 3


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    limits = dataclasses.replace(access.STAFF_LOGIN_LIMITS, per_address=LIMIT)
    monkeypatch.setattr(access, "STAFF_LOGIN_LIMITS", limits)
    with serving(create_app(prepare_console(tmp_path))) as base_url:
        yield base_url


def log_in(base_url: str, address: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, headers={"X-Forwarded-For": address}) as client:
        token = csrf_of(client.get("/console/login"))
        return client.post(
            "/console/login", data={"csrf": token, "email": email, "password": password}
        )


def test_failed_logins_from_one_address_lock_that_address_only(console: str) -> None:
    attacker, colleague = "203.0.113.66", "198.51.100.7"
    for number in range(LIMIT):
        refused = log_in(console, attacker, f"guess-{number}@college-a.example.ca", "guess")
        assert refused.status_code == 401
    # Another account, with its right password, from the same address: refused unchecked.
    locked = log_in(console, attacker, staff_email("college-a"), PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text
    assert "lp_staff=" not in locked.headers.get("set-cookie", "")
    assert log_in(console, attacker, staff_email("college-b"), PASSWORD).status_code == 429
    # The same account from another address is not affected.
    allowed = log_in(console, colleague, staff_email("college-a"), PASSWORD)
    assert allowed.status_code == 303
    assert "lp_staff=" in allowed.headers["set-cookie"]
