"""``passport demo``, second half: people to play every journey with, on top of the catalog.

- a registrar account for each demo institution (``registrar@<institution's host>``), whose
  sign-in the console's login page shows in demo mode only (``DEMO_PASSWORD``);
- two learners, each holding credentials from two institutions, put in their passports the way
  a learner does it: the institution issues the award and makes an OpenID4VCI offer, and the
  learner's passport claims it (in-process, ``passport.wallet.own_issuer``) and verifies it;
- an employer's presentation request, whose link is printed (its viewer key is shown once).

Running it again adds nothing that exists (accounts are found by email), except a new employer
request, since the link of an earlier one was printed only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI
from sqlmodel import Session, col, select

from issuers import (
    DEMO_PASSWORD,
    AwardRequest,
    add_demo_registrar,
    context_for,
    create_offer,
    demo_sign_ins,
    find_program,
    get_institution,
    issue_recorded,
    offer_uri,
)
from issuers import Learner as AwardLearner
from keys import MasterKey
from passport.wallet import accounts, claim, presenting
from passport.wallet.tables import Learner
from passport.wallet.web import WalletState, learner_signer
from portal import demo_catalog


@dataclass(frozen=True)
class DemoLearner:
    name: str
    email: str
    awards: tuple[tuple[str, str], ...]  # (institution slug, program slug)


DEMO_LEARNERS = (
    DemoLearner(
        "Amira Haddad",
        "amira.haddad@example.com",
        (
            ("northern-lights-college", "industrial-welding-gmaw"),
            ("trillium-university", "python-for-data-analysis"),
        ),
    ),
    DemoLearner(
        "Jean Tremblay",
        "jean.tremblay@example.com",
        (
            ("college-des-grands-lacs", "soins-palliatifs-domicile"),
            ("lakeshore-college", "dementia-care-for-psws"),
        ),
    ),
)


@dataclass(frozen=True)
class JourneyReport:
    staff: list[tuple[str, str]]  # (institution name, email)
    learners_added: int
    credentials_claimed: int
    employer_request_link: str


def _staff(session: Session, now: datetime) -> None:
    for row in demo_catalog()["institutions"]:
        add_demo_registrar(session, get_institution(session, row["slug"]), now)
    session.commit()


def _offer_link(
    session: Session,
    master: MasterKey,
    base_url: str,
    person: DemoLearner,
    learner: Learner,
    award: tuple[str, str],
    now: datetime,
) -> str:
    institution = get_institution(session, award[0])
    program = find_program(session, institution, award[1])
    assert program is not None, award
    context = context_for(session, master, base_url, institution, program, now)
    request = AwardRequest(AwardLearner(person.name, person.email, learner.did))
    issued = issue_recorded(session, context, request, now, actor="demo")
    created = create_offer(session, issued, now)
    session.commit()
    return offer_uri(base_url, created.secret)


def _learners(session: Session, app: FastAPI, master: MasterKey, now: datetime) -> tuple[int, int]:
    wallet: WalletState = app.state.wallet
    base_url = app.state.settings.base_url
    added = claimed = 0
    for person in DEMO_LEARNERS:
        if session.exec(select(Learner).where(col(Learner.email) == person.email)).first():
            continue
        learner = accounts.sign_up(
            session, master, email=person.email, password=DEMO_PASSWORD, now=now
        ).learner
        learner.email_confirmed_at = now  # the demo's addresses receive no mail: no banner
        signer = learner_signer(wallet, session, learner, now)
        session.commit()
        added += 1
        for award in person.awards:
            link = _offer_link(session, master, base_url, person, learner, award, now)
            claim.claim_into_passport(
                session,
                learner,
                link,
                "",
                signer=signer,
                http=wallet.issuer_http.for_one_claim(),
                verify=lambda item: wallet.live.verify(item, now),
                now=now,
            )
            session.commit()
            claimed += 1
    return added, claimed


def seed_demo_journey(
    session: Session, app: FastAPI, master: MasterKey, now: datetime
) -> JourneyReport:
    """Add the demo's people (see the module docstring) and commit."""
    _staff(session, now)
    added, claimed = _learners(session, app, master, now)
    base_url = app.state.settings.base_url
    made = presenting.create_request(session, domain=base_url, now=now)
    session.commit()
    link = f"{base_url}/presentation-requests/{made.request.id}?key={made.viewer_key}"
    return JourneyReport(demo_sign_ins(session), added, claimed, link)
