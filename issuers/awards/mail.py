"""The emails of awarding, in the learner's language (English or French), queued in the outbox.

- ``queue_award_mail``: "your credential is ready", with a new claim link (``offers``: a new
  offer replaces the award's earlier link, so sending it again is the resend);
- ``queue_batch_mail``: "your cohort is issued", to the staff member who uploaded it (or the
  institution's contact address when an API key did).

The texts live here, in both languages, because the issuers component renders no page for them
and cannot reach the shell's catalogs (the dependency rule).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from issuers.awards import offers
from issuers.awards.tables import Award, Batch
from issuers.mail.outbox import enqueue
from issuers.tables import Institution, Program

AWARD_SUBJECT = {
    "en": "{institution}: your credential {program} is ready",
    "fr": "{institution} : votre titre {program} est prêt",
}
AWARD_BODY = {
    "en": (
        "Hello {name},\n\n"
        "{institution} has awarded you {program}.\n\n"
        "Add it to your Learner Passport (one click):\n{claim_url}\n\n"
        "The link works once, until {expires}. If it has expired, ask {institution} to send "
        "you a new one.\n\n"
        "Learner Passport\n"
    ),
    "fr": (
        "Bonjour {name},\n\n"
        "{institution} vous a décerné {program}.\n\n"
        "Ajoutez-le à votre Passeport d'apprentissage (un clic) :\n{claim_url}\n\n"
        "Le lien fonctionne une seule fois, jusqu'au {expires}. S'il a expiré, demandez à "
        "{institution} de vous en envoyer un nouveau.\n\n"
        "Passeport d'apprentissage\n"
    ),
}
BATCH_SUBJECT = {
    "en": "Cohort {filename}: {issued} credentials issued",
    "fr": "Cohorte {filename} : {issued} titres délivrés",
}
BATCH_BODY = {
    "en": (
        "The cohort {filename} is complete: {issued} credentials issued, {existing} already "
        "issued by an earlier upload.\n\n{link}\n"
    ),
    "fr": (
        "La cohorte {filename} est terminée : {issued} titres délivrés, {existing} déjà "
        "délivrés par un téléversement précédent.\n\n{link}\n"
    ),
}


def language_for(requested: str | None, program: Program) -> str:
    """The requested language, else the program's first language of instruction, else English."""
    if requested in ("en", "fr"):
        return requested
    return "fr" if program.languages[:1] == ["fr"] else "en"


def queue_award_mail(
    session: Session,
    award: Award,
    institution: Institution,
    program: Program,
    base_url: str,
    language: str | None,
    now: datetime,
) -> None:
    """Make a new claim link for ``award`` and queue the learner's email (flushes only)."""
    lang = language_for(language, program)
    created = offers.create_offer(session, award, now)
    names = {
        "institution": institution.legal_name_fr if lang == "fr" else institution.legal_name_en,
        "program": (program.name_fr if lang == "fr" else program.name_en)
        or program.name_en
        or program.name_fr,
    }
    body = AWARD_BODY[lang].format(
        name=award.learner_name,
        claim_url=offers.claim_page_url(base_url, created.secret),
        expires=created.expires_at.strftime("%Y-%m-%d"),
        **names,
    )
    subject = AWARD_SUBJECT[lang].format(**names)
    enqueue(session, kind="award", to=award.learner_email, subject=subject, body=body, now=now)


def queue_batch_mail(
    session: Session, batch: Batch, institution: Institution, base_url: str, now: datetime
) -> None:
    """Tell whoever uploaded the cohort that it is complete, in both languages (flushes only)."""
    who = batch.created_by
    to = who.removeprefix("console:") if who.startswith("console:") else institution.contact_email
    values = {
        "filename": batch.filename,
        "issued": batch.issued_rows,
        "existing": batch.existing_rows,
        "link": f"{base_url.rstrip('/')}/console/batches/{batch.id}",
    }
    enqueue(
        session,
        kind="batch",
        to=to,
        subject=" / ".join(BATCH_SUBJECT[lang].format(**values) for lang in ("en", "fr")),
        body="\n---\n\n".join(BATCH_BODY[lang].format(**values) for lang in ("en", "fr")),
        now=now,
    )
