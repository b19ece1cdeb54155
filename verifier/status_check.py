"""Check 6, "status": revoked, suspended, not revoked, or could not check.

Bitstring Status List 1.0 section 3.2 "Validate Algorithm": fetch the list credential, verify its
proof, check its purpose and range, read the bit. We add one rule the spec leaves to verifiers:
the list must name the credential's own issuer and be signed with one of that issuer's keys (the
issuer-key check, applied to the list), or anyone could publish a list that "un-revokes" a
credential. A list that verifies but is someone else's is a detected forgery: ``failed``
(section 3.2 raises STATUS_VERIFICATION_ERROR). Anything else that stops us from reading the bit
is ``could_not_check`` with the reason and the time of the attempt, never "not revoked".
"""

from __future__ import annotations

from typing import Any

from credentials import (
    ENTRY_TYPE,
    LEGACY_ENTRY_TYPE,
    Check,
    Outcome,
    PassportError,
    ProofExpectations,
    ProofVerification,
    issuer_id_of,
    parse_status_entry,
    status_of,
)
from verifier.checks import check_issuer_key
from verifier.context import FetchedDocument, VerificationContext, dated
from verifier.key_compromise import honour_key_compromise
from verifier.proof_check import check_embedded_proofs, check_jws
from verifier.verified_lists import RecordingResolver, VerifiedLists

CHECK_ID = "status"
KNOWN_PURPOSES = ("revocation", "suspension")
# Bitstring Status List 1.0 section 2.1: "refresh" and "message" say nothing about validity.
INFORMATIONAL_PURPOSES = ("refresh", "message")
CHECKED_TYPES = (ENTRY_TYPE, LEGACY_ENTRY_TYPE)
_ASSERTION = ProofExpectations()


def _entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    items = status if isinstance(status, list) else [status]
    return [item for item in items if isinstance(item, dict)]


def _unavailable(reason: str, checked_at: str, problem: str | None = None) -> Check:
    return Check.of(
        CHECK_ID,
        Outcome.COULD_NOT_CHECK,
        "status.unavailable",
        problem,
        reason=reason,
        checked_at=checked_at,
    )


def _reuse_slot(
    fetched: FetchedDocument, context: VerificationContext
) -> tuple[VerifiedLists, str] | None:
    """Where this list's verification may be remembered: a JSON list with its digest, when the
    context keeps verified lists."""
    lists, digest = context.verified_lists, fetched.digest
    if lists is None or digest is None or isinstance(fetched.content, str):
        return None
    return lists, digest


def _verified_list(
    fetched: FetchedDocument, context: VerificationContext
) -> tuple[dict[str, Any], ProofVerification]:
    """The list credential and its accepted proof once that proof verified; ``PassportError``
    with a reason otherwise. A JSON list whose proof already verified, with the same bytes and
    keys, is not checked again (``verifier.verified_lists``); whose list it is, is checked for
    every credential by ``_ownership``."""
    content = fetched.content
    slot = _reuse_slot(fetched, context)
    if slot is not None and isinstance(content, dict):
        accepted = slot[0].reusable(slot[1], context.resolver)
        if accepted is not None:
            return content, accepted
    resolver = RecordingResolver(context.resolver)
    if isinstance(content, str):
        outcome = check_jws(content, resolver, context.now, context.leeway)
        proof, document = outcome.proof, outcome.credential
    else:
        expectations = dated(_ASSERTION, context)
        proof, document = check_embedded_proofs(content, resolver, expectations), content
    proof = honour_key_compromise(proof, None, context)
    if proof.check.outcome is not Outcome.PASSED or document is None or proof.accepted is None:
        raise PassportError("the status list's own signature did not verify")
    if slot is not None:
        slot[0].remember(slot[1], proof.accepted, resolver)
    return document, proof.accepted


def _ownership(
    status_list: dict[str, Any],
    signer: ProofVerification,
    credential: dict[str, Any],
    context: VerificationContext,
) -> str | None:
    """Why the list is not the issuer's own (None when it is); ``PassportError`` when its key
    cannot be tied to any issuer at all (an issuer id that names no keys). Our own records may
    say that two DIDs are one institution of ours (a did:key institution after rotation)."""
    list_issuer, issuer = issuer_id_of(status_list), issuer_id_of(credential)
    own = context.own_records
    if list_issuer != issuer and not (
        own is not None and list_issuer and issuer and own.same_institution(list_issuer, issuer)
    ):
        return "the status list names another issuer"
    binding = check_issuer_key(status_list, signer)
    if binding.outcome is Outcome.FAILED:
        return "the status list was signed with a key that is not the issuer's"
    if binding.outcome is not Outcome.PASSED:
        raise PassportError("the status list's signing key cannot be tied to its issuer")
    return None


def _unchecked_kind(entries: list[dict[str, Any]]) -> str | None:
    """The first status entry this verifier cannot read, named by its type (or purpose): an
    entry we cannot read may say "revoked", so it is never taken as "not revoked"."""
    for entry in entries:
        kinds = entry.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(kind in CHECKED_TYPES for kind in kinds):
            return ", ".join(str(kind) for kind in kinds)
        purpose = entry.get("statusPurpose")
        if purpose not in KNOWN_PURPOSES + INFORMATIONAL_PURPOSES:
            return f"{ENTRY_TYPE} ({purpose!r})"
    return None


def check_status(credential: dict[str, Any], context: VerificationContext) -> Check:
    checked_at = context.now.strftime("%Y-%m-%d %H:%M UTC")
    all_entries = _entries(credential)
    unreadable = _unchecked_kind(all_entries)
    if unreadable is not None:
        return Check.of(CHECK_ID, Outcome.COULD_NOT_CHECK, "status.unsupported", kind=unreadable)
    entries = [entry for entry in all_entries if entry.get("statusPurpose") in KNOWN_PURPOSES]
    if not entries:
        return Check.of(CHECK_ID, Outcome.PASSED, "status.none")
    for entry in entries:
        try:
            parsed = parse_status_entry(entry)
            fetched = context.status_lists.fetch_status_list(parsed.list_url)
            checked_at = fetched.fetched_at.strftime("%Y-%m-%d %H:%M UTC")
            status_list, signer = _verified_list(fetched, context)
            forged = _ownership(status_list, signer, credential, context)
            if forged is not None:
                return Check.of(
                    CHECK_ID, Outcome.FAILED, "status.forged", reason=forged, checked_at=checked_at
                )
            value = status_of(parsed, status_list)
        except PassportError as error:
            return _unavailable(error.message, checked_at, getattr(error, "problem", None))
        if not value.valid:
            key = "status.revoked" if parsed.purpose == "revocation" else "status.suspended"
            return Check.of(CHECK_ID, Outcome.FAILED, key, checked_at=checked_at)
    return Check.of(CHECK_ID, Outcome.PASSED, "status.active", checked_at=checked_at)
