"""The portal's pages, API and sitemap over HTTP, on the demonstration catalog."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree

import httpx
import pytest
from sqlmodel import Session, select

from infra.database import create_database_engine
from issuers.awards.service import AwardRequest, Learner, issue_award, issuing_context
from issuers.identity import signer_for_institution
from issuers.programs.achievements import achievement_for
from issuers.tables import Institution, Program, ProgramEndorsement
from keys.crypto_envelope import load_master_key
from portal.stats import issued_count
from tests.portal.conftest import BASE_URL, TEST_MASTER_KEY

PLC = "/programs/lakeshore-college/plc-programming-fundamentals"
DAIRY = "/programs/college-des-grands-lacs/transformation-laitiere"
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture
def client(portal_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=portal_server, timeout=30) as opened:
        yield opened


def test_the_program_page_says_what_where_how_much_and_how_to_enrol(
    client: httpx.Client,
) -> None:
    html = client.get(PLC, params={"lang": "en"}).text
    for expected in (
        "<h1>PLC Programming Fundamentals</h1>",
        "Write and document ladder logic for discrete control tasks",  # outcome
        'program PLCs</a> <span class="hint">· ESCO</span></li>',  # skill, linked, framework
        '<dt>program PLCs</dt><dd class="identifier">ESCO S8</dd>',  # its code, in the details
        "60 hours",
        "Hybrid",
        "$1,250",
        "A practical test: program a conveyor sorting cell",  # assessment
        'href="https://lakeshore-college.example.ca/register/plc-programming-fundamentals"',
        'href="https://www.ontario.ca/page/osap-ontario-student-assistance-program"',
        "Industrial electricians",  # NOC 72201
        "https://lakeshore-college.example.ca/credentials/advanced-manufacturing-certificate",
        'href="/programs/lakeshore-college/cnc-machining-essentials"',  # stacks with
    ):
        assert expected in html, expected


def test_the_program_page_in_french(client: httpx.Client) -> None:
    html = client.get(PLC, params={"lang": "fr"}).text
    assert "<h1>Programmation d&#39;automates programmables</h1>" in html
    assert "1\u00a0250\u00a0$" in html
    assert "Présenter une demande au RAFEO sur ontario.ca" in html


def test_endorsements_are_shown_with_the_verifier_verdict(client: httpx.Client) -> None:
    html = client.get(PLC, params={"lang": "en"}).text
    assert "<strong>Maple Automation Ltd.</strong>" in html
    assert re.search(r'class="verdict verdict-verified_with_warnings">Signed endorsement: ', html)
    detail = client.get(f"/api/v1{PLC}").json()
    [endorsement] = detail["endorsements"]
    assert endorsement["verdict"] == "verified_with_warnings"
    assert endorsement["credential"]["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["credential"]["credentialSubject"]["id"] == detail["achievement"]["id"]


def test_a_tampered_endorsement_is_shown_as_not_verified(
    client: httpx.Client, portal_database: str
) -> None:
    engine = create_database_engine(portal_database)
    with Session(engine) as session:
        program = session.exec(
            select(Program).where(Program.slug == "lean-six-sigma-yellow-belt")
        ).one()
        row = session.exec(
            select(ProgramEndorsement).where(ProgramEndorsement.program_id == program.id)
        ).one()
        original = row.signed_json
        row.signed_json = original.replace("hire its graduates", "hire nobody")
        session.add(row)
        session.commit()
        try:
            html = client.get(f"/programs/lakeshore-college/{program.slug}?lang=en").text
            assert 'class="verdict verdict-not_verified"' in html
            assert "hire nobody" in html
        finally:
            row.signed_json = original
            session.add(row)
            session.commit()
    engine.dispose()


def test_a_program_only_in_french_says_so_and_marks_its_language(client: httpx.Client) -> None:
    html = client.get(DAIRY, params={"lang": "en"}).text
    assert "This program is offered in French only" in html
    assert '<h1 lang="fr">Transformation laitière artisanale</h1>' in html
    assert '<li lang="fr">Appliquer les règles de salubrité</li>' in html
    french = client.get(DAIRY, params={"lang": "fr"}).text
    assert "offert en français seulement" not in french
    english_only = client.get(
        "/programs/metro-career-college/it-support-desk", params={"lang": "fr"}
    ).text
    assert "Ce programme est offert en anglais seulement" in english_only


def test_the_sample_credential_verifies_and_cannot_pass_for_an_award(
    client: httpx.Client,
) -> None:
    html = client.get(PLC, params={"lang": "en"}).text
    assert "Below is a SAMPLE." in html
    assert 'class="verdict verdict-verified_with_warnings">Verification of the sample' in html
    sample = client.get(f"{PLC}/sample.json").json()
    assert sample["name"].startswith("SAMPLE / EXEMPLE: ")
    assert sample["issuer"]["id"].startswith("did:key:")
    institution_did = client.get(f"/api/v1{PLC}").json()["achievement"]["id"]
    assert sample["issuer"]["id"] != institution_did
    verified = client.post("/api/v1/verify", json=sample).json()
    assert verified["verified"] is True
    outcomes = {check["id"]: check["outcome"] for check in verified["checks"]}
    assert outcomes["proof"] == "passed"
    assert outcomes["issuer_trust"] == "warning"  # the sample key is in no registry
    sample["credentialSubject"]["achievement"]["name"] = "Something else"
    assert client.post("/api/v1/verify", json=sample).json()["verified"] is False


def test_structured_data_is_a_schema_org_course(client: httpx.Client) -> None:
    html = client.get(PLC, params={"lang": "en"}).text
    [block] = LD_JSON.findall(html)
    course = json.loads(block)
    assert course["@type"] == "Course"
    assert course["@context"] == "https://schema.org"
    credential = course["educationalCredentialAwarded"]
    assert credential["@type"] == "EducationalOccupationalCredential"
    assert {code["codeValue"] for code in credential["occupationalCategory"]} == {
        "22310",
        "72201",
    }
    assert course["offers"]["price"] == "1250.00"
    assert course["hasCourseInstance"]["courseWorkload"] == "PT60H"


def test_the_search_page_lists_results_with_filters(client: httpx.Client) -> None:
    html = client.get("/programs", params={"q": "soudage", "lang": "fr"}).text
    assert "1 programme trouvé" in html
    assert 'href="/programs/northern-lights-college/industrial-welding-gmaw"' in html
    assert "<legend>Mode de prestation</legend>" in html
    browse = client.get("/programs", params={"lang": "en"}).text
    assert "36 programs found" in browse
    assert 'rel="next"' in browse
    assert "Page 1 of 2" in browse


def test_the_catalog_api_pages_and_filters(client: httpx.Client) -> None:
    body = client.get("/api/v1/programs", params={"limit": "5", "offset": "5"}).json()
    assert body["total"] == 36 and body["limit"] == 5 and len(body["items"]) == 5
    facets = {facet["name"]: facet for facet in body["facets"]}
    online = next(item for item in facets["mode"]["values"] if item["value"] == "online")
    assert online["label_fr"] == "En ligne"
    filtered = client.get("/api/v1/programs", params={"mode": "online", "limit": "100"}).json()
    assert filtered["total"] == online["count"]
    assert {item["delivery_mode"] for item in filtered["items"]} == {"online"}
    corrected = client.get("/api/v1/programs", params={"q": "nurce"}).json()
    assert corrected["corrections"] == {"nurce": ["nurse"]}


def test_the_api_is_described_in_openapi(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/programs"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "mode", "language", "osap", "occupation", "limit", "offset"} <= names
    assert "400" in operation["responses"]
    assert "ProgramList" in document["components"]["schemas"]
    assert "/api/v1/programs/{institution_slug}/{program_slug}" in document["paths"]


def test_the_sitemap_lists_program_institution_and_occupation_pages(client: httpx.Client) -> None:
    response = client.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [element.text or "" for element in root.findall("s:url/s:loc", namespace)]
    assert f"{BASE_URL}{PLC}" in locations
    assert f"{BASE_URL}/institutions/seven-rivers-institute" in locations
    assert f"{BASE_URL}/occupations/72106" in locations
    assert len([loc for loc in locations if loc.startswith(f"{BASE_URL}/programs/")]) == 36


def test_the_institution_page_shows_its_did_keys_and_programs(client: httpx.Client) -> None:
    html = client.get("/institutions/lakeshore-college", params={"lang": "en"}).text
    assert "did:key:z6Mk" in html  # the demo runs on 127.0.0.1, which a did:web cannot name
    assert "Credentials issued</dt><dd>0</dd>" in html
    assert 'href="/programs/lakeshore-college/cybersecurity-operations"' in html
    assert "Active" in html
    listing = client.get("/institutions", params={"lang": "fr"}).text
    assert "Institut autochtone des Sept-Rivières" in listing
    assert "Collège d&#39;enseignement professionnel privé" in listing


def test_the_occupation_pages_show_skills_and_programs(client: httpx.Client) -> None:
    found = client.get("/occupations", params={"q": "early childhood educator"}).text
    assert 'href="/occupations/42202"' in found
    typo = client.get("/occupations", params={"q": "welderr"}).text
    assert 'href="/occupations/72106"' in typo
    html = client.get("/occupations/42202", params={"lang": "en"}).text
    assert "Early childhood educators and assistants" in html
    assert "plan children&#39;s activities" in html
    assert 'href="/programs/lakeshore-college/inclusive-early-learning"' in html


def test_issued_count_counts_the_institution_awards_only(catalog_session: Session) -> None:
    now = datetime.now(UTC)
    institution = catalog_session.exec(
        select(Institution).where(Institution.slug == "trillium-university")
    ).one()
    program = catalog_session.exec(
        select(Program).where(Program.institution_id == institution.id)
    ).first()
    assert institution.id is not None and program is not None
    signer = signer_for_institution(
        catalog_session, load_master_key(TEST_MASTER_KEY), now, institution
    )
    achievement = achievement_for(BASE_URL, institution, program)
    context = issuing_context(BASE_URL, institution, program, achievement, signer)
    for number in range(2):
        learner = Learner(name=f"Learner {number}", email=f"learner{number}@example.ca")
        issue_award(catalog_session, context, AwardRequest(learner=learner), now)
    assert issued_count(catalog_session, institution.id) == 2
    assert issued_count(catalog_session, institution.id + 1) == 0
