"""Data Integrity proofs: the steps the EdDSA cryptosuites share.

VC Data Integrity 1.0 (W3C Recommendation 2025) section 4.2 "Add Proof", 4.4 "Verify Proof" and
2.1.2 "Proof Sets"; vc-di-eddsa 1.0 sections 3.2 (``eddsa-rdfc-2022``) and 3.3 (``eddsa-jcs-2022``).
A cryptosuite module subclasses ``EddsaCryptosuite`` with its own ``transform`` and
``configure_proof`` and defines its ``SUITE``; the allow-list of suites, and the verification of
a proof set against it, is ``credentials.proofs.registry``.

>>> format_date_time(datetime(2025, 1, 2, 3, 4, 5, 600, tzinfo=UTC))
'2025-01-02T03:04:05Z'
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.errors import (
    InvalidInput,
    InvalidKey,
    KeyNotFound,
    PassportError,
    ResolutionUnavailable,
)
from credentials.keys import KeyResolver, Signer, VerificationMethod
from credentials.multibase import decode_multibase, encode_multibase
from credentials.proofs.base import (
    ProofExpectations,
    ProofOptions,
    ProofVerification,
)
from credentials.report import Outcome

PROOF_TYPE = "DataIntegrityProof"
MECHANISM = "data-integrity"
ED25519_SIGNATURE_LENGTH = 64
# Processing errors of VC Data Integrity 1.0 section 3.1.
_SECURITY = "https://w3id.org/security#"
PROOF_VERIFICATION_ERROR = _SECURITY + "PROOF_VERIFICATION_ERROR"
PROOF_TRANSFORMATION_ERROR = _SECURITY + "PROOF_TRANSFORMATION_ERROR"
MALFORMED_PROOF_ERROR = _SECURITY + "MALFORMED_PROOF_ERROR"
MISMATCHED_PROOF_PURPOSE_ERROR = _SECURITY + "MISMATCHED_PROOF_PURPOSE_ERROR"
INVALID_DOMAIN_ERROR = _SECURITY + "INVALID_DOMAIN_ERROR"
INVALID_CHALLENGE_ERROR = _SECURITY + "INVALID_CHALLENGE_ERROR"
INVALID_VERIFICATION_METHOD = _SECURITY + "INVALID_VERIFICATION_METHOD"
# XML Schema 1.1 dateTimeStamp: a dateTime whose time zone is mandatory.
_DATE_TIME_STAMP = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
)


class ProofFailure(Exception):
    """Why a proof does not verify; ``EddsaCryptosuite.verify_proof`` turns it into a result.

    Never escapes this package: verification outcomes are returned, not raised.
    """

    def __init__(
        self,
        reason: str,
        problem_type: str = PROOF_VERIFICATION_ERROR,
        outcome: Outcome = Outcome.FAILED,
        message_key: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problem_type = problem_type
        self.outcome = outcome
        self.message_key = message_key


def format_date_time(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC, the form every verifier accepts (no fractions)."""
    if moment.tzinfo is None:
        raise InvalidInput("proof times must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_date_time_stamp(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE_TIME_STAMP.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def proof_options_of(cryptosuite: str, signer: Signer, options: ProofOptions) -> dict[str, Any]:
    """The proof options (section 4.2 step 1), in the member order of the W3C vectors."""
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": cryptosuite,
        "created": format_date_time(options.created),
        "verificationMethod": signer.verification_method,
        "proofPurpose": options.proof_purpose,
    }
    if options.expires is not None:
        proof["expires"] = format_date_time(options.expires)
    if options.challenge is not None:
        proof["challenge"] = options.challenge
    if options.domain is not None:
        proof["domain"] = options.domain
    return proof


def check_proof_configuration(proof_config: dict[str, Any], cryptosuite: str) -> None:
    """Proof Configuration steps 2-3 (vc-di-eddsa 3.2.5 / 3.3.5): type, cryptosuite, created."""
    if proof_config.get("type") != PROOF_TYPE or proof_config.get("cryptosuite") != cryptosuite:
        raise ProofFailure(
            f"proof configuration is not a {PROOF_TYPE} of cryptosuite {cryptosuite!r}",
            MALFORMED_PROOF_ERROR,
        )
    if "created" in proof_config and not is_date_time_stamp(proof_config["created"]):
        raise ProofFailure(
            "proof 'created' is not an XML Schema dateTimeStamp", MALFORMED_PROOF_ERROR
        )


def hash_data(canonical_proof_config: str, transformed_document: str) -> bytes:
    """Hashing (vc-di-eddsa 3.2.4 / 3.3.4): SHA-256 of the proof config, then of the document."""
    proof_hash = hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
    return proof_hash + hashlib.sha256(transformed_document.encode("utf-8")).digest()


def serialize_proof(data: bytes, signer: Signer) -> str:
    """Proof Serialization (3.2.6 / 3.3.6): Ed25519 signature, multibase base58btc."""
    return encode_multibase(signer.sign(data), "z")


def without_proof(document: dict[str, Any]) -> dict[str, Any]:
    """The unsecured document: a shallow copy without ``proof`` (section 2.1.2, proof sets)."""
    return {key: value for key, value in document.items() if key != "proof"}


def with_proof_added(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    """A new document whose ``proof`` is ``proof``, or a proof set that ends with it."""
    existing = document.get("proof")
    if existing is None:
        proofs: Any = proof
    elif isinstance(existing, list):
        proofs = [*existing, proof]
    else:
        proofs = [existing, proof]
    return {**document, "proof": proofs}


def _proof_value(proof: dict[str, Any]) -> bytes:
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofFailure(
            "proofValue must be a multibase base58btc ('z') string", MALFORMED_PROOF_ERROR
        )
    try:
        signature = decode_multibase(value)
    except InvalidInput as exc:
        raise ProofFailure(f"proofValue: {exc.message}", MALFORMED_PROOF_ERROR) from None
    if len(signature) != ED25519_SIGNATURE_LENGTH:
        raise ProofFailure(
            f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature has 64",
            MALFORMED_PROOF_ERROR,
        )
    return signature


def check_proof(proof: dict[str, Any], cryptosuite: str, expectations: ProofExpectations) -> bytes:
    """Section 4.4 steps 1-8 on the proof alone; returns the signature bytes."""
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != cryptosuite:
        raise ProofFailure(
            f"proof is not a {PROOF_TYPE} of cryptosuite {cryptosuite!r}", MALFORMED_PROOF_ERROR
        )
    if not isinstance(proof.get("verificationMethod"), str) or not proof["verificationMethod"]:
        raise ProofFailure("proof has no verificationMethod URL", MALFORMED_PROOF_ERROR)
    if proof.get("proofPurpose") != expectations.proof_purpose:
        raise ProofFailure(
            f"proofPurpose {proof.get('proofPurpose')!r} is not the expected "
            f"{expectations.proof_purpose!r}",
            MISMATCHED_PROOF_PURPOSE_ERROR,
        )
    for member in ("created", "expires"):
        if member in proof and not is_date_time_stamp(proof[member]):
            raise ProofFailure(
                f"proof {member!r} is not an XML Schema dateTimeStamp", MALFORMED_PROOF_ERROR
            )
    check_proof_dates(proof, expectations)
    if expectations.challenge is not None and proof.get("challenge") != expectations.challenge:
        raise ProofFailure(
            "proof challenge does not match the expected one", INVALID_CHALLENGE_ERROR
        )
    if expectations.domain is not None:
        domain = proof.get("domain")
        domains = domain if isinstance(domain, list) else [domain]
        if expectations.domain not in domains:
            raise ProofFailure("proof domain does not match the expected one", INVALID_DOMAIN_ERROR)
    if "previousProof" in proof:
        raise ProofFailure("proof chains (previousProof) are not supported", MALFORMED_PROOF_ERROR)
    return _proof_value(proof)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_proof_dates(proof: dict[str, Any], expectations: ProofExpectations) -> None:
    """A proof ``created`` in the future, or past its own ``expires``, is no proof now (VC Data
    Integrity 1.0 section 2.1: ``expires`` is when the proof "expires"; a signer cannot date a
    proof later than the moment it is checked). Both beyond the clock-skew leeway."""
    now = expectations.now
    if now is None:
        return
    created = proof.get("created")
    if isinstance(created, str) and _instant(created) > now + expectations.leeway:
        raise ProofFailure(
            f"the proof says it was made on {created}, which is in the future",
            message_key="proof.dates",
        )
    expires = proof.get("expires")
    if isinstance(expires, str) and _instant(expires) < now - expectations.leeway:
        raise ProofFailure(f"the proof expired on {expires}", message_key="proof.dates")


def resolve_method(
    resolver: KeyResolver, method_id: str, purpose: str
) -> tuple[VerificationMethod, Ed25519PublicKey]:
    """Retrieve the verification method (section 4.4 step 9; DID Core 5.3 relationships)."""
    try:
        method = resolver.resolve(method_id)
    except ResolutionUnavailable as exc:
        raise ProofFailure(
            exc.message, INVALID_VERIFICATION_METHOD, Outcome.COULD_NOT_CHECK
        ) from None
    except (KeyNotFound, InvalidKey) as exc:
        raise ProofFailure(exc.message, INVALID_VERIFICATION_METHOD) from None
    if purpose not in method.relationships:
        raise ProofFailure(
            f"verification method {method.id!r} is not listed under {purpose!r}",
            INVALID_VERIFICATION_METHOD,
        )
    if not isinstance(method.public_key, Ed25519PublicKey):
        raise ProofFailure(
            f"verification method {method.id!r} is not an Ed25519 key", INVALID_VERIFICATION_METHOD
        )
    return method, method.public_key


class EddsaCryptosuite(ABC):
    """Create Proof and Verify Proof of vc-di-eddsa 1.0 (3.2.1-3.2.2 / 3.3.1-3.3.2).

    Subclasses give ``cryptosuite``, ``transform`` and ``configure_proof``; the rest is shared.
    """

    cryptosuite: str

    @abstractmethod
    def transform(self, unsecured_document: dict[str, Any]) -> str:
        """Transformation (3.2.3 / 3.3.3): the canonical form of the unsecured document."""

    @abstractmethod
    def configure_proof(
        self, proof_options: dict[str, Any], unsecured_document: dict[str, Any]
    ) -> str:
        """Proof Configuration (3.2.5 / 3.3.5): the canonical form of the proof configuration."""

    def new_proof(
        self, signer: Signer, options: ProofOptions, unsecured: dict[str, Any]
    ) -> dict[str, Any]:
        """The proof options of Create Proof step 1 (a suite may add members)."""
        del unsecured
        return proof_options_of(self.cryptosuite, signer, options)

    def unsecured_for_verification(
        self, document: dict[str, Any], proof_options: dict[str, Any]
    ) -> dict[str, Any]:
        """Verify Proof step 1: the document without its proofs (a suite may check more)."""
        del proof_options
        return without_proof(document)

    def add_proof(
        self, document: dict[str, Any], signer: Signer, options: ProofOptions
    ) -> dict[str, Any]:
        """Add Proof (section 4.2) with Create Proof; ``document`` is never modified."""
        unsecured = without_proof(document)
        proof = self.new_proof(signer, options, unsecured)
        try:
            canonical_config = self.configure_proof(proof, unsecured)
        except ProofFailure as failure:
            raise InvalidInput(failure.reason) from None
        proof["proofValue"] = serialize_proof(
            hash_data(canonical_config, self.transform(unsecured)), signer
        )
        return with_proof_added(document, proof)

    def verify_proof(
        self,
        document: dict[str, Any],
        proof: dict[str, Any],
        resolver: KeyResolver,
        expectations: ProofExpectations,
    ) -> ProofVerification:
        """Verify Proof (section 4.4 with 3.2.2 / 3.3.2): an outcome, never an exception."""
        try:
            signature = check_proof(proof, self.cryptosuite, expectations)
            method, public_key = resolve_method(
                resolver, proof["verificationMethod"], expectations.proof_purpose
            )
            proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
            unsecured = self.unsecured_for_verification(document, proof_options)
            try:
                data = hash_data(
                    self.configure_proof(proof_options, unsecured), self.transform(unsecured)
                )
            except PassportError as exc:
                raise ProofFailure(exc.message, PROOF_TRANSFORMATION_ERROR) from None
            try:
                public_key.verify(signature, data)
            except InvalidSignature:
                raise ProofFailure("the signature does not match the document") from None
        except ProofFailure as failure:
            return ProofVerification(
                self.cryptosuite,
                failure.outcome,
                failure.reason,
                problem_type=failure.problem_type,
                message_key=failure.message_key,
            )
        return ProofVerification(
            self.cryptosuite, Outcome.PASSED, "signature verified", method.id, method.controller
        )
