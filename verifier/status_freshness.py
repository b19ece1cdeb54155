"""How long another deployment's status list may answer from the fetch cache (issue 13).

The guarded fetcher keeps an answer for its origin's ``Cache-Control: max-age`` (300 s when the
origin says nothing, up to 24 h): a revocation published by another deployment would stay
unseen that long. A status list's cached copy therefore answers without asking its origin only
while all of these hold, the shortest first:

- ``REVALIDATE_AFTER`` (30 s) since the origin last vouched for it. After that the fetcher asks
  again with the copy's ETag (``If-None-Match``, RFC 9110 section 13.1.2): an unchanged list
  costs a 304 without a body, a changed one is fetched whole;
- the list's own ``ttl`` (Bitstring Status List 1.0 section 2.2: the milliseconds after which
  a verifier is to consider the list stale and fetch it again);
- the list credential's ``validUntil`` (VC Data Model 2.0 section 4.9), or ``exp`` of a JWT
  list: a list past it is never reused, and one that its origin still serves past it cannot
  answer ("could not check").

The values are read from the copy before its proof is checked. They can only shorten a
lifetime below ``REVALIDATE_AFTER``, never lengthen it, so a forged one gains nothing; the list
is verified in full afterwards as always. While the origin is down the fetcher's stale copy
still answers (its "checked as of" says how old), up to its ``validUntil``.

>>> lifetime = ListLifetime.of({"credentialSubject": {"ttl": 5000}})
>>> lifetime.ttl
datetime.timedelta(seconds=5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from credentials import InvalidInput, parse_compact_jws, parse_datetime_stamp

REVALIDATE_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class ListLifetime:
    """What a status list document says about its own lifetime (None: it says nothing)."""

    ttl: timedelta | None
    valid_until: datetime | None

    @classmethod
    def of(cls, content: dict[str, Any] | str) -> ListLifetime:
        """The ``ttl`` and ``validUntil`` of a list as fetched: a JSON credential or a compact
        JWS (its payload is the credential, with ``exp`` beside it). Unreadable values are
        left out: the verification that follows judges the document."""
        document = _credential(content)
        if document is None:
            return cls(None, None)
        subject = document.get("credentialSubject")
        ttl = subject.get("ttl") if isinstance(subject, dict) else None
        ends = [_instant(document.get("validUntil")), _numeric_date(document.get("exp"))]
        known = [end for end in ends if end is not None]
        return cls(_milliseconds(ttl), min(known) if known else None)

    def must_revalidate(self, checked_at: datetime, now: datetime) -> bool:
        """Whether a copy the origin vouched for at ``checked_at`` is too old to answer now."""
        limit = min(REVALIDATE_AFTER, self.ttl) if self.ttl is not None else REVALIDATE_AFTER
        return now - checked_at >= limit or self.expired(now)

    def expired(self, now: datetime) -> bool:
        return self.valid_until is not None and now >= self.valid_until


def _credential(content: dict[str, Any] | str) -> dict[str, Any] | None:
    if isinstance(content, dict):
        return content
    try:
        return parse_compact_jws(content).payload
    except InvalidInput:
        return None


def _milliseconds(value: Any) -> timedelta | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value <= 0:
        return None
    return timedelta(milliseconds=min(value, REVALIDATE_AFTER.total_seconds() * 1000))


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime_stamp(value)
    except InvalidInput:
        return None


def _numeric_date(value: Any) -> datetime | None:
    """A JWT NumericDate (RFC 7519 section 2) as an aware datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
