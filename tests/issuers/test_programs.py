"""Programs become OB 3.0 Achievements whose Ontario terms stay defined in JSON-LD safe mode."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyld import jsonld

from credentials.canonical import canonicalize_jsonld
from credentials.contexts import (
    LEARNER_PASSPORT_V1,
    OB_V3P0,
    OB_V3P0_EXTENSIONS,
    UNDEFINED_TERMS_V2,
    VC_V2,
    document_loader,
    load_context,
)
from credentials.errors import UndefinedTerm
from credentials.models.builders import build_achievement_credential
from credentials.models.clr import Association
from credentials.models.ob import Achievement, AchievementSubject
from credentials.ontario import FORMER_VOCABULARY, ISSUER_DEPENDENT, OntarioTerm
from issuers.programs.achievements import achievement_for, stacking_associations
from issuers.programs.service import get_program, program_fields, update_program
from issuers.tables import Institution, Program
from tests.issuers.issuer_support import (
    BASE_URL,
    NOW,
    Store,
    program_data,
    store_fixture,  # noqa: F401  (fixture "store")
)
from tests.storage import database_url  # noqa: F401  (fixture)

EXTENSION_TERMS = {str(term) for term in OntarioTerm}


def rows() -> tuple[Institution, Program]:
    institution = Institution(
        id=1,
        slug="college-a",
        legal_name_en="College A",
        legal_name_fr="Collège A",
        kind="college",
        website="https://a.example.ca",
        contact_email="a@a.example.ca",
        did="did:web:passport.example.ca:issuers:college-a",
        created_at=NOW,
    )
    data = program_data()
    values = data.model_dump(mode="json", exclude={"slug"})
    values["skills"] = [skill.model_dump(exclude_none=True) for skill in data.skills]
    program = Program(**values, slug=data.slug, institution_id=1, created_at=NOW, updated_at=NOW)
    return institution, program


def credential_with(achievement: dict[str, Any]) -> dict[str, Any]:
    return build_achievement_credential(
        credential_id="urn:uuid:1f7e3c1e-7d5b-4a53-9d2e-3a9b8f0c0001",
        issuer={"id": "did:web:passport.example.ca:issuers:college-a", "name": "College A"},
        achievement=Achievement.model_validate(achievement),
        subject=AchievementSubject(id="did:example:learner"),
        valid_from=datetime(2025, 9, 1, tzinfo=UTC),
    )


def test_achievement_carries_the_ontario_metadata() -> None:
    institution, program = rows()
    achievement = achievement_for(BASE_URL, institution, program)
    assert achievement["@context"] == UNDEFINED_TERMS_V2
    assert achievement["id"] == f"{BASE_URL}/issuers/college-a/programs/welding"
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["learningHours"] == 40
    assert achievement["durationWeeks"] == 6
    assert achievement["deliveryMode"] == "hybrid"
    assert achievement["tuitionFee"] == "350.00"
    assert achievement["tuitionCurrency"] == "CAD"
    assert achievement["osapEligible"] is True
    assert achievement["languageOfInstruction"] == ["en", "fr"]
    esco, noc, cip = achievement["alignment"]
    assert esco["targetFramework"] == "ESCO"
    assert (noc["targetFramework"], noc["targetCode"]) == ("NOC 2021", "72106")
    assert (cip["targetFramework"], cip["targetCode"]) == ("CIP 2021", "48.0508")
    assert achievement["tag"] == ["hybrid"]
    assert achievement["otherIdentifier"][0]["identifier"] == "welding"
    [assessment] = achievement["resultDescription"]
    assert assessment["name"] == "A supervised weld, graded by an instructor."
    assert not {"nocCode", "cipCode"} & set(achievement)
    narrative = achievement["criteria"]["narrative"]
    assert "Complete every module." in narrative
    assert "**Summative assessment:** A supervised weld" in narrative
    assert "- Weld a T-joint" in narrative


def test_french_program_speaks_french() -> None:
    institution, program = rows()
    program.languages = ["fr", "en"]
    achievement = achievement_for(BASE_URL, institution, program)
    assert achievement["name"] == "Soudage de base"
    assert achievement["inLanguage"] == "fr"
    assert "- Souder un joint en T" in achievement["criteria"]["narrative"]


def test_credential_with_extension_terms_canonicalizes_in_safe_mode() -> None:
    institution, program = rows()
    nquads = canonicalize_jsonld(credential_with(achievement_for(BASE_URL, institution, program)))
    for term in EXTENSION_TERMS:
        assert f"<{ISSUER_DEPENDENT}{term}>" in nquads, term
    assert f'<{ISSUER_DEPENDENT}tuitionFee> "350.00" .' in nquads
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    assert f'<{ISSUER_DEPENDENT}learningHours> "40"^^{integer}' in nquads
    assert '<https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetCode> "72106"' in nquads


def test_the_vocab_covers_the_achievement_only() -> None:
    institution, program = rows()
    credential = credential_with(achievement_for(BASE_URL, institution, program))
    credential["credentialSubject"]["learnerHours"] = 40
    with pytest.raises(UndefinedTerm):
        canonicalize_jsonld(credential)


def test_without_our_context_the_same_terms_are_refused_in_safe_mode() -> None:
    institution, program = rows()
    achievement = achievement_for(BASE_URL, institution, program)
    del achievement["@context"]
    with pytest.raises(UndefinedTerm):
        canonicalize_jsonld(credential_with(achievement))


def test_expansion_drops_nothing() -> None:
    institution, program = rows()
    credential = credential_with(achievement_for(BASE_URL, institution, program))
    expanded = jsonld.expand(credential, {"documentLoader": document_loader})
    achievement = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0][
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"
    ][0]
    assert {f"{ISSUER_DEPENDENT}{term}" for term in EXTENSION_TERMS} <= set(achievement)


def _terms(context: Any) -> set[str]:
    """Every term a context defines, including type- and property-scoped ones."""
    found: set[str] = set()
    if isinstance(context, list):
        for item in context:
            found |= _terms(item)
    elif isinstance(context, dict):
        for term, definition in context.items():
            if not term.startswith("@"):
                found.add(term)
            if isinstance(definition, dict) and "@context" in definition:
                found |= _terms(definition["@context"])
    return found


@pytest.mark.parametrize("url", [VC_V2, OB_V3P0, OB_V3P0_EXTENSIONS])
def test_our_terms_are_new_names_that_clash_with_no_protected_term(url: str) -> None:
    assert not EXTENSION_TERMS & _terms(load_context(url)["@context"])


def test_former_context_still_reads_with_the_same_member_names() -> None:
    """Awards issued before the change named ``learner-passport/v1``: it stays bundled, and
    its names are today's issuer-dependent names (so the display reads both alike)."""
    former = _terms(load_context(LEARNER_PASSPORT_V1)["@context"]) - {"lpv", "xsd"}
    assert former == EXTENSION_TERMS | {"nocCode", "cipCode"}
    institution, program = rows()
    achievement = achievement_for(BASE_URL, institution, program)
    achievement["@context"] = LEARNER_PASSPORT_V1
    nquads = canonicalize_jsonld(credential_with(achievement))
    assert f'<{FORMER_VOCABULARY}learningHours> "40"^^' in nquads


def test_stacking_is_a_clr_is_part_of_association() -> None:
    institution, program = rows()
    [association] = stacking_associations(BASE_URL, institution, program)
    parsed = Association.model_validate(association)
    assert parsed.association_type == "isPartOf"
    assert association["sourceId"] == f"{BASE_URL}/issuers/college-a/programs/welding"
    assert association["targetId"] == program.part_of[0]


def test_program_round_trips_through_storage(store: Store) -> None:
    institution = store.add_institution("college-a")
    store.add_program(institution)
    with store.session() as session:
        stored = get_program(session, institution, "welding")
        fields = program_fields(stored)
        assert fields.model_dump() == program_data().model_dump(exclude={"slug"})
        changed = fields.model_copy(update={"hours": 60, "noc_codes": ["72106", "72310"]})
        update_program(session, institution, "welding", changed, NOW)
        session.commit()
    with store.session() as session:
        achievement = achievement_for(
            BASE_URL, institution, get_program(session, institution, "welding")
        )
    assert achievement["learningHours"] == 60
    codes = [item["targetCode"] for item in achievement["alignment"]]
    assert codes[1:3] == ["72106", "72310"]
