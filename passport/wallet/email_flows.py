"""A learner's email flows: confirm the address, reset a forgotten password (issue 15).

- A learner who signed up by mail (``passport.wallet.signups``) is confirmed already. An account
  made otherwise (before sign-up went by mail) may do everything, with a banner on the passport
  whose button mails a confirmation link; following it marks the address confirmed.
- "Forgot your password?" always answers the same page, whether or not the address has an
  account (no account enumeration, OWASP Forgot Password cheat sheet); only an existing account
  gets a mail, at most one per ``RESET_PAUSE``. The reset link works once, for
  ``RESET_LIFETIME``; setting the new password ends every session of the account and lifts a
  sign-in lock-out, and a reset also confirms the address (the mail reached it).
- Links are ``/passport/confirm/<token>`` and ``/passport/reset/<token>``: opening one shows a
  page, only its form's POST uses the token up, so a mail scanner that fetches links spends
  nothing. ``passport.redaction`` keeps these tokens out of the logs.
- Mail goes through the outbox (``issuers.mail.outbox``) only; without a relay (production without
  ``PASSPORT_SMTP_URL``) nothing is queued. Mails are in the language of the page the learner
  used (accounts keep no language of their own).

Services take the caller's ``Session`` and ``now``; they flush, the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from credentials import InvalidInput, normalize_email
from infra import N_
from issuers import (
    RESET_PAUSE,
    Purpose,
    issued_since,
    queue_token_mail,
    redeem_email_token,
    valid_account,
)
from passport.wallet import accounts
from passport.wallet.tables import Learner, LearnerSession
from passport.wallet.tokens import digest

SUBJECTS = {
    (Purpose.CONFIRM, "en"): "Confirm your e-mail address for your Learner Passport",
    (
        Purpose.CONFIRM,
        "fr",
    ): "Confirmez votre adresse courriel pour votre Passeport d'apprentissage",
    (Purpose.RESET, "en"): "Reset your Learner Passport password",
    (Purpose.RESET, "fr"): "Réinitialisez le mot de passe de votre Passeport d'apprentissage",
}
BODIES = {
    (Purpose.CONFIRM, "en"): (
        "Hello,\n\nTo confirm that this address is yours, open this link and press "
        '"Confirm":\n{link}\n\nThe link works once, for 2 days. If you did not create a '
        "Learner Passport, ignore this message.\n\nLearner Passport\n"
    ),
    (Purpose.CONFIRM, "fr"): (
        "Bonjour,\n\nPour confirmer que cette adresse est la vôtre, ouvrez ce lien et appuyez "
        "sur « Confirmer » :\n{link}\n\nLe lien fonctionne une seule fois, pendant 2 jours. Si "
        "vous n'avez pas créé de Passeport d'apprentissage, ignorez ce message.\n\n"
        "Passeport d'apprentissage\n"
    ),
    (Purpose.RESET, "en"): (
        "Hello,\n\nSomeone (we hope you) asked to reset the password of your Learner Passport. "
        "Choose a new password here:\n{link}\n\nThe link works once, for {minutes} minutes. "
        "Your other sign-ins will end. If you did not ask, ignore this message: your password "
        "stays as it is.\n\nLearner Passport\n"
    ),
    (Purpose.RESET, "fr"): (
        "Bonjour,\n\nQuelqu'un (vous, nous l'espérons) a demandé à réinitialiser le mot de passe "
        "de votre Passeport d'apprentissage. Choisissez un nouveau mot de passe ici :\n{link}\n\n"
        "Le lien fonctionne une seule fois, pendant {minutes} minutes. Vos autres connexions "
        "prendront fin. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe "
        "reste le même.\n\nPasseport d'apprentissage\n"
    ),
}
PATHS = {Purpose.CONFIRM: "/passport/confirm/", Purpose.RESET: "/passport/reset/"}


def _account(learner_id: str) -> str:
    return f"learner:{learner_id}"


def _queue(
    session: Session, learner: Learner, purpose: Purpose, base_url: str, lang: str, now: datetime
) -> None:
    key = (purpose, lang if lang == "fr" else "en")
    queue_token_mail(
        session,
        purpose,
        _account(learner.id),
        to=learner.email,
        kind=f"learner-{purpose.value}",
        subject=SUBJECTS[key],
        body=BODIES[key],
        link_base=f"{base_url.rstrip('/')}{PATHS[purpose]}",
        now=now,
    )


def send_confirmation(
    session: Session, learner: Learner, base_url: str, lang: str, now: datetime
) -> None:
    """Queue the confirmation link (a new one voids the earlier); nothing once confirmed."""
    if learner.email_confirmed_at is None:
        _queue(session, learner, Purpose.CONFIRM, base_url, lang, now)


def confirm_email(session: Session, token: str, now: datetime) -> bool:
    """Use up a confirmation token; whether it was valid (unused, unexpired)."""
    learner = _learner_of(session, redeem_email_token(session, Purpose.CONFIRM, token, now))
    if learner is None:
        return False
    learner.email_confirmed_at = learner.email_confirmed_at or now
    session.add(learner)
    session.flush()
    return True


def request_reset(session: Session, email: str, base_url: str, lang: str, now: datetime) -> None:
    """Queue a reset link if ``email`` has an account and was sent none within ``RESET_PAUSE``;
    the caller answers the same either way."""
    address = normalize_email(email)
    learner = session.exec(select(Learner).where(Learner.email == address)).first()
    if learner is not None and not issued_since(
        session, Purpose.RESET, _account(learner.id), now - RESET_PAUSE
    ):
        _queue(session, learner, Purpose.RESET, base_url, lang, now)


def reset_link_is_valid(session: Session, token: str, now: datetime) -> bool:
    return valid_account(session, Purpose.RESET, token, now) is not None


def reset_password(session: Session, token: str, password: str, now: datetime) -> None:
    """Set the new password and end every session; ``InvalidInput`` for a bad link or password."""
    accounts.checked_password(password)
    learner = _learner_of(session, redeem_email_token(session, Purpose.RESET, token, now))
    if learner is None:
        raise InvalidInput(N_("this link has expired or was already used; ask for a new one"))
    learner.password_hash = accounts.password_hash(password)
    learner.email_confirmed_at = learner.email_confirmed_at or now
    session.add(learner)
    session.exec(delete(LearnerSession).where(col(LearnerSession.learner_id) == learner.id))
    # The account's failed sign-ins no longer count: its owner has just proved who they are.
    accounts.SIGN_IN_LIMITS.forget_account(session, digest(learner.email))
    session.flush()


def _learner_of(session: Session, account: str | None) -> Learner | None:
    prefix = _account("")
    if account is None or not account.startswith(prefix):
        return None
    return session.get(Learner, account.removeprefix(prefix))
