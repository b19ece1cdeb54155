"""The passport page: live status (revoked and expired marked, never hidden), the skills summary,
exports (ZIP, LinkedIn, printable summary)."""

from __future__ import annotations

import html
import io
import json
import re
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI

from passport.wallet.display import skills_summary
from passport.wallet.tables import StoredCredential
from tests.keys.loopback import serving
from tests.passport.wallet.support import Learner, served, wallet_settings
from tests.storage import sqlite_url
from tests.verifier.support import ACTIVE_INDEX, Issuer

ISSUER = Issuer()


class StatusLists:
    """Serves one status list, never cached, so a test can revoke mid-way."""

    def __init__(self) -> None:
        self.body = b""

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/vc+ld+json")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


@pytest.fixture(scope="module")
def setup(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[FastAPI, str, StatusLists, str]]:
    directory: Path = tmp_path_factory.mktemp("timeline")
    lists = StatusLists()
    settings = wallet_settings(sqlite_url(directory), verification_leeway_seconds=0)
    with serving(lists.respond) as server, served(settings) as (app, base_url):
        url = f"http://127.0.0.1:{server.port}/status/1"
        lists.body = json.dumps(ISSUER.status_list(url, revoked=())).encode()
        yield app, base_url, lists, url


def credential(status_url: str | None = None, **changes: Any) -> dict[str, Any]:
    document = ISSUER.credential(status_url)
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    document.update(changes)
    signed: dict[str, Any] = ISSUER.sign(document)
    return signed


def test_revoked_and_expired_credentials_are_marked_not_hidden(
    setup: tuple[FastAPI, str, StatusLists, str],
) -> None:
    app, base_url, lists, status_url = setup
    learner = Learner(base_url)
    try:
        learner.import_credential(credential(status_url, name="Revocable"))
        # Valid for a few seconds when imported, however long the first import took.
        expiry = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
        learner.import_credential(credential(validUntil=expiry.strftime("%Y-%m-%dT%H:%M:%SZ")))
        page = learner.get("/passport").text
        assert ">Revoked<" not in page and ">Expired<" not in page
        lists.body = json.dumps(ISSUER.status_list(status_url, revoked=(ACTIVE_INDEX,))).encode()
        time.sleep(max(0.0, (expiry - datetime.now(UTC)).total_seconds()) + 0.5)
        app.state.wallet.live.clear()
        page = learner.get("/passport").text
        assert page.count('class="timeline-entry"') == 2
        assert '<strong class="mark mark-bad">Revoked</strong>' in page
        assert '<strong class="mark mark-bad">Expired</strong>' in page
        assert page.count("Not verified") == 2
    finally:
        learner.close()


def test_skills_summary_totals_hours_and_groups_by_framework() -> None:
    def stored(hours: str | None, skills: list[dict[str, Any]]) -> StoredCredential:
        return StoredCredential(
            id="x",
            learner_id="l",
            format="json",
            content=b"{}",
            content_sha256="0",
            kind="ob",
            display={"hours": hours, "skills": skills},
            source="import",
            added_at=datetime.now(UTC),
        )

    welding = {"name": "operate welding robots", "framework": "ESCO", "code": "S6.13.2"}
    summary = skills_summary(
        [
            stored("60", [welding, {"name": "Welders", "framework": "NOC 2021", "code": "72106"}]),
            stored("12.5", [welding, {"name": "teamwork", "framework": None, "code": None}]),
            stored(None, []),
        ]
    )
    assert summary.credentials == 3
    assert summary.hours_text == "72.5"
    assert list(summary.frameworks) == ["ESCO", "NOC 2021", ""]
    assert summary.frameworks["ESCO"][0].credentials == 2


def test_zip_export_holds_every_credential_as_received_and_a_manifest(
    setup: tuple[FastAPI, str, StatusLists, str],
) -> None:
    _, base_url, _, _ = setup
    learner = Learner(base_url)
    try:
        first, second = (
            credential(),
            ISSUER.sign(ISSUER.credential() | {"id": "urn:uuid:jws-1"}, "vc+jwt"),
        )
        learner.import_credential(first)
        learner.import_credential(second)
        archive = zipfile.ZipFile(io.BytesIO(learner.get("/passport/export.zip").content))
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["holder"] == learner.did
        files = {entry["file"]: entry for entry in manifest["credentials"]}
        assert len(files) == 2
        contents = {archive.read(name) for name in files}
        assert contents == {json.dumps(first).encode(), second.encode()}
    finally:
        learner.close()


def test_linkedin_link_points_at_a_lasting_share_link(
    setup: tuple[FastAPI, str, StatusLists, str],
) -> None:
    _, base_url, _, _ = setup
    learner = Learner(base_url)
    try:
        stored = learner.import_credential(credential())
        response = learner.post(f"/passport/credentials/{stored}/linkedin")
        # A page with a link to LinkedIn: the CSP's form-action 'self' blocks a redirect there.
        assert response.status_code == 200
        found = re.search(r'id="open-linkedin" href="([^"]+)"', response.text)
        assert found is not None
        target = urlsplit(html.unescape(found[1]))
        assert (
            f"{target.scheme}://{target.netloc}{target.path}"
            == "https://www.linkedin.com/profile/add"
        )
        query = {key: values[0] for key, values in parse_qs(target.query).items()}
        assert query["startTask"] == "CERTIFICATION_NAME"
        assert query["name"] == "Robotic Welding: Programming and Safety"
        assert query["organizationName"] == "Collège des Grands Lacs"
        assert query["issueYear"].isdigit()
        cert_url = query["certUrl"].replace("http://127.0.0.1:8000", base_url)
        assert "/s/" in cert_url
        assert learner.get(cert_url).status_code == 200
        assert cert_url.endswith(
            re.findall(r'id="share-link" readonly value="([^"]+)"', response.text)[0].removeprefix(
                "http://127.0.0.1:8000"
            )
        )
        shares = learner.get("/passport/shares").text
        assert "LinkedIn: Robotic Welding" in shares and "No expiry" not in shares
    finally:
        learner.close()


def test_printable_summary_has_a_qr_code_per_credential(
    setup: tuple[FastAPI, str, StatusLists, str],
) -> None:
    _, base_url, _, _ = setup
    learner = Learner(base_url)
    try:
        chosen = [learner.import_credential(credential()) for _ in range(3)]
        page = learner.post("/passport/print", {"credential": chosen}).text
        assert page.count('src="data:image/svg+xml;base64,') == 3
        assert 'class="print-summary"' in page
    finally:
        learner.close()


def test_the_employers_share_page_shows_a_revocation_at_once(
    setup: tuple[FastAPI, str, StatusLists, str],
) -> None:
    """Issue 15: the learner's pages may answer from the short cache; the employer's may not."""
    _, base_url, lists, status_url = setup
    learner = Learner(base_url)
    try:
        lists.body = json.dumps(ISSUER.status_list(status_url, revoked=())).encode()
        stored = learner.import_credential(credential(status_url, name="Shared, then revoked"))
        share_path = learner.share([stored])
        assert "Not verified" not in learner.get(share_path).text
        assert ">Revoked<" not in learner.get("/passport").text  # cached now
        lists.body = json.dumps(ISSUER.status_list(status_url, revoked=(ACTIVE_INDEX,))).encode()
        assert "Not verified" in learner.get(share_path).text
    finally:
        learner.close()
