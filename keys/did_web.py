"""did:web: the DID-to-URL transformation and a key resolver over the guarded fetcher.

did:web Method Specification (w3c-ccg.github.io/did-method-web), "Read (Resolve)": the
method-specific identifier's ``:`` become ``/``, a percent-encoded port (``%3A``) is decoded,
``https://`` is prefixed, ``/.well-known`` is added when there is no path, and ``/did.json`` is
appended; the document's ``id`` MUST equal the DID. "Method-Specific Identifier": IP addresses are
not allowed. A segment that would decode to ``..`` or a slash is refused too, so a DID cannot walk
to another path on its host.

A cached document that lacks the key a credential names is asked for again once, at most once
per document per ``REFETCH_INTERVAL_SECONDS`` whatever the requests: after a key rotation the
new key is in the origin's document before our cached copy expires (docs/operations.md,
"Rotation timeline"), while forged credentials naming random key ids cannot make us fetch a
college's document more often than that.

>>> did_web_url("did:web:example.com%3A3000:u:a")
'https://example.com:3000/u/a/did.json'
"""

from __future__ import annotations

import ipaddress
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from credentials import (
    DocumentResolver,
    InvalidInput,
    InvalidKey,
    KeyNotFound,
    ResolutionUnavailable,
    VerificationMethod,
    parse_json_object,
)
from infra import FetchResult, GuardedFetcher

DID_WEB_PREFIX = "did:web:"
DID_DOCUMENT_ACCEPT = "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8"
_IDCHARS = re.compile(r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_PORT = re.compile(r"[0-9]{1,5}")
REFETCH_INTERVAL_SECONDS = 60.0
REFETCH_MEMORY = 1000  # documents whose last refetch is remembered (oldest forgotten first)


def _authority(segment: str, did: str) -> str:
    """The ``host[:port]`` of the URL: a domain name, never an IP address."""
    host, colon, port = unquote(segment).partition(":")
    if colon and not (_PORT.fullmatch(port) and 0 < int(port) < 65536):
        raise InvalidKey(f"{did!r} has an invalid port {port!r}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise InvalidKey(f"{did!r} names an IP address; did:web requires a domain name")
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidKey(f"{did!r} does not name a valid domain")
    if labels[-1].isdigit():
        raise InvalidKey(f"{did!r} names a numeric host; did:web requires a domain name")
    return host + colon + port


def _path_segment(segment: str, did: str) -> str:
    decoded = unquote(segment)
    if decoded in (".", "..") or any(char in "/\\" or ord(char) < 0x20 for char in decoded):
        raise InvalidKey(f"{did!r} has a path segment {segment!r} that leaves its directory")
    return segment


def did_web_url(did: str) -> str:
    """The https URL of the DID document of ``did`` ("Read (Resolve)"); ``InvalidKey`` when
    ``did`` is not a well-formed did:web DID (a DID URL with path, query or fragment is not)."""
    if not did.startswith(DID_WEB_PREFIX):
        raise InvalidKey(f"{did!r} is not a did:web DID")
    segments = did[len(DID_WEB_PREFIX) :].split(":")
    for segment in segments:
        if not _IDCHARS.fullmatch(segment):
            raise InvalidKey(
                f"{did!r} has an empty or invalid segment {segment!r} "
                "(a DID URL with a path, query or fragment is not a DID)"
            )
    authority = _authority(segments[0], did)
    path = "/".join(_path_segment(segment, did) for segment in segments[1:]) or ".well-known"
    return f"https://{authority}/{path}/did.json"


class RefetchLimiter:
    """At most one refetch per document per ``interval`` seconds, across threads and requests."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._last: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, url: str) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last.get(url)
            if last is not None and now - last < self._interval:
                return False
            self._last[url] = now
            self._last.move_to_end(url)
            while len(self._last) > REFETCH_MEMORY:
                self._last.popitem(last=False)
            return True


class DidWebResolver:
    """A ``KeyResolver`` for did:web: fetches the DID document through the guarded fetcher and
    returns exactly the requested verification method.

    Fetch failures propagate as ``ResolutionUnavailable`` subclasses (the verifier reports them
    as ``could_not_check``), and so does an answer that is not JSON at all (an error page); a
    document that is malformed raises ``InvalidKey``; a document whose ``id`` is not the DID, or
    that lacks the key, raises ``KeyNotFound`` (after one refetch of a cached copy, within the
    ``RefetchLimiter``). Unusable answers are not cached.
    """

    def __init__(self, fetcher: GuardedFetcher, refetches: RefetchLimiter | None = None) -> None:
        self._fetcher = fetcher
        self._refetches = refetches or RefetchLimiter(REFETCH_INTERVAL_SECONDS)

    def resolve(self, verification_method: str) -> VerificationMethod:
        did = verification_method.partition("#")[0]
        url = did_web_url(did)
        document, cached = self._document(url, refresh=False)
        try:
            return self._method(did, url, document, verification_method)
        except KeyNotFound:
            # A copy fetched just now is the origin's answer; only an older one may be outdated.
            if not cached or not self._refetches.allow(url):
                raise
        document, _ = self._document(url, refresh=True)
        return self._method(did, url, document, verification_method)

    def _document(self, url: str, *, refresh: bool) -> tuple[dict[str, Any], bool]:
        def read(fetched: FetchResult) -> tuple[dict[str, Any], bool]:
            try:
                return parse_json_object(fetched.content), fetched.from_cache
            except InvalidInput as error:
                # Not a document at all (an error page, garbage): "could not check".
                raise ResolutionUnavailable(
                    f"the DID document at {url} is unreadable: {error.message}"
                ) from None

        # Only an unreadable answer leaves the cache: a readable document that lacks the key
        # stays cached, so forged credentials naming a college's did:web cannot make us fetch
        # the college's document once per verification.
        return self._fetcher.fetch_usable(
            url, accept=DID_DOCUMENT_ACCEPT, read=read, refresh=refresh
        )

    @staticmethod
    def _method(
        did: str, url: str, document: dict[str, Any], verification_method: str
    ) -> VerificationMethod:
        try:
            return DocumentResolver({did: document}).resolve(verification_method)
        except InvalidKey:
            raise
        except InvalidInput as error:
            raise InvalidKey(f"the DID document at {url} is malformed: {error.message}") from None
