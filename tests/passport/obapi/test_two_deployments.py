"""Two running ``passport serve`` processes, each with its own database, over TLS from one test
CA: a learner connects her passport on the first (the client) to the second (the Host), pulls
the credential she holds there, and pushes one back (issue 17, "Done when")."""

from __future__ import annotations

import html
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from tests.passport.wallet.support import TEST_MASTER_KEY, Learner
from tests.verifier.support import Issuer

START_SECONDS = 60.0


@contextmanager
def deployment(directory: Path, ca: trustme.CA) -> Iterator[str]:
    """``passport serve`` over TLS on a free port with a SQLite database of its own."""
    directory.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pem, trusted = directory / "server.pem", directory / "ca.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
    ca.cert_pem.write_to_path(str(trusted))
    base_url = f"https://127.0.0.1:{port}"
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("PASSPORT_")
    }
    environment |= {
        "PASSPORT_DATABASE_URL": f"sqlite:///{directory / 'passport.db'}",
        "PASSPORT_BASE_URL": base_url,
        "PASSPORT_MASTER_KEY": TEST_MASTER_KEY,
        "PASSPORT_MODE": "development",
        "PASSPORT_FETCH_ALLOW_PRIVATE_ADDRESSES": "true",  # the other deployment is on loopback
        "SSL_CERT_FILE": str(trusted),  # outbound TLS trusts the test CA
    }
    argv = [
        sys.executable, "-c", "from passport.cli import app; app()", "serve",
        "--host", "127.0.0.1", "--port", str(port),
        "--ssl-certfile", str(pem), "--ssl-keyfile", str(pem),
    ]  # fmt: skip
    with (directory / "serve.log").open("wb") as log:
        process = subprocess.Popen(argv, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(base_url, str(trusted), process)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_up(base_url: str, ca_file: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            answer = httpx.get(
                f"{base_url}/healthz", verify=ssl.create_default_context(cafile=ca_file)
            )
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("passport serve did not start")


def _learner(base_url: str, directory: Path) -> Learner:
    client = httpx.Client(
        base_url=base_url,
        verify=ssl.create_default_context(cafile=str(directory / "ca.pem")),
        timeout=60,
        follow_redirects=False,
    )
    return Learner(base_url, email="ada@example.ca", client=client)


def _credential(title: str, subject: str) -> Any:
    """A credential signed by a fresh did:key issuer, for an achievement named ``title``."""
    issuer = Issuer()
    document = issuer.credential()
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    document["credentialSubject"]["id"] = subject
    document["credentialSubject"]["achievement"]["name"] = title
    return issuer.sign(document)


def test_a_learner_pulls_from_another_deployment_and_pushes_one_back(tmp_path: Path) -> None:
    ca = trustme.CA()
    with (
        deployment(tmp_path / "client", ca) as client_url,
        deployment(tmp_path / "host", ca) as host_url,
    ):
        at_client = _learner(client_url, tmp_path / "client")
        at_host = _learner(host_url, tmp_path / "host")
        try:
            at_host.import_credential(_credential("Held on the Host", at_host.did))
            held_here = at_client.import_credential(
                _credential("Held on the client", at_client.did)
            )

            going = at_client.post(
                "/passport/hosts", {"url": host_url}, csrf_from="/passport/hosts"
            )
            assert going.status_code == 200, going.text
            found = re.search(r'id="host-authorize" class="button" href="([^"]+)"', going.text)
            assert found is not None
            authorize = httpx.URL(html.unescape(found[1]))
            assert str(authorize).startswith(f"{host_url}/oauth2/authorize?")

            consent = at_host.get(f"{authorize.path}?{authorize.query.decode()}")
            assert consent.status_code == 200 and "Learner Passport" in consent.text
            # The client's logo, fetched by the Host over TLS and shown inline.
            assert 'src="data:image/png;base64,' in consent.text
            token = re.search(r'name="csrf_token" value="([^"]+)"', consent.text)
            assert token is not None
            allowed = at_host.client.post(
                f"{authorize.path}?{authorize.query.decode()}",
                data={"csrf_token": token[1], "decision": "allow"},
            )
            assert allowed.status_code == 302
            back = httpx.URL(allowed.headers["location"])
            assert str(back).startswith(f"{client_url}/passport/hosts/callback?")
            landed = at_client.get(f"{back.path}?{back.query.decode()}")
            assert landed.status_code == 303, landed.text
            connection = httpx.URL(landed.headers["location"]).params["connection"]
            page = "/passport/hosts/connection?connection=" + connection

            pulled = at_client.post(
                "/passport/hosts/pull", {"connection": connection}, csrf_from=page
            )
            assert pulled.status_code == 200, pulled.text
            assert "Brought in: 1 new, 0 already here, 0 refused" in pulled.text
            assert "Held on the Host" in at_client.get("/passport").text

            pushed = at_client.post(
                "/passport/hosts/push",
                {"connection": connection, "credential": [held_here]},
                csrf_from=page,
            )
            assert pushed.status_code == 200, pushed.text
            assert "Sent: 1 new, 0 replaced, 0 refused" in pushed.text
            assert "Held on the client" in at_host.get("/passport").text
            assert "Learner Passport" in at_host.get("/passport/apps").text
        finally:
            at_client.close()
            at_host.close()
