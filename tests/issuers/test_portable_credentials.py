"""Every shape we issue verifies in a verifier that holds only the standard contexts (issue 14).

The verifier here is independent of ours: pyld (stock, no fast path, no patches) expands with a
document loader holding ONLY the W3C (VC 2.0, undefined-terms/v2, Data Integrity, Multikey) and
1EdTech (OB 3.0.3, its extensions, CLR 2.0.1) contexts and refuses any dropped term (safe mode);
pyoxigraph's RDFC-1.0 canonicalizes; ``cryptography`` checks the Ed25519 signature over the
eddsa-rdfc-2022 hash data (VC DI EdDSA section 3.2.4-3.2.6); pyjwt checks the JOSE form. The
public key comes from the did:key itself or from the did:web document we publish, decoded here
by hand (base58btc, multicodec 0xed01).
"""

from __future__ import annotations

import hashlib
import json
from traceback import format_exception
from typing import Any

import jwt
import pyoxigraph
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

from credentials.contexts import (
    CLR_V2P0,
    CONTEXT_FILES,
    DATA_INTEGRITY_V2,
    LEARNER_PASSPORT_V1,
    MULTIKEY_V1,
    OB_V3P0,
    OB_V3P0_EXTENSIONS,
    UNDEFINED_TERMS_V2,
    VC_V2,
    bundled_bytes,
)
from issuers.api_models import EmployerCreate, InstitutionCreate
from issuers.awards.routes import context_for
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.awards.status_lists import lists_of, signed_status_list
from issuers.clr.records import issue_clr
from issuers.identity import did_document_of, institution_owner
from issuers.institutions import create_institution
from issuers.programs.endorsements import create_employer, endorse_program
from tests.issuers.award_support import (
    BASE_URL,
    NOW,
    Awarding,
    add_program,
    awarding_fixture,  # noqa: F401  (fixture "awarding")
)

STANDARD_CONTEXTS = (
    VC_V2,
    UNDEFINED_TERMS_V2,
    DATA_INTEGRITY_V2,
    MULTIKEY_V1,
    OB_V3P0,
    OB_V3P0_EXTENSIONS,
    CLR_V2P0,
)
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class NotStandard(Exception):
    pass


def standard_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    if url not in STANDARD_CONTEXTS:
        raise NotStandard(url)
    document = json.loads(bundled_bytes(CONTEXT_FILES[url].filename))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def refuse(dropped: str | None) -> None:
    raise AssertionError(f"a verifier in safe mode drops {dropped!r}")


def independent_canonical(document: dict[str, Any]) -> bytes:
    """pyld (standard contexts only, safe mode) to N-Quads, canonicalized by pyoxigraph."""
    processor = jsonld.JsonLdProcessor(on_property_dropped=refuse)
    options = {"documentLoader": standard_loader, "format": "application/n-quads"}
    nquads = processor.to_rdf(document, options)
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    written = pyoxigraph.serialize(dataset, format=pyoxigraph.RdfFormat.N_QUADS)
    assert written is not None
    # RDFC-1.0 section 4.4: the canonical form is the sorted lines of canonical N-Quads.
    return b"".join(sorted(line + b"\n" for line in written.splitlines()))


def base58_decode(text: str) -> bytes:
    number = 0
    for character in text:
        number = number * 58 + BASE58.index(character)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + raw


def ed25519_key(multibase: str) -> Ed25519PublicKey:
    assert multibase.startswith("z")
    decoded = base58_decode(multibase[1:])
    assert decoded[:2] == b"\xed\x01"
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def public_key(method: str, did_documents: dict[str, dict[str, Any]]) -> Ed25519PublicKey:
    did = method.split("#", maxsplit=1)[0]
    if did.startswith("did:key:"):
        return ed25519_key(did.removeprefix("did:key:"))
    [entry] = [vm for vm in did_documents[did]["verificationMethod"] if vm["id"] == method]
    return ed25519_key(entry["publicKeyMultibase"])


def verify_independently(
    document: dict[str, Any], did_documents: dict[str, dict[str, Any]]
) -> None:
    """eddsa-rdfc-2022 verification (VC DI EdDSA 3.2.4-3.2.6) by other people's code."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof = dict(document["proof"])
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    signature = base58_decode(proof.pop("proofValue").removeprefix("z"))
    proof["@context"] = document["@context"]
    hash_data = hashlib.sha256(independent_canonical(proof)).digest()
    hash_data += hashlib.sha256(independent_canonical(unsecured)).digest()
    public_key(proof["verificationMethod"], did_documents).verify(signature, hash_data)


def verify_jwt_independently(token: str, did_documents: dict[str, dict[str, Any]]) -> None:
    header = jwt.get_unverified_header(token)
    key = public_key(header["kid"], did_documents)
    payload = jwt.decode(token, key=key, algorithms=["EdDSA"], options={"verify_exp": False})
    # The JOSE form's payload is a credential too: a JSON-LD reader needs only standard contexts.
    assert independent_canonical(payload)


def issue_everything(awarding: Awarding, did_method: str) -> dict[str, Any]:
    """An award, an endorsement, a CLR and a status list, made by the code that issues them."""
    with awarding.session() as session:
        institution = create_institution(
            session,
            awarding.master,
            NOW,
            BASE_URL,
            InstitutionCreate(
                slug=f"portable-{did_method[4:]}",
                legal_name_en="Portable College",
                legal_name_fr="Collège portable",
                kind="college",
                website="https://portable.example.ca",
                contact_email="registrar@portable.example.ca",
                did_method=did_method,
            ),
        )
        program = add_program(session, institution)
        program.noc_codes, program.cip_code, program.sector = ["72106"], "48.0508", "Trades"
        program.price_cents, program.osap_eligible, program.languages = 35000, True, ["en", "fr"]
        session.add(program)
        employer = create_employer(
            session,
            awarding.master,
            NOW,
            BASE_URL,
            EmployerCreate(slug=f"acme-{did_method[4:]}", name="Acme", did_method=did_method),
        )
        endorsement = endorse_program(
            session, awarding.master, NOW, BASE_URL, institution, program, employer, "Good."
        )
        # The API's issuing context: the award embeds the endorsement in its achievement.
        context = context_for(session, awarding.master, BASE_URL, institution, program, NOW)
        learner = Learner("Ada Lovelace", "ada@example.ca", "did:example:ada")
        award = issue_award(session, context, AwardRequest(learner, result="Pass"), NOW)
        shapes = {
            "award": json.loads(award.ldp_credential),
            "endorsement": json.loads(endorsement.signed_json),
            "clr": json.loads(
                issue_clr(
                    session, institution, learner.email, context.signer, base_url=BASE_URL, now=NOW
                ).credential
            ),
            "status list": json.loads(
                signed_status_list(
                    session,
                    lists_of(session, institution.id or 0)[0],
                    institution,
                    context.signer,
                    BASE_URL,
                    NOW,
                ).text
            ),
        }
        did_documents = {
            did: json.loads(did_document_of(session, awarding.master, NOW, did, owner).body)
            for did, owner in (
                (institution.did, institution_owner(institution)),
                (employer.did, f"employer:{employer.slug}"),
            )
            if did.startswith("did:web:")
        }
        session.commit()
    return {"shapes": shapes, "jwt": award.jwt_credential, "did_documents": did_documents}


@pytest.mark.parametrize("did_method", ["did:web", "did:key"])
def test_every_shape_verifies_with_only_the_standard_contexts(
    awarding: Awarding, did_method: str
) -> None:
    issued = issue_everything(awarding, did_method)
    assert issued["shapes"]["award"]["credentialSubject"]["achievement"]["endorsement"]
    for name, document in issued["shapes"].items():
        contexts = json.dumps(document)
        assert LEARNER_PASSPORT_V1 not in contexts, name
        verify_independently(document, issued["did_documents"])
    verify_jwt_independently(issued["jwt"], issued["did_documents"])


def test_the_standard_verifier_refuses_our_former_context(awarding: Awarding) -> None:
    """The check has teeth: a credential that names learner-passport/v1 fails in it."""
    issued = issue_everything(awarding, "did:key")
    award = issued["shapes"]["award"]
    award["credentialSubject"]["achievement"]["@context"] = LEARNER_PASSPORT_V1
    with pytest.raises(jsonld.JsonLdError) as raised:
        verify_independently(award, issued["did_documents"])
    assert f"NotStandard: {LEARNER_PASSPORT_V1}" in "".join(format_exception(raised.value))


def test_a_tampered_award_fails_the_independent_check(awarding: Awarding) -> None:
    issued = issue_everything(awarding, "did:web")
    award = issued["shapes"]["award"]
    award["credentialSubject"]["achievement"]["learningHours"] = 400
    with pytest.raises(InvalidSignature):
        verify_independently(award, issued["did_documents"])


def test_ontario_metadata_reads_from_the_signed_graph(awarding: Awarding) -> None:
    issued = issue_everything(awarding, "did:key")
    nquads = independent_canonical(issued["shapes"]["award"]).decode()
    dependent = "https://www.w3.org/ns/credentials/undefined-term#"
    assert f'<{dependent}learningHours> "40"^^<http://www.w3.org/2001/XMLSchema#integer>' in nquads
    assert f'<{dependent}tuitionFee> "350.00"' in nquads
    assert f'<{dependent}osapEligible> "true"' in nquads
    for code in ("72106", "48.0508"):
        assert f'<https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetCode> "{code}"' in nquads
    assert "Trades" in nquads
