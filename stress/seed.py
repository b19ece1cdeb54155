"""The data the load mix needs, made through the components' own services before the run.

An institution (did:key, so verification resolves its key without the network), a program, an
API key, signed credentials to verify; and, where the learner's passport is there to take them, a
learner with a session, stored credentials and a share link. Each part that cannot be made (a
component not written yet, its tables not migrated) is reported with its reason; the runner then
leaves the task types that need it out of the mix and says so.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from credentials.errors import PassportError
from issuers.access import create_api_key
from issuers.api_models import InstitutionCreate, ProgramCreate
from issuers.awards.service import AwardRequest, Learner, issue_award, issuing_context
from issuers.identity import signer_for_institution
from issuers.institutions import create_institution
from issuers.programs.achievements import achievement_for
from issuers.programs.service import create_program
from issuers.tables import Institution, Program
from keys.crypto_envelope import MasterKey
from passport.wallet.accounts import sign_up
from passport.wallet.holdings import Verify, add_credential
from passport.wallet.sharing import create_share

INSTITUTION = "stress-college"
PROGRAM = "welding"
CREDENTIALS = 40


@dataclass
class StressPlan:
    """What the locust users read (as JSON, from the file named by ``STRESS_PLAN``)."""

    institution: str = INSTITUTION
    program: str = PROGRAM
    api_key: str = ""
    credentials: list[str] = field(default_factory=list)
    session_token: str = ""
    stored_credential_ids: list[str] = field(default_factory=list)
    share_tokens: list[str] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> StressPlan:
        return cls(**json.loads(text))


def seed_program(
    session: Session, master: MasterKey, base_url: str, now: datetime
) -> tuple[Institution, Program]:
    """The stress institution (did:key) and its program, flushed, not committed."""
    institution = create_institution(
        session,
        master,
        now,
        base_url,
        InstitutionCreate(
            slug=INSTITUTION,
            legal_name_en="Stress College",
            legal_name_fr="Collège Stress",
            kind="college",
            website="https://college.example.ca",
            contact_email="registrar@college.example.ca",
            did_method="did:key",
        ),
    )
    program = create_program(
        session,
        institution,
        ProgramCreate(slug=PROGRAM, name_en="Welding", hours=40, delivery_mode="in_person"),
        now,
    )
    return institution, program


def seed_issuer(engine: Engine, master: MasterKey, base_url: str, plan: StressPlan) -> None:
    now = datetime.now(UTC)
    with Session(engine) as session:
        institution, program = seed_program(session, master, base_url, now)
        signer = signer_for_institution(session, master, now, institution)
        achievement = achievement_for(base_url, institution, program)
        context = issuing_context(base_url, institution, program, achievement, signer)
        for number in range(CREDENTIALS):
            learner = Learner(f"Learner {number}", f"learner{number}@example.ca")
            award = issue_award(session, context, AwardRequest(learner), now)
            plan.credentials.append(award.ldp_credential)
        _, plan.api_key = create_api_key(session, institution, "stress", ["issue"], now)
        session.commit()


def seed_learner(engine: Engine, master: MasterKey, plan: StressPlan, verify: Verify) -> None:
    """A learner with a session, two stored credentials and a share link.

    Run once the server answers: storing a credential verifies it, status list included."""
    now = datetime.now(UTC)
    try:
        with Session(engine) as session:
            password = secrets.token_urlsafe(16)
            email = "stress.learner@example.ca"
            signed_in = sign_up(session, master, email=email, password=password, now=now)
            stored = [
                add_credential(
                    session, signed_in.learner, text.encode(), verify, source="stress", now=now
                )[0]
                for text in plan.credentials[:2]
            ]
            ids = [item.id for item in stored]
            learner_id = signed_in.learner.id
            share = create_share(session, learner_id, credential_ids=ids, expires_at=None, now=now)
            session.commit()
    except (PassportError, SQLAlchemyError, TypeError) as error:
        reason = f"could not seed a learner: {type(error).__name__}: {error}".splitlines()[0]
        plan.unavailable["passport"] = plan.unavailable["share"] = reason
        return
    plan.session_token = signed_in.token
    plan.stored_credential_ids = ids
    plan.share_tokens = [share.token]
