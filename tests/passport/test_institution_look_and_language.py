"""Issue #16, through the real path (API -> award -> claim -> passport -> share -> catalog), on a
served deployment (tests/passport/look_world.py): credentials in the learner's language, and the
institution's logo and brand colour on the learner's and the employer's badges.

A French learner's award is written in French (``inLanguage`` "fr") and still verifies in the
standard-contexts verifier of ``tests/issuers/test_portable_credentials.py``. The logo is
uploaded through the API and read back out of the pictures the learner and an employer get.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlmodel import Session

from credentials.badge_art import PALETTE
from credentials.baking import extract_png
from credentials.report import Check, Outcome, Verdict
from infra.clock import get_now
from issuers.cohorts.jobs import runner_for
from passport.wallet.badges import Badges
from passport.wallet.tables import StoredCredential
from tests.issuers.test_portable_credentials import verify_independently
from tests.passport.look_world import (
    API,
    BRAND,
    RED,
    World,
    achievement_of,
    logo_png,
    world_fixture,  # noqa: F401  (fixture "world")
)
from tests.passport.wallet.support import Learner
from verifier.pipeline import VerificationReport

BADGE = re.compile(r'<svg[^>]*class="badge-image".*?</svg>', re.S)
LOGO = re.compile(r'href="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def test_a_french_learners_credential_is_written_in_french(world: World) -> None:
    credential = world.credential(world.issue(language="fr"))
    achievement = achievement_of(credential)
    assert achievement["inLanguage"] == "fr"
    assert achievement["name"] == credential["name"] == "Initiation au soudage"
    assert achievement["description"] == "Souder des plaques d'acier en sécurité."
    assert achievement["criteria"]["narrative"].startswith("Réussir l'épreuve pratique.")
    skills = [item["targetName"] for item in achievement["alignment"]]
    assert skills == ["souder des pièces métalliques"]
    assert "names" not in achievement["alignment"][0]  # our own field stays out of credentials
    assert achievement["languageOfInstruction"] == ["en", "fr"]
    verify_independently(credential, world.did_documents())


def test_without_a_chosen_language_the_credential_is_in_the_programs_first(world: World) -> None:
    achievement = achievement_of(world.credential(world.issue()))
    assert (achievement["inLanguage"], achievement["name"]) == ("en", "Welding Basics")
    assert [item["targetName"] for item in achievement["alignment"]] == ["weld metal parts"]


def test_a_cohort_rows_language_chooses_its_credentials_language(world: World) -> None:
    rows = "external_id,name,email,language\nr-1,Léa Roy,lea@example.ca,fr\n"
    made = world.api.post(
        f"{API}/programs/soudage/batches",
        params={"filename": "cohorte.csv"},
        content=rows.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert made.status_code in (201, 202), made.text
    batch = made.json()["batch_id"]
    if world.engine.dialect.name == "postgresql":  # queued for a worker: do what it does
        state = world.app.state
        runner_for(state.engine, state.master_key_source.get, world.base_url, get_now).run(batch)
    deadline = time.monotonic() + 60
    while world.api.get(f"{API}/batches/{batch}").json()["state"] != "completed":
        assert time.monotonic() < deadline, "the cohort was not issued in time"
        time.sleep(0.1)
    [award] = world.api.get(f"{API}/awards", params={"q": "r-1"}).json()
    assert achievement_of(world.credential(award["id"]))["name"] == "Initiation au soudage"


def _badges(html: str) -> list[str]:
    return BADGE.findall(html)


def _logo_in(svg: str) -> Image.Image:
    found = LOGO.search(svg)
    assert found is not None, svg[:300]
    return Image.open(io.BytesIO(base64.b64decode(found[1]))).convert("RGB")


def test_the_learner_and_the_employer_see_the_institutions_colour_and_logo(
    world: World,
) -> None:
    learner = Learner(world.base_url)
    try:
        claimed = learner.post(
            "/passport/claim",
            {"offer": world.offer(world.issue(language="fr"))},
            csrf_from="/passport/claim",
        )
        assert claimed.status_code == 303, claimed.text
        stored = claimed.headers["location"].removeprefix("/passport/credentials/").split("?")[0]
        pages = {
            "passport": learner.get("/passport").text,
            "credential": learner.get(f"/passport/credentials/{stored}").text,
            "share": learner.get(learner.share([stored])).text,
        }
        for name, html in pages.items():
            [badge] = _badges(html)
            assert f'fill="{BRAND}"' in badge, name
            assert not any(f'fill="{colour}"' in badge for colour in PALETTE), name
            assert _logo_in(badge).getpixel((48, 32)) == RED, name
            assert "Initiation au soudage" in html, name  # claimed in the learner's language
        png = learner.get(f"/passport/credentials/{stored}/download/png")
        assert png.status_code == 200, png.text
        picture = Image.open(io.BytesIO(png.content)).convert("RGB")
        assert picture.getpixel((128, 96)) == RED  # the logo, where the initials were
        assert picture.getpixel((128, 200)) == tuple(bytes.fromhex(BRAND[1:]))
        assert json.loads(extract_png(png.content))["name"] == "Initiation au soudage"
    finally:
        learner.close()


def test_a_credential_whose_key_is_not_the_issuers_never_gets_the_institutions_look(
    world: World,
) -> None:
    """A forger names our institution's DID: the card shows the palette and the name it claims."""
    [did] = world.did_documents()
    display = {"title": "Welding", "issuer_claimed_name": "Collège Boréal-Sud"}
    held = [
        StoredCredential(
            id=outcome.value,
            learner_id="learner",
            format="json",
            content=b"{}",
            content_sha256="0" * 64,
            kind="credential",
            issuer_id=did,
            display=display,
            source="import",
            added_at=datetime.now(UTC),
        )
        for outcome in (Outcome.PASSED, Outcome.FAILED)
    ]
    reports = {
        stored.id: VerificationReport(
            Verdict.NOT_VERIFIED, (Check.of("issuer_key", Outcome(stored.id), "x"),), None
        )
        for stored in held
    }
    with Session(world.engine) as session:
        arts = Badges(session, lambda issuer: issuer == did).of_each(held, reports)
    assert (arts["passed"].colour, arts["passed"].logo_png is not None) == (BRAND, True)
    assert arts["failed"].colour in PALETTE
    assert (arts["failed"].logo_png, arts["failed"].initials) == (None, "CBS")


def test_the_catalog_shows_the_institutions_logo(world: World) -> None:
    page = world.api.get("/programs/college-boreal-sud/soudage", params={"lang": "en"}).text
    [badge] = _badges(page)
    assert f'fill="{BRAND}"' in badge
    assert _logo_in(badge).getpixel((10, 10)) == RED


@pytest.mark.parametrize(
    "upload",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a" + bytes(64),
        b"\x89PNG\r\n\x1a\n" + bytes(40),  # a PNG signature and nothing readable after it
    ],
)
def test_anything_but_a_readable_png_or_jpeg_is_refused(world: World, upload: bytes) -> None:
    response = world.api.put(f"{API}/logo", content=upload)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# Last: it revokes the institution's signing key, which the tests above do not expect.
def test_an_award_reissued_after_a_key_compromise_keeps_its_learners_language(
    world: World,
) -> None:
    french = world.issue(language="fr", email="reissue@example.ca")
    key_id = world.credential(french)["proof"]["verificationMethod"]
    since = {"key_id": key_id, "compromised_since": "2000-01-01T00:00:00Z"}
    assert world.api.post(f"{API}/keys/revoke", json=since).status_code == 200
    body = {"key_id": key_id, "limit": 500}
    reissued = world.api.post(f"{API}/keys/affected-awards/reissue", json=body)
    assert reissued.status_code == 200, reissued.text
    [new] = [
        item["award"]["id"]
        for item in reissued.json()["reissued"]
        if item["replaced_award_id"] == french
    ]
    achievement = achievement_of(world.credential(new))
    assert (achievement["inLanguage"], achievement["name"]) == ("fr", "Initiation au soudage")


def test_a_logo_changed_through_the_deployment_shows_at_once_on_the_passport(
    world: World,
) -> None:
    """The looks are kept between requests (issue #19); a change written through this app
    drops them at once (``DeploymentDocuments.kept_looks``)."""
    learner = Learner(world.base_url)
    blue, headers = (0, 0, 255), {"Content-Type": "image/png"}
    try:
        claimed = learner.post(
            "/passport/claim", {"offer": world.offer(world.issue())}, csrf_from="/passport/claim"
        )
        assert claimed.status_code == 303, claimed.text
        for _ in range(2):
            [badge] = _badges(learner.get("/passport").text)
            assert _logo_in(badge).getpixel((48, 32)) == RED
        output = io.BytesIO()
        Image.new("RGB", (300, 200), blue).save(output, format="PNG")
        assert world.api.put(f"{API}/logo", content=output.getvalue(), headers=headers).is_success
        [badge] = _badges(learner.get("/passport").text)
        assert _logo_in(badge).getpixel((48, 32)) == blue
    finally:
        restored = world.api.put(f"{API}/logo", content=logo_png(), headers=headers)
        assert restored.is_success
        learner.close()
