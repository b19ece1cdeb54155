"""Issue 15: claim links a person can click. The registrar's link is an https page that adds the
credential to the learner's passport in one click (sign-up first when needed), shows the
``openid-credential-offer://`` link and QR code for other wallets, and is replaced by a resend;
a cohort gets all its links in one CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from passport.app import create_app
from tests.issuers.test_award_console import (
    COHORT_HEADER,
    csrf_of,
    issue,
    logged_in,
    prepare_console,
    upload,
    wait_for_batch,
)
from tests.passport.wallet.support import Visitor, sign_up
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at

CLAIM_LINK = re.compile(r'id="claim-link" href="([^"]+)"')


@pytest.fixture(scope="module")
def registrar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A registrar of college-a signed in to a console served at its own base URL."""
    port = free_port()
    settings = prepare_console(tmp_path_factory.mktemp("claim-page"))
    settings = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    app = create_app(settings)
    with serving_at(app, port):
        client = logged_in(settings.base_url, "college-a")
        yield client
        client.close()
    app.state.engine.dispose()


def claim_link(registrar: httpx.Client, award_id: str) -> str:
    token = csrf_of(registrar.get(f"/console/awards/{award_id}"))
    made = registrar.post(f"/console/awards/{award_id}/offer", data={"csrf": token})
    found = CLAIM_LINK.search(made.text)
    assert found is not None, made.text
    assert "openid-credential-offer://?credential_offer_uri=" in made.text
    return found[1]


def test_a_new_learner_signs_up_and_claims_in_one_click(registrar: httpx.Client) -> None:
    award_id = issue(registrar, "Maëlle Fortin", "maelle@example.ca")
    first = claim_link(registrar, award_id)
    link = claim_link(registrar, award_id)  # a resend: the first link stops working
    base_url = str(registrar.base_url).rstrip("/")
    assert link.startswith(f"{base_url}/claim/")
    learner = Visitor(base_url)
    try:
        assert learner.get(first.removeprefix(base_url)).status_code == 404
        path = link.removeprefix(base_url)
        page = learner.get(path)
        assert page.status_code == 200
        assert "Maëlle Fortin" in page.text
        assert 'id="offer-link" href="openid-credential-offer://' in page.text
        qr = re.search(r'src="(/oid4vci/offers/[^"]+/qr\.svg)"', page.text)
        assert qr is not None and learner.get(qr[1]).status_code == 200
        signup = re.search(r'id="add-to-passport" href="([^"]+)"', page.text)
        assert signup is not None and signup[1].startswith("/passport/signup?next=")
        assert f'name="next" value="{path}"' in learner.get(signup[1]).text
        # After the mailed link, back to the claim page.
        made = sign_up(learner, "maelle@example.ca", next=path)
        assert made.headers["location"] == path
        ready = learner.get(path).text
        offer = re.search(r'name="offer" value="([^"]+)"', ready)
        assert offer is not None and 'id="add-to-passport"' in ready
        claimed = learner.post("/passport/claim", {"offer": offer[1]}, csrf_from=path)
        assert claimed.status_code == 303, claimed.text
        assert "Welding Basics" in learner.get(claimed.headers["location"]).text
        used = learner.get(path)
        assert used.status_code == 404
        assert "already used" in used.text
    finally:
        learner.close()


def test_a_cohort_gets_every_claim_link_in_one_csv(registrar: httpx.Client) -> None:
    rows = "K-1,Ana Silva,ana@example.ca\nK-2,=cmd(),ben@example.ca\n"
    submitted = upload(registrar, COHORT_HEADER + rows, dry_run=False)
    batch_path = submitted.headers["location"]
    wait_for_batch(registrar, batch_path)
    token = csrf_of(registrar.get(batch_path))
    answer = registrar.post(f"{batch_path}/claim-links.csv", data={"csrf": token})
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    links = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(row["external_id"], row["name"]) for row in links] == [
        ("K-2", "'=cmd()"),  # a spreadsheet formula is kept as text
        ("K-1", "Ana Silva"),
    ]
    base_url = str(registrar.base_url).rstrip("/")
    visitor = Visitor(base_url)
    try:
        for row in links:
            assert visitor.get(row["claim_url"].removeprefix(base_url)).status_code == 200
        again = registrar.post(f"{batch_path}/claim-links.csv", data={"csrf": token})
        assert again.status_code == 200
        for row in links:
            assert visitor.get(row["claim_url"].removeprefix(base_url)).status_code == 404
    finally:
        visitor.close()


def test_the_cohort_links_need_the_csrf_token(registrar: httpx.Client, tmp_path: Path) -> None:
    answer = registrar.post("/console/batches/none/claim-links.csv", data={"csrf": "wrong"})
    assert answer.status_code == 403
