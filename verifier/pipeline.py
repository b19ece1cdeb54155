"""The one verification pipeline every surface uses (CLI, API, employer page, passport import).

parse -> format -> proof -> issuer key -> issuer trust -> validity -> status -> schema, then the
credentials inside a CLR or a presentation, each with its own report (issue #4). It returns a
report for every credential it can read; only input that is not a credential at all raises
``InvalidInput`` (``verifier.inputs``).

>>> from credentials.did import offline_resolver
>>> from datetime import UTC, datetime
>>> context = VerificationContext(datetime.now(UTC), offline_resolver(),
...                               OfflineStatusLists({}, datetime.now(UTC)))
>>> verify_document({"type": "nothing"}, context).verdict.value
'not_verified'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from credentials import (
    AUTHENTICATION,
    Check,
    CredentialSummary,
    Outcome,
    PassportError,
    ProofExpectations,
    Verdict,
    is_plain,
    issuer_id_of,
    kind_of,
    laid_out,
    one_tree,
    ordered,
    signed_view,
    summarize,
    verdict_of,
    without_proof,
)
from verifier.checks import (
    check_format,
    check_issuer_key,
    check_issuer_trust,
    check_schemas,
    check_validity,
)
from verifier.context import OfflineStatusLists, VerificationContext, dated
from verifier.guards import refuse_oversized
from verifier.inputs import VerifiableInput
from verifier.key_compromise import honour_key_compromise, jws_signature, proof_value_of
from verifier.legacy_badges import is_ob2_assertion, ob2_checks
from verifier.proof_check import ProofOutcome, check_embedded_proofs, check_jws
from verifier.status_check import check_status

__all__ = [
    "OfflineStatusLists",
    "VerificationReport",
    "verify_collection",
    "verify_document",
    "verify_input",
]

ENVELOPED_JWT_PREFIX = "data:application/vc+jwt,"
MAX_PARTS = 500


@dataclass(frozen=True)
class VerificationReport:
    """``parts``: the credentials inside a CLR or a presentation; ``endorsements``: the
    EndorsementCredentials attached to the credential, its issuer or its achievement."""

    verdict: Verdict
    checks: tuple[Check, ...]
    summary: CredentialSummary | None
    parts: tuple[VerificationReport, ...] = ()
    endorsements: tuple[VerificationReport, ...] = ()

    @property
    def verified(self) -> bool:
        return self.verdict in (Verdict.VERIFIED, Verdict.VERIFIED_WITH_WARNINGS)


def _report(
    checks: list[Check],
    summary: CredentialSummary | None,
    parts: list[VerificationReport],
    endorsements: list[VerificationReport] | None = None,
) -> VerificationReport:
    if parts:
        checks.append(_contents_check(parts))
    if endorsements:
        checks.append(_endorsements_check(endorsements))
    ordered_checks = tuple(ordered(checks))
    return VerificationReport(
        verdict_of(ordered_checks), ordered_checks, summary, tuple(parts), tuple(endorsements or ())
    )


def _endorsements_check(endorsements: list[VerificationReport]) -> Check:
    """Check 8: an endorsement that does not verify is a warning about the endorsement, not a
    failure of the credential it endorses (OB 3.0 verification step 6)."""
    count = str(len(endorsements))
    bad = [report for report in endorsements if not report.verified]
    if not bad:
        return Check.of("endorsements", Outcome.PASSED, "endorsements.ok", count=count)
    return Check.of(
        "endorsements", Outcome.WARNING, "endorsements.problem", bad=str(len(bad)), count=count
    )


def _attached_endorsements(document: dict[str, Any]) -> list[Any]:
    """OB 3.0 attaches ``endorsement`` (and ``endorsementJwt``) to the credential, to Profiles
    (its issuer, an achievement's creator) and to its Achievement (OB 3.0 B.1.1, B.1.2, B.2.4)."""
    subject = document.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    achievements = [item.get("achievement") for item in subjects if isinstance(item, dict)]
    holders = [document, document.get("issuer"), *achievements]
    holders += [item.get("creator") for item in achievements if isinstance(item, dict)]
    found: list[Any] = []
    for holder in holders:
        if isinstance(holder, dict):
            for name in ("endorsement", "endorsementJwt"):
                value = holder.get(name, [])
                found.extend(value if isinstance(value, list) else [value])
    return found[:MAX_PARTS]


def _contents_check(parts: list[VerificationReport]) -> Check:
    bad = [part for part in parts if part.verdict is not Verdict.VERIFIED]
    count = str(len(parts))
    if not bad:
        return Check.of("contents", Outcome.PASSED, "contents.ok", count=count)
    worst = verdict_of([check for part in bad for check in part.checks])
    outcome = {
        Verdict.NOT_VERIFIED: Outcome.FAILED,
        Verdict.COULD_NOT_FULLY_CHECK: Outcome.COULD_NOT_CHECK,
    }.get(worst, Outcome.WARNING)
    return Check.of("contents", outcome, "contents.problem", bad=str(len(bad)), count=count)


def verify_input(item: VerifiableInput, context: VerificationContext) -> VerificationReport:
    if item.token is not None:
        return verify_token(item.token, context)
    assert item.document is not None
    return verify_document(item.document, context)


def verify_collection(
    items: Sequence[VerifiableInput], context: VerificationContext
) -> VerificationReport:
    """The credentials of one of our passport's share links: each verified on its own, as the
    parts of one report. Like an unsigned presentation, nothing binds them to a holder, so
    the report claims only what each part proves (``contents``)."""
    parts = [verify_input(item, context) for item in items[:MAX_PARTS]]
    return _report([Check.of("format", Outcome.PASSED, "format.ok.collection")], None, parts)


def verify_token(token: str, context: VerificationContext) -> VerificationReport:
    try:
        outcome = check_jws(token, context.resolver, context.now, context.leeway)
    except PassportError as error:
        failed = Check.of("format", Outcome.FAILED, "format.invalid", reason=error.message)
        return _report([failed], None, [])
    if outcome.credential is None:
        return _report([outcome.proof.check], None, [])
    refuse_oversized(outcome.credential)
    try:
        signed = read_signed(outcome.credential)
    except PassportError as error:
        return _unreadable(error)
    proof = honour_key_compromise(outcome.proof, jws_signature(token), context)
    return _verify_credential(outcome.credential, signed, proof, context)


def verify_document(document: dict[str, Any], context: VerificationContext) -> VerificationReport:
    if kind_of(document) == "presentation":
        return _verify_presentation(document, context)
    if is_ob2_assertion(document):
        return _report(ob2_checks(document, context.hosted_assertions), None, [])
    try:
        signed = read_signed(without_proof(document))
    except PassportError as error:
        return _unreadable(error)
    expectations = dated(ProofExpectations(), context)
    proof = check_embedded_proofs(document, context.resolver, expectations, issuer_id_of(signed))
    method = proof.accepted.verification_method if proof.accepted else None
    signature = proof_value_of(document, method) if method else None
    proof = honour_key_compromise(proof, signature, context)
    return _verify_credential(document, signed, proof, context)


def read_signed(document: dict[str, Any]) -> dict[str, Any]:
    """What the checks read: ``document`` itself when its JSON says what its graph says, else
    the graph's statements in the plain spelling (``credentials.signed_view``, issue #12); a
    document laid out as separate nodes is first nested again (``credentials.signed_tree``)."""
    if laid_out(document):
        document = one_tree(document)
    return document if is_plain(document) else signed_view(document)


def _unreadable(error: PassportError) -> VerificationReport:
    reason = f"what was signed cannot be read: {error.message}"
    return _report([Check.of("format", Outcome.FAILED, "format.invalid", reason=reason)], None, [])


def _verify_credential(
    document: dict[str, Any],
    signed: dict[str, Any],
    proof: ProofOutcome,
    context: VerificationContext,
) -> VerificationReport:
    """``document`` as received (its CLR members and endorsements are verified each on their
    own); ``signed``, what its proof covers, for every check (``read_signed``)."""
    key_check = check_issuer_key(signed, proof.accepted, proof.foreign_key)
    checks = [
        check_format(signed),
        proof.check,
        key_check,
        check_issuer_trust(signed, proof.accepted, key_check, context),
        check_validity(signed, context),
        check_status(signed, context),
        *check_schemas(signed),
    ]
    parts = [_verify_member(member, context) for member in _clr_members(document)]
    endorsements = [_verify_member(item, context) for item in _attached_endorsements(document)]
    return _report(checks, summarize(signed), parts, endorsements)


def _clr_members(document: dict[str, Any]) -> list[Any]:
    if kind_of(document) != "clr":
        return []
    subject = document.get("credentialSubject")
    members = subject.get("verifiableCredential", []) if isinstance(subject, dict) else []
    return members[:MAX_PARTS] if isinstance(members, list) else []


def _verify_member(member: Any, context: VerificationContext) -> VerificationReport:
    """A credential inside a CLR or a presentation: JSON, a JWS, or an enveloped JWS."""
    if isinstance(member, dict) and member.get("type") == "EnvelopedVerifiableCredential":
        member = str(member.get("id", "")).removeprefix(ENVELOPED_JWT_PREFIX)
    if isinstance(member, str):
        return verify_token(member, context)
    if isinstance(member, dict):
        return verify_document(member, context)
    failed = Check.of("format", Outcome.FAILED, "format.invalid", reason="not a credential")
    return _report([failed], None, [])


def _verify_presentation(
    document: dict[str, Any], context: VerificationContext
) -> VerificationReport:
    """Check 7: the holder's proof (purpose ``authentication``, the verifier's challenge and
    domain; VC DI 1.0 section 4.4) and that the holder is each credential's subject."""
    requested = context.presentation
    expectations = dated(requested or ProofExpectations(proof_purpose=AUTHENTICATION), context)
    members = document.get("verifiableCredential", [])
    members = members if isinstance(members, list) else [members]
    parts = [_verify_member(member, context) for member in members[:MAX_PARTS]]
    checks = [Check.of("format", Outcome.PASSED, "format.ok.presentation")]
    if "proof" not in document:
        outcome = Outcome.FAILED if requested else Outcome.WARNING
        checks.append(Check.of("presentation", outcome, "presentation.unsigned"))
        return _report(checks, None, parts)
    proof = check_embedded_proofs(document, context.resolver, expectations, _holder_id(document))
    checks.append(_holder_binding(document, proof, parts))
    return _report(checks, None, parts)


def _holder_id(document: dict[str, Any]) -> str | None:
    holder = document.get("holder")
    holder_id = holder.get("id") if isinstance(holder, dict) else holder
    return holder_id if isinstance(holder_id, str) else None


def _holder_binding(
    document: dict[str, Any], proof: ProofOutcome, parts: list[VerificationReport]
) -> Check:
    if proof.accepted is None:
        reason = proof.check.params.get("reason", "the holder's proof did not verify")
        return Check.of("presentation", proof.check.outcome, "presentation.failed", reason=reason)
    holder_id = _holder_id(document)
    signer = proof.accepted.controller or "?"
    if holder_id is not None and holder_id != signer:
        reason = "the presentation was signed by someone other than its holder"
        return Check.of("presentation", Outcome.FAILED, "presentation.failed", reason=reason)
    for part in parts:
        subject = part.summary.subject_id if part.summary else None
        if subject is not None and subject != signer:
            reason = "a credential in it belongs to another subject"
            return Check.of("presentation", Outcome.FAILED, "presentation.failed", reason=reason)
    return Check.of("presentation", Outcome.PASSED, "presentation.ok", holder=signer)
