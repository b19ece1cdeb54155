"""Issue #13, "Smaller holes": a fetch filter gap (fec0::/10), a world-readable SQLite file, and
the registry file's server path in verification answers."""

from __future__ import annotations

import ipaddress
import json
import stat
from pathlib import Path

import httpx
import pytest

from infra.database import create_database_engine
from infra.fetch.addresses import address_refusal
from infra.fetch.errors import FetchRefused
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from passport.database import prepare_database
from tests.passport.wallet.support import recognized_settings, served
from tests.storage import sqlite_url
from tests.verifier.support import Issuer


@pytest.mark.parametrize("address", ["fec0::1", "feff:ffff::1", "fec0::a9fe:a9fe"])
def test_attack_site_local_ipv6_is_refused(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == "site-local"
    fetcher = GuardedFetcher(FetchPolicy(), resolver=lambda host, port: [address])
    with pytest.raises(FetchRefused, match="site-local"):
        fetcher.fetch("https://college.example/did.json", accept="application/json")


def test_attack_the_sqlite_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    (tmp_path / "fresh").mkdir()
    url = sqlite_url(tmp_path / "fresh")
    engine = create_database_engine(url)
    with engine.connect():
        pass
    engine.dispose()
    database = Path(url.removeprefix("sqlite:///"))
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for sibling in database.parent.iterdir():
        assert stat.S_IMODE(sibling.stat().st_mode) & 0o077 == 0, sibling


def test_attack_the_served_app_creates_its_sqlite_file_private(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "served")
    settings = recognized_settings(tmp_path, url)
    prepare_database(settings)
    database = Path(url.removeprefix("sqlite:///"))
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_attack_verify_answer_does_not_name_the_registry_file_path(tmp_path: Path) -> None:
    issuer = Issuer()
    settings = recognized_settings(tmp_path, sqlite_url(tmp_path), issuer)
    with served(settings) as (_app, base_url):
        answer = httpx.post(f"{base_url}/api/v1/verify", json=issuer.sign(issuer.credential()))
    assert answer.status_code == 200
    body = answer.json()
    assert body["issuer"]["recognized"] is True
    assert str(tmp_path) not in json.dumps(body)
    assert not body["issuer"]["registry"].startswith("/")
