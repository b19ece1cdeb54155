"""Status lists of an institution: allocation of unpredictable indexes, bit changes, signing.

Bitstring Status List 1.0 (W3C Recommendation, 15 May 2025):
- section 3.2 step 2 / 6.2: lists hold 131,072 entries and indexes SHOULD be assigned at random,
  so that a credential's index says nothing about when it was issued or who else holds one.
  Position ``n`` of a list (the n-th allocation) is mapped to its index by a keyed pseudo-random
  permutation of ``0 .. 2**17 - 1`` (a 4-round Feistel network over 18 bits with HMAC-SHA256
  rounds, cycle-walking into range). Distinct positions give distinct indexes by construction,
  so no collision retry is needed, and without the list's secret key the order is unpredictable.
- Lists are sharded as they fill: when the open list of an institution and purpose is full, a new
  one is created. Allocation is one atomic ``UPDATE ... SET allocated = allocated + n WHERE
  allocated + n <= size RETURNING allocated`` on both SQLite and PostgreSQL, so concurrent
  issuers (threads or worker processes) never get the same position. Issuers racing to open a
  list may open one each; the extra lists are simply filled next (oldest open list first).
- section 2.2: the list credential (``BitstringStatusListCredential``) is signed with
  ``eddsa-rdfc-2022`` by the institution's key. It is re-signed lazily: a change of bits bumps
  ``version``; the next fetch signs the new version once and keeps it (``signed_version``), so a
  revocation costs one bit write and a cohort of 100,000 awards costs no list signature at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select, update

from credentials import (
    MIN_ENTRIES,
    Bitstring,
    Conflict,
    NotFound,
    Signer,
    encode_list,
    new_status_list_credential,
    secure,
)
from issuers.awards.tables import StatusList, StatusPurpose
from issuers.tables import Institution

LIST_SIZE = MIN_ENTRIES
_INDEX_BITS = LIST_SIZE.bit_length() - 1
_HALF_BITS = (_INDEX_BITS + 1) // 2
_HALF_MASK = (1 << _HALF_BITS) - 1
_FEISTEL_ROUNDS = 4
STATUS_LIST_MECHANISM = "eddsa-rdfc-2022"
# Short enough that a change shows within minutes, long enough for a CDN to absorb verifiers.
STATUS_LIST_MAX_AGE_SECONDS = 300


class StatusAllocationFailed(Conflict):
    """No status entry could be allocated, so nothing is issued."""

    code = "status_allocation_failed"
    status = 503


@dataclass(frozen=True)
class StatusSlot:
    """A reserved entry: the list and the (permuted) index a credential will carry."""

    list_id: str
    index: int
    purpose: str


@dataclass(frozen=True)
class SignedStatusList:
    """The signed list credential as served: its exact text and strong ETag."""

    text: str
    etag: str


def status_list_url(base_url: str, list_id: str) -> str:
    return f"{base_url.rstrip('/')}/status/{list_id}"


def permuted_index(key: bytes, position: int) -> int:
    """The index of ``position`` under the list's secret permutation of ``0 .. LIST_SIZE - 1``.

    >>> key = bytes(32)
    >>> len({permuted_index(key, n) for n in range(1000)})
    1000
    """
    if not 0 <= position < LIST_SIZE:
        raise ValueError(f"position {position} is outside the list")
    value = position
    while True:
        value = _feistel(key, value)
        # Cycle-walking: the Feistel network permutes 2**18 values; walking until the value
        # falls in range keeps it a permutation of 2**17 values.
        if value < LIST_SIZE:
            return value


def _feistel(key: bytes, value: int) -> int:
    left, right = value >> _HALF_BITS, value & _HALF_MASK
    for round_number in range(_FEISTEL_ROUNDS):
        message = round_number.to_bytes(1, "big") + right.to_bytes(4, "big")
        # One-shot HMAC (computed in C without an HMAC object): 4 rounds, often twice over
        # (cycle-walking), for every entry of a cohort.
        digest = hmac.digest(key, message, "sha256")
        left, right = right, left ^ (int.from_bytes(digest[:4], "big") & _HALF_MASK)
    return left << _HALF_BITS | right


def allocate(
    session: Session, institution: Institution, purpose: str, count: int, now: datetime
) -> list[StatusSlot]:
    """Reserve ``count`` entries in the institution's lists for ``purpose``, opening new lists
    as they fill. Flushes only: a caller that rolls back gives the positions back unused, and a
    caller that commits and then fails leaves harmless holes (bits that stay 0 forever)."""
    if institution.id is None:
        raise NotFound("the institution is not stored")
    slots: list[StatusSlot] = []
    while len(slots) < count:
        status_list = _open_list(session, institution.id, purpose) or _new_list(
            session, institution.id, purpose, now
        )
        wanted = min(count - len(slots), status_list.size - status_list.allocated)
        reserved = _reserve(session, status_list.id, wanted)
        if reserved is None:
            # Another issuer took those positions first: read the counter again.
            session.expire(status_list)
            continue
        key = bytes.fromhex(status_list.permutation_key)
        slots.extend(
            StatusSlot(status_list.id, permuted_index(key, position), purpose)
            for position in range(reserved - wanted, reserved)
        )
    return slots


def _open_list(session: Session, institution_id: int, purpose: str) -> StatusList | None:
    statement = (
        select(StatusList)
        .where(
            StatusList.institution_id == institution_id,
            StatusList.purpose == purpose,
            col(StatusList.allocated) < col(StatusList.size),
        )
        .order_by(col(StatusList.created_at), col(StatusList.id))
        .limit(1)
    )
    status_list = session.exec(statement).first()
    if status_list is not None:
        session.refresh(status_list)
        if status_list.allocated >= status_list.size:
            return None
    return status_list


def _new_list(session: Session, institution_id: int, purpose: str, now: datetime) -> StatusList:
    if purpose not in tuple(StatusPurpose):
        raise StatusAllocationFailed(f"no status list can have the purpose {purpose!r}")
    status_list = StatusList(
        id=uuid.uuid4().hex,
        institution_id=institution_id,
        purpose=purpose,
        size=LIST_SIZE,
        permutation_key=secrets.token_hex(32),
        bits=Bitstring(LIST_SIZE).to_bytes(),
        created_at=now,
    )
    session.add(status_list)
    session.flush()
    return status_list


def _reserve(session: Session, list_id: str, wanted: int) -> int | None:
    """Atomically move the list's counter by ``wanted``; the new counter, or ``None`` if full."""
    statement = (
        update(StatusList)
        .where(
            col(StatusList.id) == list_id,
            col(StatusList.allocated) + wanted <= col(StatusList.size),
        )
        .values(allocated=col(StatusList.allocated) + wanted)
        .returning(col(StatusList.allocated))
    )
    row = session.exec(statement).first()
    return None if row is None else int(row[0])


def set_status(session: Session, list_id: str, index: int, value: int) -> None:
    """Write one entry (1 = revoked or suspended, 0 = not) and mark the list for re-signing.

    The row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serializes writers) so
    that two changes to one list never overwrite each other's bits.
    """
    statement = select(StatusList).where(StatusList.id == list_id).with_for_update()
    status_list = session.exec(statement).one_or_none()
    if status_list is None:
        raise NotFound(f"no status list {list_id!r}")
    session.refresh(status_list)
    bits = Bitstring.from_bytes(status_list.bits)
    if bits.get(index) == value:
        return
    bits.set(index, value)
    status_list.bits = bits.to_bytes()
    status_list.version += 1
    session.add(status_list)
    session.flush()


def mark_lists_for_resigning(session: Session, institution_id: int) -> None:
    """Make the institution's next read of each list sign it again (with its new key, after a
    key compromise): a list signed by a compromised key proves nothing any more."""
    session.exec(
        update(StatusList)
        .where(col(StatusList.institution_id) == institution_id)
        .values(version=col(StatusList.version) + 1)
    )
    session.flush()


def status_value(session: Session, list_id: str, index: int) -> int:
    status_list = session.get(StatusList, list_id)
    if status_list is None:
        raise NotFound(f"no status list {list_id!r}")
    return Bitstring.from_bytes(status_list.bits).get(index)


def signed_status_list(
    session: Session,
    status_list: StatusList,
    institution: Institution,
    signer: Signer,
    base_url: str,
    now: datetime,
) -> SignedStatusList:
    """The list credential of the list's current bits, signing it first if the bits changed."""
    if status_list.signed_version == status_list.version and status_list.signed_credential:
        return SignedStatusList(status_list.signed_credential, status_list.etag or "")
    signed = sign_status_list(status_list, institution, signer, base_url, now)
    text, etag = signed.text, signed.etag
    # Stored only if no change happened meanwhile; otherwise the next fetch signs the newer bits.
    session.exec(
        update(StatusList)
        .where(
            col(StatusList.id) == status_list.id,
            col(StatusList.version) == status_list.version,
        )
        .values(
            signed_version=status_list.version, signed_credential=text, etag=etag, signed_at=now
        )
    )
    session.flush()
    return SignedStatusList(text, etag)


def sign_status_list(
    status_list: StatusList, institution: Institution, signer: Signer, base_url: str, now: datetime
) -> SignedStatusList:
    """The list credential of the list's current bits, signed now; nothing is stored (the
    deployment's own verifier signs in memory a list whose bits changed since it was served)."""
    unsigned = new_status_list_credential(
        status_list_url(base_url, status_list.id),
        institution.did,
        status_list.purpose,
        encode_list(Bitstring.from_bytes(status_list.bits)),
        valid_from=now,
        ttl_ms=STATUS_LIST_MAX_AGE_SECONDS * 1000,
    )
    text = json.dumps(secure(unsigned, signer, STATUS_LIST_MECHANISM, now=now), ensure_ascii=False)
    return SignedStatusList(text, '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"')


def lists_of(session: Session, institution_id: int) -> list[StatusList]:
    statement = (
        select(StatusList)
        .where(StatusList.institution_id == institution_id)
        .order_by(col(StatusList.created_at), col(StatusList.id))
    )
    return list(session.exec(statement).all())
