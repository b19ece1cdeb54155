"""Awarding: the ONE signing path of an OpenBadgeCredential (status changes of awards are in
``issuers.awards.status_changes``).

``award_values`` builds the credential once (from the context's template,
``credentials.models.AchievementCredentialTemplate``) and secures that same document twice,
with ``eddsa-rdfc-2022`` (JSON-LD) and the institution's JWT format (``vc+jwt``, or OB 3.0's
own ``ob-jwt``, ``Institution.jwt_format``); both texts are stored as issued, with the exact key
id that signed them. Single awards (``issue_award``, through ``signed_award``), cohorts and the
benchmark all come through here.

The learner (OB 3.0 section B.1.2 AchievementSubject, "identifier"): the email is only ever in
the credential as a salted SHA-256 ``IdentityObject`` (``hashed: true``); the learner's DID, when
known, is the subject ``id``; the name is an unhashed ``name`` identifier only when the
institution's policy says so (``Institution.include_learner_name``). ``email_matches`` lets a
verifier check a claimed email against the hash.

OB 3.0 (and its JSON Schema) allows ONE ``credentialStatus``; a credential therefore carries one
``BitstringStatusListEntry``: ``suspension`` (reversible) when the institution offers
suspension, ``revocation`` otherwise. Revoking a suspension-purpose credential sets its bit for
good: revocation is final in our records whatever the list's purpose.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from credentials import (
    InvalidInput,
    NotFound,
    Signer,
    normalize_email,
    secure,
    validate_document,
)
from credentials.models import (
    Achievement,
    AchievementCredentialTemplate,
    AchievementSubject,
    Evidence,
    IdentityObject,
    Result,
    bitstring_status_entry,
    hashed_identity_object,
    identity_matches,
)
from issuers.audit import chain as audit_chain
from issuers.audit import log as audit
from issuers.awards import status_lists
from issuers.awards.status_lists import StatusSlot
from issuers.awards.tables import Award, AwardState, StatusPurpose
from issuers.identity import SignedCredentialCounter, issuer_profile
from issuers.tables import Institution, Program

LDP_MECHANISM = "eddsa-rdfc-2022"
# Deliberately simple: one @, no spaces, a dot in the domain (RFC 5321 is far looser).
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,63}")
_DID = re.compile(r"did:[a-z0-9]+:\S{1,500}")
MAX_NAME_LENGTH = 300
MAX_RESULT_LENGTH = 200
MAX_EVIDENCE_ITEMS = 20


@dataclass(frozen=True)
class Learner:
    name: str
    email: str
    did: str | None = None

    def checked_name(self) -> str:
        name = self.name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(
                "the learner's name must be 1 to %(limit)s characters",
                params={"limit": MAX_NAME_LENGTH},
            )
        return name

    def checked_email(self) -> str:
        email = normalize_email(self.email)
        if len(email) > 320 or not _EMAIL.fullmatch(email):
            raise InvalidInput("%(email)s is not an email address", params={"email": repr(email)})
        return email

    def checked_did(self) -> str | None:
        did = (self.did or "").strip() or None
        if did is not None and not _DID.fullmatch(did):
            raise InvalidInput("%(did)s is not a DID", params={"did": repr(did)})
        return did

    def checked(self) -> Learner:
        """The learner with whitespace trimmed and the email lower-cased, or ``InvalidInput``."""
        return Learner(self.checked_name(), self.checked_email(), self.checked_did())


@dataclass(frozen=True)
class AwardRequest:
    """One award: the learner, what they achieved and when. Dates are timezone-aware."""

    learner: Learner
    result: str | None = None
    evidence: Sequence[Mapping[str, Any]] = ()
    awarded_on: datetime | None = None
    valid_until: datetime | None = None
    external_id: str | None = None
    # The language of the award email (en/fr); None: the program's (issuers.awards.mail).
    language: str | None = None


@dataclass(frozen=True)
class IssuingContext:
    """Everything shared by the awards of one program: made once per request or cohort chunk."""

    base_url: str
    institution: Institution
    program: Program
    achievement: Achievement
    signer: Signer = field(repr=False)
    # The Achievement in other languages the program is written in, by language.
    translations: Mapping[str, Achievement] = field(default_factory=dict)
    # The credential template of each language used so far (``template_in``).
    _templates: dict[str, AchievementCredentialTemplate] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def purpose(self) -> str:
        return status_purpose_for(self.institution)

    def achievement_in(self, language: str | None) -> Achievement:
        """The Achievement in ``language`` when the program is written in it, else the default."""
        return self.translations.get(language or "", self.achievement)

    def template_in(self, language: str | None) -> AchievementCredentialTemplate:
        """The credentials' shared members in ``language`` (as ``achievement_in``), made once:
        the issuer and the Achievement are emitted and read once for a whole cohort chunk."""
        key = language if language and language in self.translations else ""
        template = self._templates.get(key)
        if template is None:
            achievement = self.achievement_in(key)
            template = AchievementCredentialTemplate(
                issuer=issuer_profile(self.institution),
                achievement=achievement,
                name=achievement.name if isinstance(achievement.name, str) else None,
            )
            self._templates[key] = template
        return template


def status_purpose_for(institution: Institution) -> str:
    if institution.offers_suspension:
        return StatusPurpose.SUSPENSION.value
    return StatusPurpose.REVOCATION.value


def issuing_context(
    base_url: str,
    institution: Institution,
    program: Program,
    achievement: Mapping[str, Any],
    signer: Signer,
    translations: Mapping[str, Mapping[str, Any]] | None = None,
) -> IssuingContext:
    if program.institution_id != institution.id:
        raise NotFound(f"program {program.slug!r} is not one of {institution.slug!r}'s programs")
    parsed = _achievement(achievement)
    translated = {language: _achievement(item) for language, item in (translations or {}).items()}
    return IssuingContext(base_url.rstrip("/"), institution, program, parsed, signer, translated)


def _achievement(achievement: Mapping[str, Any]) -> Achievement:
    return validate_document(Achievement, dict(achievement), what="achievement", reading=False)


def issue_award(
    session: Session,
    context: IssuingContext,
    request: AwardRequest,
    now: datetime,
    *,
    slot: StatusSlot | None = None,
    batch_id: str | None = None,
) -> Award:
    """Sign and store one award. Flushes only; the caller commits (or rolls back: nothing stays).

    ``slot`` is a status entry reserved beforehand (cohorts reserve a block at once); without
    one, an entry is allocated here, and if none can be, nothing is signed or stored.
    """
    if slot is None:
        request.learner.checked()
        slot = status_lists.allocate(session, context.institution, context.purpose, 1, now)[0]
    award = signed_award(context, request, now, slot, batch_id=batch_id)
    session.add(award)
    session.flush()
    return award


def signed_award(
    context: IssuingContext,
    request: AwardRequest,
    now: datetime,
    slot: StatusSlot,
    *,
    batch_id: str | None = None,
) -> Award:
    """The award row of one credential built once and secured in both forms (no database)."""
    return Award(**award_values(context, request, now, slot, batch_id=batch_id))


def award_values(
    context: IssuingContext,
    request: AwardRequest,
    now: datetime,
    slot: StatusSlot,
    *,
    batch_id: str | None = None,
) -> dict[str, Any]:
    """The column values of one award (``signed_award``'s row): cohorts insert a group's values
    in one statement (``issuers.cohorts.batch_store``) without building a model object for each."""
    learner = request.learner.checked()
    institution = context.institution
    award_id = str(uuid.uuid4())
    credential = context.template_in(request.language).build(
        credential_id=f"urn:uuid:{award_id}",
        subject=_subject(institution, learner, request),
        valid_from=now,
        valid_until=request.valid_until,
        awarded_date=request.awarded_on or now,
        credential_status=bitstring_status_entry(
            status_list_credential=status_lists.status_list_url(context.base_url, slot.list_id),
            index=slot.index,
            status_purpose=slot.purpose,
        ),
        evidence=_evidence(request.evidence),
    )
    signed_ldp = secure(credential, context.signer, LDP_MECHANISM, now=now)
    signed_jwt = secure(credential, context.signer, institution.jwt_format, now=now)
    return {
        "id": award_id,
        "institution_id": _stored_id(institution.id),
        "program_id": _stored_id(context.program.id),
        "external_id": request.external_id,
        "batch_id": batch_id,
        "credential_id": credential["id"],
        "learner_name": learner.name,
        "learner_email": learner.email,
        "learner_did": learner.did,
        "result": request.result,
        "signing_key_id": context.signer.verification_method,
        "status_list_id": slot.list_id,
        "status_index": slot.index,
        "status_purpose": slot.purpose,
        "state": AwardState.ACTIVE.value,
        "ldp_credential": json.dumps(signed_ldp, ensure_ascii=False),
        "jwt_credential": str(signed_jwt),
        "valid_from": now,
        "valid_until": request.valid_until,
        "issued_at": now,
        "replaced_by": None,
    }


def _stored_id(row_id: int | None) -> int:
    if row_id is None:
        raise NotFound("the institution or program is not stored")
    return row_id


def _subject(
    institution: Institution, learner: Learner, request: AwardRequest
) -> AchievementSubject:
    identifiers = [hashed_identity_object(learner.email, salt=secrets.token_hex(16))]
    if institution.include_learner_name:
        identifiers.append(
            IdentityObject(hashed=False, identity_hash=learner.name, identity_type="name")
        )
    result = request.result.strip() if request.result else None
    if result is not None and len(result) > MAX_RESULT_LENGTH:
        raise InvalidInput(f"the result must be at most {MAX_RESULT_LENGTH} characters")
    return AchievementSubject(
        id=learner.did,
        identifier=identifiers,
        result=[Result(value=result)] if result else None,
    )


def _evidence(items: Sequence[Mapping[str, Any]]) -> list[Evidence]:
    if len(items) > MAX_EVIDENCE_ITEMS:
        raise InvalidInput(f"at most {MAX_EVIDENCE_ITEMS} evidence items are allowed")
    return [
        validate_document(Evidence, dict(item), what=f"evidence[{position}]", reading=False)
        for position, item in enumerate(items)
    ]


def email_matches(credential: Mapping[str, Any], email: str) -> bool:
    """Whether ``email`` is the address a hashed ``emailAddress`` identifier stands for.

    Emails are compared in their normal form (``normalize_email``), as they were hashed.
    """
    subject = credential.get("credentialSubject")
    identifiers = subject.get("identifier") if isinstance(subject, Mapping) else None
    if not isinstance(identifiers, list):
        return False
    claimed = normalize_email(email)
    for item in identifiers:
        identity = validate_document(IdentityObject, item, what="identifier")
        if identity_matches(identity, claimed, identity_type="emailAddress"):
            return True
    return False


def get_award(session: Session, institution: Institution, award_id: str) -> Award:
    """The institution's award; another institution's award is "not found", never shown."""
    award = session.get(Award, award_id)
    if award is None or award.institution_id != institution.id:
        raise NotFound(f"no award {award_id!r}")
    return award


def find_award(
    session: Session, institution_id: int, program_id: int, external_id: str
) -> Award | None:
    statement = select(Award).where(
        Award.institution_id == institution_id,
        Award.program_id == program_id,
        Award.external_id == external_id,
    )
    return session.exec(statement).first()


def award_ids_by_external_id(
    session: Session, institution_id: int, program_id: int, external_ids: Sequence[str]
) -> dict[str, str]:
    """The ids of the program's awards among ``external_ids``, by external id (one query for a
    group; the two columns only: an award's credential texts are not read to say it exists)."""
    statement = select(Award.external_id, Award.id).where(
        Award.institution_id == institution_id,
        Award.program_id == program_id,
        col(Award.external_id).in_(external_ids),
    )
    return {str(external_id): award_id for external_id, award_id in session.exec(statement)}


def awards_signed_after(session: Session) -> SignedCredentialCounter:
    """``SignedCredentialCounter`` over awards (for ``issuers.counters``): how many credentials
    the key ``key_id`` signed at or after ``since``."""

    def count(key_id: str, since: datetime) -> int:
        statement = select(func.count()).where(
            Award.signing_key_id == key_id, col(Award.issued_at) >= since
        )
        return int(session.exec(statement).one())

    return count


def issue_recorded(
    session: Session, context: IssuingContext, request: AwardRequest, now: datetime, *, actor: str
) -> Award:
    """Issue one award (``issue_award``) and record it in the audit log, in the same session."""
    audit_chain.lock(session, _stored_id(context.institution.id))  # before the status list's
    award = issue_award(session, context, request, now)
    audit.record(
        session,
        institution_id=award.institution_id,
        award_id=award.id,
        actor=actor,
        action=audit.AuditAction.ISSUE,
        reason=f"issued for program {context.program.slug}",
        now=now,
    )
    return award
