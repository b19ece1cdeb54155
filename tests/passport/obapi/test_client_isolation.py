"""A learner's connections to other Hosts are theirs alone (issue 17, route access): another
learner cannot see, finish, pull through or push through them. The deployment is its own Host
here: Ada connects her passport to the deployment she is on, over TLS."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from tests.passport.obapi.support import host_settings, tls_learner
from tests.passport.obapi.tls import TlsServer, serving_tls
from tests.passport.wallet.support import Learner

_HREF = re.compile(r'id="host-authorize" class="button" href="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def own_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    """A deployment whose outbound TLS trusts the test CA, so that it can be its own Host."""
    directory: Path = tmp_path_factory.mktemp("own-host")
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(directory / "ca.pem"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(directory / "ca.pem"))
        with serving_tls(directory, ca, host_settings(directory)) as server:
            yield server


def _connect(ada: Learner, base_url: str) -> tuple[str, str]:
    """Ada connects to ``base_url`` and allows it; returns the connection id and its state."""
    going = ada.post("/passport/hosts", {"url": base_url}, csrf_from="/passport/hosts")
    found = _HREF.search(going.text)
    assert found is not None, going.text
    authorize = httpx.URL(html.unescape(found[1]))
    path = f"{authorize.path}?{authorize.query.decode()}"
    token = _CSRF.search(ada.get(path).text)
    assert token is not None
    allowed = ada.client.post(path, data={"csrf_token": token[1], "decision": "allow"})
    back = httpx.URL(allowed.headers["location"])
    landed = ada.get(f"{back.path}?{back.query.decode()}")
    assert landed.status_code == 303, landed.text
    return httpx.URL(landed.headers["location"]).params["connection"], back.params["state"]


def test_another_learner_cannot_use_a_learners_connection(own_host: TlsServer) -> None:
    ada, bob = tls_learner(own_host), tls_learner(own_host)
    try:
        connection, state = _connect(ada, own_host.base_url)
        mine = f"/passport/hosts/connection?connection={connection}"
        assert ada.get(mine).status_code == 200
        assert f'connection={connection}"' in ada.get("/passport/hosts").text
        assert bob.get(mine).status_code == 404
        assert "is not connected to any other service" in bob.get("/passport/hosts").text
        for action in ("/passport/hosts/pull", "/passport/hosts/push"):
            refused = bob.post(action, {"connection": connection}, csrf_from="/passport/hosts")
            assert refused.status_code == 404, action
        replayed = bob.get("/passport/hosts/callback", params={"state": state, "code": "x"})
        assert replayed.status_code == 404
    finally:
        ada.close()
        bob.close()
