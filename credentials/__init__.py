"""The pure credential core of Learner Passport.

No I/O, no web framework, no database and no clock reads: everything here takes its inputs
(documents, keys, ``now``) as arguments. The other packages (``keys``, ``issuers``, ``verifier``,
``passport``) build on it; it imports none of them.

Its face is this module's ``__all__`` and the credential models' (``credentials.models``); other
packages import from there (``from credentials import InvalidInput``), never from a submodule.
"""

from credentials import models
from credentials.badge_art import BadgeArt, badge_png, badge_svg, checked_logo
from credentials.baking import bake, bake_png, bake_svg, extract
from credentials.claims import (
    CredentialDetails,
    CredentialSummary,
    details_of,
    first_subject,
    issuer_id_of,
    kind_of,
    summarize,
)
from credentials.contexts import (
    CONTEXT_FILES,
    DID_V1,
    LEARNER_PASSPORT_V1,
    MULTIKEY_V1,
    OB_V3P0,
    UNDEFINED_TERMS_V2,
    VC_V2,
    bundled_bytes,
    is_bundled,
)
from credentials.did import ChainResolver, DidKeyResolver, DocumentResolver, offline_resolver
from credentials.email_address import normalize_email
from credentials.errors import (
    Conflict,
    Forbidden,
    InputTooLarge,
    InvalidInput,
    InvalidKey,
    KeyNotFound,
    NotFound,
    PassportError,
    ResolutionUnavailable,
    Unauthorized,
    UnsupportedMechanism,
)
from credentials.jsonio import MAX_DOCUMENT_BYTES, member_text, parse_json, parse_json_object
from credentials.jwk import (
    ed25519_private_key_from_jwk,
    private_jwk,
    public_jwk,
    public_key_from_jwk,
)
from credentials.key_binding import (
    BINDABLE_ISSUER_PREFIXES,
    FOREIGN_KEY,
    IssuerBoundResolver,
    refusal,
)
from credentials.keys import (
    ASSERTION_METHOD,
    AUTHENTICATION,
    Ed25519Signer,
    KeyResolver,
    PublicKey,
    Signer,
    VerificationMethod,
)
from credentials.models.builders import (
    OB_CONTEXTS,
    build_achievement_credential,
    build_endorsement_credential,
    build_presentation,
)
from credentials.models.common import (
    format_datetime,
    instant_or_none,
    parse_datetime_stamp,
    validate_document,
)
from credentials.models.ob import Achievement, AchievementSubject, IdentityObject, identity_matches
from credentials.multibase import decode_base64url, encode_base64url
from credentials.multikey import (
    DID_KEY_PREFIX,
    decode_public_multikey,
    did_key_document,
    did_key_for,
    did_key_verification_method,
    encode_public_multikey,
    multikey_verification_method,
    public_key_bytes,
    resolve_did_key,
)
from credentials.ontario import CIP_FRAMEWORK, NOC_FRAMEWORK, OntarioTerm
from credentials.proofs.base import ProofExpectations, ProofOptions, ProofVerification
from credentials.proofs.data_integrity import without_proof
from credentials.proofs.eddsa_jcs_2022 import jcs
from credentials.proofs.jws import (
    ALLOWED_ALGORITHMS,
    looks_like_compact_jws,
    parse_compact_jws,
    refused_header_reason,
    signature_failure,
)
from credentials.proofs.registry import (
    SUPPORTED_CRYPTOSUITES,
    is_supported_mechanism,
    secure,
    verify_data_integrity,
)
from credentials.proofs.vc_jose import verify_jws
from credentials.report import Check, Outcome, Verdict, ordered, verdict_of
from credentials.schemas import SCHEMA_VALIDATOR_TYPE, is_bundled_schema, validation_errors
from credentials.signed_tree import laid_out, one_tree
from credentials.signed_view import is_plain, signed_view
from credentials.status_list import (
    ENTRY_TYPE,
    LEGACY_ENTRY_TYPE,
    MIN_ENTRIES,
    Bitstring,
    encode_list,
    new_status_list_credential,
    parse_status_entry,
    status_of,
)

__all__ = [
    "ALLOWED_ALGORITHMS",
    "ASSERTION_METHOD",
    "AUTHENTICATION",
    "BINDABLE_ISSUER_PREFIXES",
    "CIP_FRAMEWORK",
    "CONTEXT_FILES",
    "DID_KEY_PREFIX",
    "DID_V1",
    "ENTRY_TYPE",
    "FOREIGN_KEY",
    "LEARNER_PASSPORT_V1",
    "LEGACY_ENTRY_TYPE",
    "MAX_DOCUMENT_BYTES",
    "MIN_ENTRIES",
    "MULTIKEY_V1",
    "NOC_FRAMEWORK",
    "OB_CONTEXTS",
    "OB_V3P0",
    "SCHEMA_VALIDATOR_TYPE",
    "SUPPORTED_CRYPTOSUITES",
    "UNDEFINED_TERMS_V2",
    "VC_V2",
    "Achievement",
    "AchievementSubject",
    "BadgeArt",
    "Bitstring",
    "ChainResolver",
    "Check",
    "Conflict",
    "CredentialDetails",
    "CredentialSummary",
    "DidKeyResolver",
    "DocumentResolver",
    "Ed25519Signer",
    "Forbidden",
    "IdentityObject",
    "InputTooLarge",
    "InvalidInput",
    "InvalidKey",
    "IssuerBoundResolver",
    "KeyNotFound",
    "KeyResolver",
    "NotFound",
    "OntarioTerm",
    "Outcome",
    "PassportError",
    "ProofExpectations",
    "ProofOptions",
    "ProofVerification",
    "PublicKey",
    "ResolutionUnavailable",
    "Signer",
    "Unauthorized",
    "UnsupportedMechanism",
    "Verdict",
    "VerificationMethod",
    "badge_png",
    "badge_svg",
    "bake",
    "bake_png",
    "bake_svg",
    "build_achievement_credential",
    "build_endorsement_credential",
    "build_presentation",
    "bundled_bytes",
    "checked_logo",
    "decode_base64url",
    "decode_public_multikey",
    "details_of",
    "did_key_document",
    "did_key_for",
    "did_key_verification_method",
    "ed25519_private_key_from_jwk",
    "encode_base64url",
    "encode_list",
    "encode_public_multikey",
    "extract",
    "first_subject",
    "format_datetime",
    "identity_matches",
    "instant_or_none",
    "is_bundled",
    "is_bundled_schema",
    "is_plain",
    "is_supported_mechanism",
    "issuer_id_of",
    "jcs",
    "kind_of",
    "laid_out",
    "looks_like_compact_jws",
    "member_text",
    "models",
    "multikey_verification_method",
    "new_status_list_credential",
    "normalize_email",
    "offline_resolver",
    "one_tree",
    "ordered",
    "parse_compact_jws",
    "parse_datetime_stamp",
    "parse_json",
    "parse_json_object",
    "parse_status_entry",
    "private_jwk",
    "public_jwk",
    "public_key_bytes",
    "public_key_from_jwk",
    "refusal",
    "refused_header_reason",
    "resolve_did_key",
    "secure",
    "signature_failure",
    "signed_view",
    "status_of",
    "summarize",
    "validate_document",
    "validation_errors",
    "verdict_of",
    "verify_data_integrity",
    "verify_jws",
    "without_proof",
]
