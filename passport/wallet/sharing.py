"""Share links: one credential, a collection (as it is when the link is opened) or a selection.

A link is ``<base_url>/s/<token>``, the token 256 random bits of which only the SHA-256 is stored
(``passport.wallet.tokens``): the learner sees the link once, when it is made (with its QR code),
and can revoke it at any time. ``open_share`` answers None alike for a token that is malformed,
unknown, expired or revoked, so the public page cannot be used as an oracle. The public
page opens the link with ``view_share``, which counts the view in the statement that finds the
link (``UPDATE ... SET view_count = view_count + 1 ... RETURNING``, safe under concurrent views):
one round trip instead of two, and in a statement-by-statement session its row lock is held for
that statement alone, never while the page verifies and renders (issue #19).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Executable, bindparam, or_, update
from sqlmodel import Session, col, select

from credentials import InvalidInput, NotFound
from infra import N_
from passport.own_statements import OWN_REVISION, replaced_mark
from passport.wallet.holdings import credentials_by_ids, get_collection
from passport.wallet.tables import (
    CollectionItem,
    ShareItem,
    ShareKind,
    ShareLink,
    StoredCredential,
)
from passport.wallet.tokens import digest, is_token_shaped, new_token, same_token

SHARE_PATH = "/s/"
MAX_LABEL = 120


# The life of the links made for LinkedIn and printed summaries: long, never endless.
LASTING_SHARE = timedelta(days=365)


@dataclass(frozen=True)
class NewShare:
    """A share link just made: ``token`` exists only here and in the learner's browser."""

    share: ShareLink
    token: str


def share_url(base_url: str, token: str) -> str:
    return f"{base_url}{SHARE_PATH}{token}"


def _label(label: str, fallback: str) -> str:
    cleaned = " ".join(label.split())[:MAX_LABEL]
    return cleaned or fallback[:MAX_LABEL]


def create_share(
    session: Session,
    learner_id: str,
    *,
    credential_ids: Sequence[str] = (),
    collection_id: str | None = None,
    label: str = "",
    expires_at: datetime | None,
    now: datetime,
) -> NewShare:
    """Share a collection (``collection_id``) or the listed credentials (one or several)."""
    if expires_at is not None and expires_at <= now:
        raise InvalidInput(N_("choose an expiry in the future, or none"))
    token = new_token()
    share = ShareLink(
        id=str(uuid.uuid4()),
        learner_id=learner_id,
        token_hash=digest(token),
        kind=ShareKind.SELECTION.value,
        label="",
        created_at=now,
        expires_at=expires_at,
    )
    if collection_id is not None:
        if credential_ids:
            raise InvalidInput(N_("share either a collection or chosen credentials, not both"))
        collection = get_collection(session, learner_id, collection_id)
        share.kind, share.collection_id = ShareKind.COLLECTION.value, collection.id
        share.label = _label(label, collection.name)
        session.add(share)
    else:
        chosen = credentials_by_ids(session, learner_id, credential_ids)
        if len(chosen) == 1:
            share.kind = ShareKind.CREDENTIAL.value
        share.label = _label(label, ", ".join(str(s.display.get("title")) for s in chosen))
        session.add(share)
        session.flush()
        for position, stored in enumerate(chosen):
            session.add(ShareItem(share_id=share.id, credential_id=stored.id, position=position))
    session.flush()
    return NewShare(share, token)


def list_shares(session: Session, learner_id: str) -> list[ShareLink]:
    statement = select(ShareLink).where(ShareLink.learner_id == learner_id)
    return list(session.exec(statement.order_by(col(ShareLink.created_at).desc())).all())


def get_share(session: Session, learner_id: str, share_id: str) -> ShareLink:
    statement = select(ShareLink).where(
        ShareLink.id == share_id, ShareLink.learner_id == learner_id
    )
    share = session.exec(statement).first()
    if share is None:
        raise NotFound(N_("no such share link in your passport"))
    return share


def share_with_token(session: Session, learner_id: str, share_id: str, token: str) -> ShareLink:
    """The learner's share whose token is ``token`` (for its QR code); NotFound otherwise."""
    share = get_share(session, learner_id, share_id)
    if not is_token_shaped(token) or not same_token(digest(token), share.token_hash):
        raise NotFound(N_("no such share link in your passport"))
    return share


def revoke_share(session: Session, learner_id: str, share_id: str, now: datetime) -> ShareLink:
    share = get_share(session, learner_id, share_id)
    if share.revoked_at is None:
        share.revoked_at = now
        session.add(share)
        session.flush()
    return share


def is_live(share: ShareLink, now: datetime) -> bool:
    return share.revoked_at is None and (share.expires_at is None or now < share.expires_at)


@dataclass(frozen=True)
class OpenedShare:
    """What a live link shows now, read with what the page shows beside it."""

    credentials: list[StoredCredential]
    # Of ``credentials``, the stored ids of awards of ours re-issued since (``replaced_mark``).
    replaced: frozenset[str]
    # Our records' revision, read in the statement that read the credentials (None when the
    # link shows none): the outcome cache's key (``LiveVerifier.reports_for``).
    own_revision: str | None


# The share page's statements, built once: building a statement costs more CPU than running
# it on a page that shows a few credentials (issue #19, docs/performance.md). Each credential
# comes with its replaced mark and our records' revision: one round trip instead of three.
_SHOWN_COLUMNS = (
    StoredCredential,
    replaced_mark(col(StoredCredential.credential_id)),
    OWN_REVISION,
)
_COLLECTION_MEMBERS = (
    select(*_SHOWN_COLUMNS)
    .join(CollectionItem, col(CollectionItem.credential_id) == col(StoredCredential.id))
    .where(
        CollectionItem.collection_id == bindparam("collection_id"),
        StoredCredential.learner_id == bindparam("learner_id"),
    )
    .order_by(col(StoredCredential.added_at))
)
_CHOSEN_CREDENTIALS = (
    select(*_SHOWN_COLUMNS)
    .join(ShareItem, col(ShareItem.credential_id) == col(StoredCredential.id))
    .where(
        ShareItem.share_id == bindparam("share_id"),
        StoredCredential.learner_id == bindparam("learner_id"),
    )
    .order_by(col(ShareItem.position))
)
# A live link for a token: the one condition of both public lookups, in SQL (``is_live`` says
# the same of a loaded row, for the learner's list of links).
_LIVE_FOR_TOKEN = (
    col(ShareLink.token_hash) == bindparam("hash_of_token"),
    col(ShareLink.revoked_at).is_(None),
    or_(col(ShareLink.expires_at).is_(None), col(ShareLink.expires_at) > bindparam("now")),
)
_LIVE_SHARE = select(ShareLink).where(*_LIVE_FOR_TOKEN)
_COUNTED_VIEW = (
    update(ShareLink)
    .where(*_LIVE_FOR_TOKEN)
    .values(view_count=col(ShareLink.view_count) + 1, last_viewed_at=bindparam("now"))
    .returning(ShareLink)
    # The session holds no link to bring up to date: the row comes back from RETURNING.
    .execution_options(synchronize_session=False)
)


def open_share(session: Session, token: str, now: datetime) -> OpenedShare | None:
    """The live share for ``token`` and its credentials, or None (one answer for every reason)."""
    return _live_share(session, _LIVE_SHARE, token, now)


def view_share(session: Session, token: str, now: datetime) -> OpenedShare | None:
    """``open_share`` for the public page: the view is counted by the statement that finds the
    live link (not committed in a transactional session)."""
    return _live_share(session, _COUNTED_VIEW, token, now)


def _live_share(
    session: Session, statement: Executable, token: str, now: datetime
) -> OpenedShare | None:
    if not is_token_shaped(token):
        return None
    params = {"hash_of_token": digest(token), "now": now}
    share = session.scalars(statement, params).first()
    if share is None:
        return None
    return _shown_now(session, share)


def _shown_now(session: Session, share: ShareLink) -> OpenedShare:
    """What the link shows now: the collection's current members, or the chosen credentials."""
    if share.collection_id is not None:
        statement = _COLLECTION_MEMBERS
        params = {"collection_id": share.collection_id, "learner_id": share.learner_id}
    else:
        statement = _CHOSEN_CREDENTIALS
        params = {"share_id": share.id, "learner_id": share.learner_id}
    rows = session.exec(statement, params=params).all()
    return OpenedShare(
        credentials=[row[0] for row in rows],
        replaced=frozenset(row[0].id for row in rows if row[1]),
        own_revision=rows[0][2] if rows else None,
    )
