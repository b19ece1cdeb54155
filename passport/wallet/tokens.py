"""Random tokens and their digests: session cookies, share links, CSRF tokens, challenges.

Every token is 256 random bits from ``secrets`` (more than the 128 the issue asks for), written as
unpadded base64url (43 characters). Only ``digest(token)`` is stored, so a copy of the database
gives no working link or session; lookups are by digest. A string that is not shaped like one of
our tokens is refused before any lookup, and gets the same answer as a wrong token.

>>> token = new_token()
>>> len(token), is_token_shaped(token), is_token_shaped("../etc/passwd")
(43, True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_token_shaped(value: str) -> bool:
    return _TOKEN_SHAPE.fullmatch(value) is not None


def digest(token: str) -> str:
    """The hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def derived_token(secret: str, purpose: str) -> str:
    """A token derived from ``secret`` for one ``purpose`` (HMAC-SHA256), e.g. the CSRF token
    of a session: whoever does not hold the session cookie cannot compute it."""
    mac = hmac.new(secret.encode("ascii", "replace"), purpose.encode("ascii"), hashlib.sha256)
    return mac.hexdigest()


def same_token(given: str, expected: str) -> bool:
    """Constant-time comparison (``hmac.compare_digest``) of two ASCII tokens."""
    return hmac.compare_digest(given.encode("ascii", "replace"), expected.encode("ascii"))
