"""Sign-up by emailed link: the form answers the same whether or not the address has an account.

Issue 13: the sign-up form must not tell anyone which addresses have a passport (OWASP
Authentication cheat sheet, "Authentication and error messages": account creation answers
generically and the rest goes by email). So the form makes no account:

- ``request_sign_up`` checks the shape of the address and password, hashes the password with
  Argon2id either way (so both answers take as long), then
  - for a new address keeps a ``PendingSignUp`` (one per address: a later sign-up replaces it
    and voids the earlier link) and mails a link to ``/passport/signup/<token>``;
  - for an address that has an account mails "you already have a passport: sign in or reset
    your password", and keeps nothing.
  The caller shows the same "check your e-mail" page in both cases.
- The link's token is an ``issuers.mail.tokens`` token (purpose ``signup``, account
  ``signup:<pending id>``): stored hashed, single use, expiring after ``SIGNUP_LIFETIME``.
  Opening the link shows a page; its form's POST (``finish_sign_up``) makes the account, marks
  the address confirmed (the mail reached it), signs in and returns where the learner was
  going (a claim page, say), a path kept in the pending row and never put in the mail.
- Finishing asks for the password chosen at sign-up. Without that, whoever signs up with
  someone else's address could choose the password of the account its owner makes by
  following the link ("account pre-hijacking", Sudhodanan and Paverd, USENIX Security 2022).
  Wrong passwords count against the sign-in limit (``accounts.SIGN_IN_LIMITS``).

Services take the caller's ``Session`` and ``now``; they flush, the caller commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials import Conflict, InvalidInput
from infra import N_
from issuers import (
    SIGNUP_LIFETIME,
    Purpose,
    enqueue,
    issue_token,
    redeem_email_token,
    valid_account,
)
from keys import MasterKey
from passport.wallet import accounts
from passport.wallet.tables import Learner, PendingSignUp
from passport.wallet.tokens import digest

LINK_PATH = "/passport/signup/"
MAIL_KIND_NEW = "learner-signup"
MAIL_KIND_TAKEN = "learner-signup-taken"
SUBJECTS = {
    (MAIL_KIND_NEW, "en"): "Finish creating your Learner Passport",
    (MAIL_KIND_NEW, "fr"): "Terminez la création de votre Passeport d'apprentissage",
    (MAIL_KIND_TAKEN, "en"): "You already have a Learner Passport",
    (MAIL_KIND_TAKEN, "fr"): "Vous avez déjà un Passeport d'apprentissage",
}
BODIES = {
    (MAIL_KIND_NEW, "en"): (
        "Hello,\n\nTo finish creating your Learner Passport, open this link and enter the "
        "password you chose:\n{link}\n\nThe link works once, for {hours} hours. If you did not "
        "ask for a Learner Passport, ignore this message: no account is made.\n\n"
        "Learner Passport\n"
    ),
    (MAIL_KIND_NEW, "fr"): (
        "Bonjour,\n\nPour terminer la création de votre Passeport d'apprentissage, ouvrez ce "
        "lien et entrez le mot de passe que vous avez choisi\u202f:\n{link}\n\nLe lien "
        "fonctionne une seule fois, pendant {hours} heures. Si vous n'avez pas demandé de "
        "Passeport d'apprentissage, ignorez ce message\u202f: aucun compte n'est créé.\n\n"
        "Passeport d'apprentissage\n"
    ),
    (MAIL_KIND_TAKEN, "en"): (
        "Hello,\n\nSomeone (we hope you) tried to create a Learner Passport with this "
        "address, but it already has one. Sign in here:\n{login}\n\nForgot your password? "
        "Choose a new one here:\n{forgot}\n\nIf you did not ask, ignore this message: nothing "
        "has changed.\n\nLearner Passport\n"
    ),
    (MAIL_KIND_TAKEN, "fr"): (
        "Bonjour,\n\nQuelqu'un (vous, nous l'espérons) a tenté de créer un Passeport "
        "d'apprentissage avec cette adresse, mais elle en a déjà un. Connectez-vous ici\u202f:"
        "\n{login}\n\nMot de passe oublié\u202f? Choisissez-en un nouveau ici\u202f:\n{forgot}"
        "\n\nSi vous n'avez rien demandé, ignorez ce message\u202f: rien n'a changé.\n\n"
        "Passeport d'apprentissage\n"
    ),
}
LINK_GONE = N_("this link has expired or was already used; sign up again")


@dataclass(frozen=True)
class Finished:
    """A finished sign-up: the new session, and the path the learner was going to."""

    signed_in: accounts.SignedIn
    next_path: str


def request_sign_up(
    session: Session,
    *,
    email: str,
    password: str,
    next_path: str,
    base_url: str,
    lang: str,
    now: datetime,
) -> None:
    """Mail the sign-up link, or "you already have a passport"; ``InvalidInput`` only for an
    address or password of the wrong shape (which says nothing about accounts)."""
    address = accounts.normalized_email(email)
    hashed = accounts.password_hash(accounts.checked_password(password))
    taken = session.exec(select(Learner.id).where(Learner.email == address)).first()
    mail_lang = lang if lang == "fr" else "en"
    if taken is not None:
        _mail(session, MAIL_KIND_TAKEN, address, mail_lang, now, _taken_links(base_url))
        return
    pending = _keep_pending(session, address, hashed, next_path, now)
    token = issue_token(session, Purpose.SIGNUP, _account(pending.id), now)
    link = {"link": f"{base_url.rstrip('/')}{LINK_PATH}{token}"}
    hours = int(SIGNUP_LIFETIME.total_seconds() // 3600)
    _mail(session, MAIL_KIND_NEW, address, mail_lang, now, link | {"hours": str(hours)})


def link_is_valid(session: Session, token: str, now: datetime) -> bool:
    return _pending_of(session, valid_account(session, Purpose.SIGNUP, token, now)) is not None


def finish_sign_up(
    session: Session,
    master: MasterKey,
    *,
    token: str,
    password: str,
    client_address: str,
    now: datetime,
) -> Finished:
    """Make the account of the link's pending sign-up and sign in, if ``password`` is the one
    chosen at sign-up. ``InvalidInput`` for a bad link, ``SignInRefused`` (recorded: the
    caller commits it) for a wrong password, ``TooManyAttempts`` after too many."""
    pending = _pending_of(session, valid_account(session, Purpose.SIGNUP, token, now))
    if pending is None:
        raise InvalidInput(LINK_GONE)
    account_key = digest(pending.email)
    limits = accounts.SIGN_IN_LIMITS
    limits.enforce(session, account_key=account_key, client_address=client_address, now=now)
    if not accounts.password_matches(pending.password_hash, password):
        limits.record_failure(
            session, account_key=account_key, client_address=client_address, now=now
        )
        raise accounts.SignInRefused(N_("this is not the password you chose when you signed up"))
    if redeem_email_token(session, Purpose.SIGNUP, token, now) is None:
        raise InvalidInput(LINK_GONE)  # another request used the link a moment ago
    signed_in = accounts.create_account(
        session,
        master,
        email=pending.email,
        hashed_password=pending.password_hash,
        now=now,
        confirmed=True,
    )
    next_path = pending.next_path
    session.delete(pending)
    limits.forget_account(session, account_key)
    session.flush()
    return Finished(signed_in, next_path)


def _keep_pending(
    session: Session, address: str, hashed: str, next_path: str, now: datetime
) -> PendingSignUp:
    """The address's pending sign-up, made or replaced; expired ones of anyone are dropped."""
    session.exec(delete(PendingSignUp).where(col(PendingSignUp.expires_at) <= now))
    for _attempt in range(2):
        found = session.exec(select(PendingSignUp.id).where(PendingSignUp.email == address))
        pending = PendingSignUp(
            id=found.first() or str(uuid.uuid4()),
            email=address,
            password_hash=hashed,
            next_path=next_path,
            created_at=now,
            expires_at=now + SIGNUP_LIFETIME,
        )
        pending = session.merge(pending)  # the row of the same id, if any, is replaced
        try:
            session.flush()
            return pending
        except IntegrityError:
            # Another request made this address's row at the same moment: replace that one.
            session.rollback()
    raise Conflict(N_("this address is being signed up right now; try again in a moment"))


def _mail(
    session: Session, kind: str, to: str, lang: str, now: datetime, values: dict[str, str]
) -> None:
    body = BODIES[(kind, lang)].format(**values)
    enqueue(session, kind=kind, to=to, subject=SUBJECTS[(kind, lang)], body=body, now=now)


def _taken_links(base_url: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    return {"login": f"{base}/passport/login", "forgot": f"{base}/passport/forgot"}


def _account(pending_id: str) -> str:
    return f"signup:{pending_id}"


def _pending_of(session: Session, account: str | None) -> PendingSignUp | None:
    prefix = _account("")
    if account is None or not account.startswith(prefix):
        return None
    return session.get(PendingSignUp, account.removeprefix(prefix))
