"""The instants an input names, at which a verification of it may answer otherwise.

The outcome cache (``verifier.outcome_cache``) keeps a report only until the first of these is
reached, give or take the clock-skew leeway. The walk is deliberately wider than the checks:
every member that names a time anywhere in the input counts, whether or not a check reads it,
because a kept report must never outlive a date that one of them does read:

- a credential's validity (``validFrom`` / ``validUntil``, VC Data Model 2.0 section 4.9, and
  the 1.1 ``issuanceDate`` / ``expirationDate``);
- a proof's ``created`` and ``expires`` (VC Data Integrity 1.0 section 2.1);
- a JWT's ``exp``, ``nbf`` and ``iat`` (RFC 7519 sections 4.1.4-4.1.6), beside the credential
  in its payload;
- the same inside nested credentials (a CLR's parts, endorsements) and inside JWTs enveloped in
  a presentation (``data:application/vc+jwt,``, VC Data Model 2.0 section 4.13) or listed bare.

>>> from verifier.inputs import VerifiableInput
>>> item = VerifiableInput("json", document={"validUntil": "2030-01-01T00:00:00Z", "proof": [
...     {"created": "2026-01-01T00:00:00Z", "expires": "2029-06-01T00:00:00Z"}]})
>>> sorted(instant.year for instant in written_instants(item))
[2026, 2029, 2030]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from credentials import InvalidInput, instant_or_none, looks_like_compact_jws, parse_compact_jws
from verifier.inputs import VerifiableInput
from verifier.pipeline import ENVELOPED_JWT_PREFIX

DATED_MEMBERS = frozenset(
    {
        "validFrom",
        "validUntil",
        "issuanceDate",
        "expirationDate",
        "created",
        "expires",
        "exp",
        "nbf",
        "iat",
    }
)
# A JWT's header and payload start with '{"', which base64url spells "ey".
_JWT_START = "ey"


def written_instants(item: VerifiableInput) -> list[datetime]:
    """Every instant the input names in a dated member, nested credentials and JWTs included."""
    roots: list[Any] = [] if item.document is None else [item.document]
    if item.token is not None:
        roots.extend(_token_parts(item.token))
    found: list[datetime] = []
    stack = roots
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                instant = _instant(value) if key in DATED_MEMBERS else None
                if instant is not None:
                    found.append(instant)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            stack.extend(_token_parts(node.removeprefix(ENVELOPED_JWT_PREFIX)))
    return found


def _token_parts(text: str) -> Iterable[Any]:
    """A JWT's header and payload, or nothing when ``text`` is not one."""
    if not text.startswith(_JWT_START) or not looks_like_compact_jws(text):
        return ()
    try:
        token = parse_compact_jws(text)
    except InvalidInput:
        return ()
    return (token.header, token.payload)


def _instant(value: Any) -> datetime | None:
    """A date-time string, leniently (the proof check's ``fromisoformat`` reads more than the
    XML Schema form), or a NumericDate."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    strict = instant_or_none(value)
    if strict is not None:
        return strict
    try:
        lenient = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return lenient if lenient.tzinfo is not None else lenient.replace(tzinfo=UTC)
