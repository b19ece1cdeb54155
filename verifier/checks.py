"""The single-purpose checks of the pipeline (issue #4, checks 1, 3, 4, 5 and schema).

Each function returns one ``Check`` and never raises for a bad credential.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials import (
    BINDABLE_ISSUER_PREFIXES,
    SCHEMA_VALIDATOR_TYPE,
    Check,
    Outcome,
    PassportError,
    ProofVerification,
    decode_public_multikey,
    instant_or_none,
    is_bundled_schema,
    issuer_id_of,
    kind_of,
    public_key_bytes,
    validation_errors,
)
from credentials.models import parse_credential
from verifier.context import VerificationContext
from verifier.guards import unknown_context_check

VC_V1 = "https://www.w3.org/2018/credentials/v1"
# The 1EdTech test key signs every 1EdTech fixture; its private key is published
# (a known pitfall of the VC-JOSE examples), so outside test suites it proves nothing.
PUBLISHED_TEST_KEYS = frozenset(
    public_key_bytes(decode_public_multikey(multikey))
    for multikey in ("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",)
)


def check_format(document: dict[str, Any]) -> Check:
    try:
        parse_credential(document)
    except PassportError as error:
        return Check.of("format", Outcome.FAILED, "format.invalid", reason=error.message)
    context_problem = unknown_context_check(document)
    if context_problem is not None:
        return context_problem
    contexts = document.get("@context")
    if isinstance(contexts, list) and contexts and contexts[0] == VC_V1:
        return Check.of("format", Outcome.PASSED, "format.legacy")
    return Check.of("format", Outcome.PASSED, f"format.ok.{kind_of(document)}")


def check_issuer_key(
    document: dict[str, Any], accepted: ProofVerification | None, foreign_key: str | None = None
) -> Check:
    """Check 3: the key that signed is the issuer's (VC DI 1.0 section 4.4; OB 3.0 impl. guide
    "key provenance": the verification method's controller is the issuer id). ``foreign_key``:
    a key refused before any fetch because it cannot be the issuer's (``credentials.key_binding``),
    a forgery whatever its signature says."""
    issuer = issuer_id_of(document) or "?"
    if foreign_key is not None:
        return Check.of(
            "issuer_key", Outcome.FAILED, "issuer_key.mismatch", issuer=issuer, key=foreign_key
        )
    if accepted is None:
        return Check.of("issuer_key", Outcome.COULD_NOT_CHECK, "issuer_key.unchecked")
    key = accepted.verification_method or "?"
    if accepted.controller == issuer:
        return Check.of("issuer_key", Outcome.PASSED, "issuer_key.ok", issuer=issuer)
    if not issuer.startswith(BINDABLE_ISSUER_PREFIXES):
        # An issuer id such as urn:uuid:... names no keys at all (1EdTech's did:key fixture does
        # this): the signature holds, but nothing ties the key to the named issuer.
        return Check.of("issuer_key", Outcome.WARNING, "issuer_key.unbound", issuer=issuer, key=key)
    return Check.of("issuer_key", Outcome.FAILED, "issuer_key.mismatch", issuer=issuer, key=key)


def _is_published_test_key(accepted: ProofVerification, context: VerificationContext) -> bool:
    if accepted.verification_method is None:
        return False
    try:
        key = context.resolver.resolve(accepted.verification_method).public_key
    except PassportError:
        return False
    return isinstance(key, Ed25519PublicKey) and public_key_bytes(key) in PUBLISHED_TEST_KEYS


def check_issuer_trust(
    document: dict[str, Any],
    accepted: ProofVerification | None,
    key_check: Check,
    context: VerificationContext,
) -> Check:
    """Check 4: a recognized issuer, named by the registry (an unknown one is a warning). The
    registry is consulted only once the key is shown to be the issuer's: a registry name beside
    a signature that could not be tied to the issuer would lend a forgery its name (issue #12)."""
    issuer = issuer_id_of(document) or "?"
    test_keys_refused = not context.allow_published_test_keys
    if accepted is not None and test_keys_refused and _is_published_test_key(accepted, context):
        return Check.of("issuer_trust", Outcome.FAILED, "issuer_trust.test_key")
    if key_check.outcome is not Outcome.PASSED:
        return Check.of("issuer_trust", Outcome.WARNING, "issuer_trust.unchecked", issuer=issuer)
    entry = context.trust_registry.lookup(issuer)
    if entry is None:
        return Check.of("issuer_trust", Outcome.WARNING, "issuer_trust.unknown", issuer=issuer)
    if entry.status != "active":
        # A suspended or withdrawn institution: its older credentials may be genuine, so this is
        # a warning the employer must read, not a forgery verdict.
        key = "issuer_trust.withdrawn" if entry.status == "withdrawn" else "issuer_trust.suspended"
        return Check.of(
            "issuer_trust", Outcome.WARNING, key, name_en=entry.name_en, name_fr=entry.name_fr
        )
    return Check.of(
        "issuer_trust",
        Outcome.PASSED,
        "issuer_trust.known",
        name_en=entry.name_en,
        name_fr=entry.name_fr,
    )


def check_validity(document: dict[str, Any], context: VerificationContext) -> Check:
    """Check 5: VC 2.0 section 4.9 (``validFrom``/``validUntil``), VC 1.1 dates for old badges."""
    raw_from = document.get("validFrom", document.get("issuanceDate"))
    raw_until = document.get("validUntil", document.get("expirationDate"))
    valid_from, valid_until = instant_or_none(raw_from), instant_or_none(raw_until)
    if valid_from and context.now + context.leeway < valid_from:
        return Check.of("validity", Outcome.FAILED, "validity.not_yet", valid_from=str(raw_from))
    if valid_until and context.now - context.leeway > valid_until:
        return Check.of("validity", Outcome.FAILED, "validity.expired", valid_until=str(raw_until))
    return Check.of("validity", Outcome.PASSED, "validity.ok")


def check_schemas(document: dict[str, Any]) -> list[Check]:
    """OB 3.0 verification step 1: validate against each 1EdTech schema the credential names."""
    entries = document.get("credentialSchema", [])
    checks = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict) or entry.get("type") != SCHEMA_VALIDATOR_TYPE:
            continue
        schema = str(entry.get("id"))
        if not is_bundled_schema(schema):
            checks.append(Check.of("schema", Outcome.WARNING, "schema.unknown", schema=schema))
            continue
        errors = validation_errors(schema, document)
        short = schema.rsplit("/", 1)[-1]
        if errors:
            reason = "; ".join(errors)
            checks.append(
                Check.of("schema", Outcome.FAILED, "schema.failed", schema=short, reason=reason)
            )
        else:
            checks.append(Check.of("schema", Outcome.PASSED, "schema.ok", schema=short))
    return checks
