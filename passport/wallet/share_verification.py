"""The verifier's view of this passport's own share links (issue #4: "a share link or QR payload
of our own passport").

The verifier may not import the passport (tests/test_dependency_rule.py), so the shell hands
``VerifierService`` the hook ``shared_credentials_reader`` builds: given a URL, it answers the
shared credentials' bytes when the URL is one of our share links (``<base_url>/s/<token>``),
None for any other URL (which the verifier then fetches as a hosted credential). Our own links
are read from the database, never fetched over HTTP, and opening one this way is not counted
as a view: the learner's count is of people who opened the page.

>>> share_token("https://passport.example/s/abc?x=1", "https://passport.example")
'abc'
>>> share_token("https://elsewhere.example/s/abc", "https://passport.example") is None
True
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlmodel import Session

from credentials import InvalidInput
from infra import N_
from passport.wallet.sharing import SHARE_PATH, open_share
from verifier import SharedCredentials

NO_LONGER_VALID = N_("this share link is no longer valid")


def _origin_and_path(url: str) -> tuple[str, str, str] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return parts.scheme.lower(), netloc, parts.path


def share_token(url: str, base_url: str) -> str | None:
    """The token of ``url`` when it is a share link under ``base_url``, else None."""
    link, base = _origin_and_path(url), _origin_and_path(base_url)
    if link is None or base is None or link[:2] != base[:2]:
        return None
    prefix = base[2].rstrip("/") + SHARE_PATH
    if not link[2].startswith(prefix):
        return None
    token = link[2].removeprefix(prefix)
    return token if token and "/" not in token else None


def shared_credentials_reader(engine: Engine, base_url: str) -> SharedCredentials:
    """The hook for ``VerifierService(shared_credentials=...)``. A link of ours that is unknown,
    expired or revoked gets one answer for all three, like the public page (no oracle)."""

    def shared_credentials(url: str, now: datetime) -> list[bytes] | None:
        token = share_token(url, base_url)
        if token is None:
            return None
        with Session(engine) as session:
            opened = open_share(session, token, now)
            if opened is None:
                raise InvalidInput(NO_LONGER_VALID)
            return [stored.content for stored in opened.credentials]

    return shared_credentials
