"""The outside world for a networked verifier: status lists and issuer keys, all fetched through
the one guarded fetcher (``infra.fetch.fetcher``), so every rule of that fetcher (https only, no
private addresses, timeouts, size caps, cache) holds for everything a credential names.

- ``FetchedStatusLists``: a ``StatusListSource``. A list served as JSON (``application/vc+ld+json``,
  ``application/vc``, ``application/ld+json``, ``application/json``) or as a compact JWS
  (``application/vc+jwt``, ``application/jwt``). Its "checked as of" time is when the origin last
  vouched for it: a list served stale from the cache while the origin is briefly down keeps its
  answer and says how old it is (Bitstring Status List 1.0 section 6.3 "caching"). A cached copy
  answers for at most 30 s, its ``ttl`` and its ``validUntil`` (``verifier.status_freshness``);
  then the origin is asked again.
- ``network_resolver``: did:key locally, did:web through ``keys.did_web``, and HTTPS issuer keys
  (``https://college.example/issuers/1#key``) from the controller document at the URL without its
  fragment, whose ``id`` must be that URL (VC Data Integrity 1.0 section 2.4 "controller
  documents"; standards digest pitfall 8).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from credentials import (
    DID_KEY_PREFIX,
    ChainResolver,
    DidKeyResolver,
    DocumentResolver,
    InvalidInput,
    KeyResolver,
    ResolutionUnavailable,
    VerificationMethod,
    looks_like_compact_jws,
    parse_json_object,
)
from infra import FetchResult, GuardedFetcher
from keys import DID_WEB_PREFIX, DidWebResolver
from verifier.context import FetchedDocument
from verifier.status_freshness import ListLifetime

JSON_MEDIA_TYPES = frozenset(
    {"application/vc+ld+json", "application/vc", "application/ld+json", "application/json"}
)
JWS_MEDIA_TYPES = frozenset({"application/vc+jwt", "application/jwt"})
STATUS_LIST_ACCEPT = (
    "application/vc+ld+json, application/vc, application/vc+jwt;q=0.9, "
    "application/ld+json;q=0.8, application/json;q=0.8, application/jwt;q=0.7"
)
CONTROLLER_DOCUMENT_ACCEPT = (
    "application/did+json, application/ld+json;q=0.9, application/json;q=0.8"
)


def media_type(content_type: str) -> str:
    """``application/json`` from ``Application/JSON; charset=utf-8``."""
    return content_type.partition(";")[0].strip().lower()


def fetched_document_content(result: FetchResult, url: str) -> dict[str, Any] | str:
    """The body as a JSON object or a compact JWS, by its declared media type; ``InvalidInput``
    with the reason for anything else (an HTML error page, a truncated body, garbage)."""
    kind = media_type(result.content_type)
    if kind in JWS_MEDIA_TYPES:
        try:
            token = result.content.decode("ascii").strip()
        except UnicodeDecodeError:
            token = ""
        if not looks_like_compact_jws(token):
            raise InvalidInput(f"{url} was served as {kind} but is not a compact JWS")
        return token
    if kind in JSON_MEDIA_TYPES:
        return parse_json_object(result.content)
    raise InvalidInput(f"{url} was served as {kind or 'an unnamed type'}, not as a credential")


class FetchedStatusLists:
    """A ``StatusListSource`` over the guarded fetcher, for one verification.

    ``now`` and ``monotonic_now`` are read together by the caller: the fetcher times its cache
    with a monotonic clock, and ``fetched_at`` is turned into wall-clock time with them.
    """

    def __init__(self, fetcher: GuardedFetcher, *, now: datetime, monotonic_now: float) -> None:
        self._fetcher = fetcher
        self._now = now
        self._monotonic_now = monotonic_now

    def fetch_status_list(self, url: str) -> FetchedDocument:
        def read(result: FetchResult) -> FetchedDocument:
            checked_at = self._now - timedelta(
                seconds=max(0.0, self._monotonic_now - result.fetched_at)
            )
            digest = hashlib.sha256(result.content).hexdigest()
            return FetchedDocument(fetched_document_content(result, url), checked_at, digest)

        document = self._fetcher.fetch_usable(url, accept=STATUS_LIST_ACCEPT, read=read)
        lifetime = ListLifetime.of(document.content)
        if lifetime.must_revalidate(document.fetched_at, self._now):
            # Older than the list may answer (status_freshness): ask its origin, with the ETag.
            document = self._fetcher.fetch_usable(
                url, accept=STATUS_LIST_ACCEPT, read=read, refresh=True
            )
            lifetime = ListLifetime.of(document.content)
        if lifetime.expired(self._now):
            raise ResolutionUnavailable(
                f"the status list at {url} was valid until {lifetime.valid_until:%Y-%m-%d %H:%M} "
                "UTC, and no newer one is published"
            )
        return document


class HttpsKeyResolver:
    """Resolves ``https://host/path#fragment`` from the controller document at
    ``https://host/path``, through the guarded fetcher, by the exact key id."""

    def __init__(self, fetcher: GuardedFetcher) -> None:
        self._fetcher = fetcher

    def resolve(self, verification_method: str) -> VerificationMethod:
        url = verification_method.partition("#")[0]

        def read(fetched: FetchResult) -> dict[str, Any]:
            try:
                return parse_json_object(fetched.content)
            except InvalidInput as error:
                # Not a document at all (an error page, garbage): the key could not be looked
                # up, which is "could not check", never evidence of forgery.
                raise ResolutionUnavailable(
                    f"the controller document at {url} is unreadable: {error.message}"
                ) from None

        document = self._fetcher.fetch_usable(url, accept=CONTROLLER_DOCUMENT_ACCEPT, read=read)
        return DocumentResolver({url: document}).resolve(verification_method)


def network_resolver(fetcher: GuardedFetcher) -> ChainResolver:
    """did:key (local), did:web and https key ids (fetched); any other scheme is ``KeyNotFound``.

    Plain ``http://`` ids go to the same resolver: the fetcher refuses them unless the operator
    allowed that host (tests on loopback do).
    """
    https = HttpsKeyResolver(fetcher)
    chain: list[tuple[str, KeyResolver]] = [
        (DID_KEY_PREFIX, DidKeyResolver()),
        (DID_WEB_PREFIX, DidWebResolver(fetcher)),
        ("https://", https),
        ("http://", https),
    ]
    return ChainResolver(chain)
