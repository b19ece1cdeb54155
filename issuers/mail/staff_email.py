"""Institution staff's email flows: confirm the address, reset a forgotten password (issue 15).

The same rules as the learner's (``passport.wallet.email_flows``), over the same tokens
(``issuers.mail.tokens``) and outbox (``issuers.mail.outbox``):

- a staff member created through the admin API gets a confirmation link (created from the CLI
  or by the demo: the console's banner offers to send one); an unconfirmed staff member may use
  the whole console, with that banner;
- "forgot your password" answers the same page for any address (no enumeration); the reset
  link works once, for ``RESET_LIFETIME``; the new password ends every console session of the
  account and lifts a login lock-out.

Staff have no language of their own (the console is used in either), so their messages carry
both languages, as the cohort-completion message does (``issuers.awards.mail``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from credentials import InvalidInput, normalize_email
from issuers.access import hash_password
from issuers.mail.tokens import (
    RESET_PAUSE,
    Purpose,
    issued_since,
    queue_token_mail,
    redeem,
    valid_account,
)
from issuers.tables import StaffSession, StaffUser

MIN_PASSWORD_LENGTH = 12  # as issuers.api_models.StaffUserCreate
MAX_PASSWORD_LENGTH = 200
SUBJECTS = {
    Purpose.CONFIRM: "Confirm your e-mail address / Confirmez votre adresse courriel",
    Purpose.RESET: "Reset your console password / Réinitialisez votre mot de passe",
}
BODIES = {
    Purpose.CONFIRM: (
        'To confirm that this address is yours, open this link and press "Confirm":\n{link}\n'
        "The link works once, for 2 days.\n\n---\n\n"
        "Pour confirmer que cette adresse est la vôtre, ouvrez ce lien et appuyez sur "
        "« Confirmer » :\n{link}\nLe lien fonctionne une seule fois, pendant 2 jours.\n"
    ),
    Purpose.RESET: (
        "Someone (we hope you) asked to reset your institution console password. Choose a new "
        "one here:\n{link}\nThe link works once, for {minutes} minutes; your other sessions "
        "will end. If you did not ask, ignore this message.\n\n---\n\n"
        "Quelqu'un (vous, nous l'espérons) a demandé à réinitialiser votre mot de passe de la "
        "console de l'établissement. Choisissez-en un nouveau ici :\n{link}\nLe lien "
        "fonctionne une seule fois, pendant {minutes} minutes ; vos autres sessions prendront "
        "fin. Si vous n'avez rien demandé, ignorez ce message.\n"
    ),
}
PATHS = {Purpose.CONFIRM: "/console/confirm/", Purpose.RESET: "/console/reset/"}
PREFIX = "staff:"


def _queue(
    session: Session, user: StaffUser, purpose: Purpose, base_url: str, now: datetime
) -> None:
    queue_token_mail(
        session,
        purpose,
        f"{PREFIX}{user.id}",
        to=user.email,
        kind=f"staff-{purpose.value}",
        subject=SUBJECTS[purpose],
        body=BODIES[purpose],
        link_base=f"{base_url.rstrip('/')}{PATHS[purpose]}",
        now=now,
    )


def send_confirmation(session: Session, user: StaffUser, base_url: str, now: datetime) -> None:
    """Queue the confirmation link (a new one voids the earlier); nothing once confirmed."""
    if user.email_confirmed_at is None:
        _queue(session, user, Purpose.CONFIRM, base_url, now)


def confirm_email(session: Session, token: str, now: datetime) -> bool:
    """Use up a confirmation token; whether it was valid (unused, unexpired)."""
    user = _user_of(session, redeem(session, Purpose.CONFIRM, token, now))
    if user is None:
        return False
    user.email_confirmed_at = user.email_confirmed_at or now
    session.add(user)
    session.flush()
    return True


def request_reset(session: Session, email: str, base_url: str, now: datetime) -> None:
    """Queue a reset link if ``email`` is a staff member's and was sent none within
    ``RESET_PAUSE``; the caller answers the same."""
    address = normalize_email(email)
    user = session.exec(select(StaffUser).where(StaffUser.email == address)).first()
    if user is not None and not issued_since(
        session, Purpose.RESET, f"{PREFIX}{user.id}", now - RESET_PAUSE
    ):
        _queue(session, user, Purpose.RESET, base_url, now)


def reset_link_is_valid(session: Session, token: str, now: datetime) -> bool:
    return valid_account(session, Purpose.RESET, token, now) is not None


def reset_password(session: Session, token: str, password: str, now: datetime) -> None:
    """Set the new password, end every session, lift a lock-out; ``InvalidInput`` otherwise."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "choose a password of %(low)s to %(high)s characters",
            params={"low": MIN_PASSWORD_LENGTH, "high": MAX_PASSWORD_LENGTH},
        )
    user = _user_of(session, redeem(session, Purpose.RESET, token, now))
    if user is None:
        raise InvalidInput("this link has expired or was already used; ask for a new one")
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    user.email_confirmed_at = user.email_confirmed_at or now
    session.add(user)
    session.exec(delete(StaffSession).where(col(StaffSession.staff_user_id) == user.id))
    session.flush()


def _user_of(session: Session, account: str | None) -> StaffUser | None:
    number = (account or "").removeprefix(PREFIX)
    if account is None or not account.startswith(PREFIX) or not number.isdigit():
        return None
    return session.get(StaffUser, int(number))
