"""Hosted Open Badges 2.0 assertions, checked against the copy their issuer hosts (issue #12).

An OB 2.0 assertion with ``"verification": {"type": "hosted"}`` (``HostedBadge``; OB 1.x wrote
``"verify"``) is genuine while its issuer still serves the same assertion at its ``id``
(Open Badges 2.0, "Hosted Verification"). So we fetch the ``id`` through the guarded fetcher,
within the verification's fetch budget, and compare: the same JSON is "checked against the copy
its issuer hosts"; a different one fails. The ``id`` must share its origin with the badge's
issuer (OB 2.0 asks the verifier to check that the assertion is hosted where its issuer is):
an assertion hosted anywhere else, or one we cannot fetch, stays "could not check".
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlsplit

from credentials import Check, Outcome, PassportError, parse_json_object
from infra import GuardedFetcher

HOSTED_TYPES = ("hosted", "HostedBadge")
OB2_ACCEPT = "application/ld+json, application/json;q=0.9"


class HostedAssertions(Protocol):
    def fetch_hosted(self, url: str) -> dict[str, Any]:
        """The JSON object served at ``url``; raises a ``PassportError`` when there is none."""


class FetchedHostedAssertions:
    """``HostedAssertions`` over the guarded fetcher of one verification (its budget)."""

    def __init__(self, fetcher: GuardedFetcher) -> None:
        self._fetcher = fetcher

    def fetch_hosted(self, url: str) -> dict[str, Any]:
        return parse_json_object(self._fetcher.fetch(url, accept=OB2_ACCEPT).content)


def is_hosted(document: dict[str, Any]) -> bool:
    verification = document.get("verification", document.get("verify"))
    kind = verification.get("type") if isinstance(verification, dict) else None
    return kind in HOSTED_TYPES


def _origin(url: Any) -> tuple[str, str] | None:
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    return (parts.scheme, parts.netloc) if parts.scheme in ("https", "http") else None


def _issuer_url(document: dict[str, Any]) -> Any:
    """The badge's issuer as a URL: the badge's own URL when the badge class is hosted, else
    its ``issuer`` (a URL or a profile with an ``id``)."""
    badge = document.get("badge")
    if not isinstance(badge, dict):
        return badge
    issuer = badge.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def hosted_check(document: dict[str, Any], hosted: HostedAssertions | None) -> Check | None:
    """The proof check of a hosted assertion, or None when it cannot be checked here (no
    fetcher, an ``id`` that is not where its issuer is, nothing served at it)."""
    url = document.get("id")
    origin = _origin(url)
    if hosted is None or origin is None or origin != _origin(_issuer_url(document)):
        return None
    try:
        served = hosted.fetch_hosted(str(url))
    except PassportError:
        return None
    if served != document:
        return Check.of("proof", Outcome.FAILED, "proof.ob2_hosted_differs", url=str(url))
    return Check.of("proof", Outcome.PASSED, "proof.ob2_hosted", url=str(url))
