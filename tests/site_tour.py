"""Every page a person sees, on one served deployment built through its own API and pages
(issue #16): the demonstration catalog, an institution with a console user, a logo, a program,
an award and a cohort, a sign-up waiting for its mailed link, and a learner whose passport holds
a claimed credential of that institution and one imported file, shared by a link.

Used by the browser tour (tests/test_site_tour.py) and by ``make screenshots``
(tests/screenshots.py). ``pages`` lists (name, who, path) with who one of ``public``,
``staff`` and ``learner``; ``cookies(who)`` are that visitor's session cookies for a browser.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw
from sqlmodel import Session

from infra.database import create_database_engine
from keys.crypto_envelope import load_master_key
from passport.app import create_app
from passport.database import upgrade_database
from portal.demo import seed_demo_catalog
from tests.passport.wallet.support import (
    PASSWORD,
    DevMail,
    Visitor,
    new_signup_link,
    wallet_settings,
)
from tests.passport.wallet.test_claim_real_issuer import free_port, serving_at
from tests.route_world import ADMIN_TOKEN, Tenant, make_tenant
from tests.storage import sqlite_url
from tests.verifier.support import Issuer

SLUG = "harbourview-college"
MARKER = "Harbourview"
OFFER_LINK = re.compile(r"(openid-credential-offer://[^\"<\s]+)")


@dataclass
class Tour:
    base_url: str
    tenant: Tenant
    pages: list[tuple[str, str, str]]
    credential: str  # a signed credential (JSON) to paste into /verify

    def new_offer(self) -> str:
        """A claim link for a new award of the tenant, made in the console."""
        api = f"/api/v1/institutions/{SLUG}/programs/{self.tenant.ids['program_slug']}/awards"
        award = self.tenant.api.post(api, json={"name": "Ada Tremblay", "email": "ada@example.ca"})
        assert award.status_code == 201, award.text
        return offer_link(self.tenant, str(award.json()["id"]))

    def cookies(self, who: str) -> list[dict[str, str]]:
        """The session cookies of ``who`` (none for the public), for ``context.add_cookies``."""
        client = {"staff": self.tenant.staff, "learner": self.tenant.learner.client}.get(who)
        if client is None:
            return []
        return [
            {"name": name, "value": value, "url": self.base_url}
            for name, value in client.cookies.items()
        ]


def _seed_catalog(database_url: str, master_key: str, base_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        with Session(engine) as session:
            seed_demo_catalog(session, load_master_key(master_key), datetime.now(UTC), base_url)
    finally:
        engine.dispose()


def offer_link(tenant: Tenant, award: str) -> str:
    """A claim link for an award of the tenant, made in the console as a registrar would."""
    page = tenant.staff.post(
        f"/console/awards/{award}/offer", data={"csrf": _console_csrf(tenant, award)}
    )
    found = OFFER_LINK.search(page.text)
    assert found is not None, page.text
    return found[1].replace("&amp;", "&")


def _claim_award(tenant: Tenant) -> str:
    """The learner claims the tenant's award through its offer, as a learner would."""
    offer = offer_link(tenant, tenant.ids["award_id"])
    claimed = tenant.learner.post("/passport/claim", {"offer": offer}, csrf_from="/passport/claim")
    assert claimed.status_code == 303, claimed.text
    return str(claimed.headers["location"]).removeprefix("/passport/credentials/").split("?")[0]


def _upload_logo(tenant: Tenant) -> None:
    """The institution's logo, so that its badges show it (a lighthouse: a tower and a light)."""
    image = Image.new("RGB", (120, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon([(45, 110), (75, 110), (68, 40), (52, 40)], fill="#a4161a")
    draw.rectangle((48, 22, 72, 40), fill="#f2b705")
    output = io.BytesIO()
    image.save(output, format="PNG")
    uploaded = tenant.api.put(f"/api/v1/institutions/{SLUG}/logo", content=output.getvalue())
    assert uploaded.status_code == 200, uploaded.text


def _console_csrf(tenant: Tenant, award: str) -> str:
    found = re.search(
        r'name="csrf" value="([^"]+)"', tenant.staff.get(f"/console/awards/{award}").text
    )
    assert found is not None
    return found[1]


@contextmanager
def site_tour(directory: Path) -> Iterator[Tour]:
    """The deployment, served on loopback, with every kind of page filled in."""
    # did:web and the claim link need a DNS name: "localhost" (loopback, allowed in tests only).
    base_url = f"http://localhost:{free_port()}"
    settings = wallet_settings(
        sqlite_url(directory),
        admin_token=ADMIN_TOKEN,
        base_url=base_url,
        fetch_allow_http_hosts=("localhost",),
    )
    upgrade_database(settings)
    assert settings.master_key is not None
    _seed_catalog(settings.database_url, settings.master_key.get_secret_value(), base_url)
    with serving_at(create_app(settings), int(base_url.rsplit(":", 1)[1])):
        tenant = make_tenant(base_url, SLUG, MARKER, "")
        try:
            _upload_logo(tenant)
            claimed = _claim_award(tenant)
            ids = tenant.ids
            share = tenant.learner.share([claimed, ids["credential_id"]])
            pages = _pages(ids, claimed, share, _signup_link(base_url))
            yield Tour(base_url, tenant, pages, _pasted())
        finally:
            tenant.close()


def _pasted() -> str:
    """The Ontario sample credential, whose achievement says it is written in English."""
    issuer = Issuer()
    document = issuer.credential()
    document["credentialSubject"]["achievement"]["inLanguage"] = "en"
    return json.dumps(issuer.sign(document, "eddsa-jcs-2022"))


def _signup_link(base_url: str) -> str:
    """The page of a sign-up's mailed link (opening it uses nothing up), for a new address."""
    visitor = Visitor(base_url)
    try:
        email = "newcomer@example.ca"
        asked = visitor.post(
            "/passport/signup", {"email": email, "password": PASSWORD}, csrf_from="/passport/signup"
        )
        assert asked.status_code == 200, asked.text
        return new_signup_link(DevMail(visitor), email, set())
    finally:
        visitor.close()


def _pages(
    ids: dict[str, str], claimed: str, share: str, signup: str
) -> list[tuple[str, str, str]]:
    program = "/programs/lakeshore-college/plc-programming-fundamentals"
    return [
        ("home", "public", "/"),
        ("programs", "public", "/programs"),
        ("program", "public", program),
        ("institutions", "public", "/institutions"),
        ("institution", "public", "/institutions/lakeshore-college"),
        ("occupations", "public", "/occupations"),
        ("occupation", "public", "/occupations/72106"),
        ("verify", "public", "/verify"),
        ("share", "public", share),
        ("presentation-request", "public", "/presentation-requests/new"),
        ("passport-login", "public", "/passport/login"),
        ("passport-signup", "public", "/passport/signup"),
        ("passport-signup-finish", "public", signup),
        ("passport-forgot", "public", "/passport/forgot"),
        ("console-login", "public", "/console/login"),
        ("console-forgot", "public", "/console/forgot"),
        ("console-programs", "staff", "/console/programs"),
        ("console-program", "staff", f"/console/programs/{ids['program_slug']}/edit"),
        ("console-awards", "staff", "/console/awards"),
        ("console-award", "staff", f"/console/awards/{ids['award_id']}"),
        ("console-issue", "staff", "/console/awards/new"),
        ("console-cohort-upload", "staff", "/console/batches/new"),
        ("console-cohort", "staff", f"/console/batches/{ids['batch_id']}"),
        ("console-audit", "staff", "/console/audit"),
        ("console-keys", "staff", "/console/keys"),
        ("passport", "learner", "/passport"),
        ("passport-credential", "learner", f"/passport/credentials/{claimed}"),
        ("passport-claim", "learner", "/passport/claim"),
        ("passport-import", "learner", "/passport/import"),
        ("passport-sharing", "learner", "/passport/shares"),
    ]
