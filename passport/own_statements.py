"""The statements ``passport.own_documents`` runs for every verification and page, built once.

Building a SQLAlchemy statement costs more CPU than running one of these on PostgreSQL, and a
page or a verification of our own credential runs them every time (issue #19,
docs/performance.md, "Share and passport pages").
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy
from sqlalchemy import ColumnElement, String, bindparam, cast, exists
from sqlalchemy.orm import Mapped
from sqlmodel import col, func, select

from credentials import VerificationMethod
from issuers import Award, Institution, StatusList
from keys import KEY_STATE_COLUMNS, KeyState, KeyStatus, SigningKey, stored_verification_method

# Our records' revision (``DeploymentDocuments.revision``): four aggregates over every list and
# key, as one text column. The hot pages select it beside the credentials they show, one round
# trip instead of two (issue #19).
_LISTS_VERSIONS = select(func.coalesce(func.sum(StatusList.version), 0)).scalar_subquery()
_KEYS_REVOKED = select(func.count()).where(SigningKey.status == KeyStatus.REVOKED)
_KEYS_PUBLISHED = select(func.count()).where(col(SigningKey.published))
_KEYS = select(func.count()).select_from(SigningKey)
OWN_REVISION = (
    cast(_LISTS_VERSIONS, String)
    + ":"
    + cast(_KEYS_REVOKED.scalar_subquery(), String)
    + ":"
    + cast(_KEYS_PUBLISHED.scalar_subquery(), String)
    + ":"
    + cast(_KEYS.scalar_subquery(), String)
).label("own_revision")
REVISION = select(OWN_REVISION)
# What a verifier reads of one of our keys, without its encrypted private key.
KEY_STATE = sqlalchemy.select(*KEY_STATE_COLUMNS).where(col(SigningKey.id) == bindparam("key_id"))
# What makes a list what it is, without its bits or its signed text.
LIST_STATE = (
    select(StatusList.version, StatusList.signed_version, Institution.did)
    .join(Institution, col(Institution.id) == StatusList.institution_id)
    .where(StatusList.id == bindparam("list_id"))
)
LIST_AND_INSTITUTION = (
    select(StatusList, Institution)
    .join(Institution, col(Institution.id) == StatusList.institution_id)
    .where(StatusList.id == bindparam("list_id"))
)


def replaced_mark(credential_id: Mapped[str | None]) -> ColumnElement[bool]:
    """A column to select beside stored credentials: whether ``credential_id`` names an award
    of ours re-issued after its key's compromise (``issuers.key_compromise.affected_awards``),
    which share pages say was replaced."""
    return exists().where(
        col(Award.credential_id) == credential_id, col(Award.replaced_by).is_not(None)
    )


@lru_cache(maxsize=1024)
def published_method(state: KeyState) -> VerificationMethod:
    """Our key in ``state`` as a verifier sees it: a function of the state alone, so its public
    key is decoded once per process, and a revocation (a new state) is seen at once."""
    return stored_verification_method(state)
