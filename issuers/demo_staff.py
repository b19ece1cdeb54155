"""The demo's registrar accounts: one per institution, all with the demo's published password.

``passport demo`` creates them; the console's login page lists them in demo mode only (never in
development or production), so a newcomer can sign in as a registrar without reading code.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from issuers.access import create_staff_user
from issuers.tables import Institution, StaffUser

# Public on purpose: printed by `passport demo` and shown on the demo's login page.
DEMO_PASSWORD = "passport-demo-2026"  # noqa: S105 (a published demo password)


def staff_email(institution: Institution) -> str:
    """``registrar@<the institution's web host>``."""
    return f"registrar@{urlsplit(institution.website).hostname}"


def add_demo_registrar(session: Session, institution: Institution, now: datetime) -> None:
    """Create the institution's demo registrar unless it exists (flushes only)."""
    email = staff_email(institution)
    if session.exec(select(StaffUser).where(col(StaffUser.email) == email)).first() is None:
        user = create_staff_user(session, institution, email, DEMO_PASSWORD, now)
        user.email_confirmed_at = now  # the demo's addresses receive no mail: no banner


def demo_sign_ins(session: Session) -> list[tuple[str, str]]:
    """(institution name, registrar email) of every demo registrar, by institution name."""
    rows = session.exec(select(Institution, StaffUser).join(StaffUser)).all()
    found = [
        (inst.legal_name_en, user.email) for inst, user in rows if user.email == staff_email(inst)
    ]
    return sorted(found)
