"""The verifier service of a running app: one guarded fetcher, the trust registry, the policy.

``VerifierService.from_settings(settings)`` builds it once per app (the shell passes its frozen
``Settings``; any object with the attributes of ``VerifierSettings`` does). The fetcher and its
cache are shared by every request, and thread-safe. Each call builds a fresh
``VerificationContext`` for the ``now`` it is given, so the pipeline itself never reads a clock.

What it accepts (``verify_bytes``): whatever ``verifier.inputs.read_input`` reads (JSON, compact
JWS, baked PNG/SVG), or a URL: the JSON object ``{"url": "https://..."}`` or the bare URL as text
(what a QR code holds). A URL that is one of our own passport's share links is answered by the
injected ``shared_credentials`` hook (the verifier may not import the passport); any other URL
names a hosted credential, fetched through the guarded fetcher like everything else a stranger
names. The deployment's own DID documents, status lists and institutions are answered by the
injected ``own_documents`` (``verifier.own``) from its records, never over its public URL.

>>> from datetime import UTC, datetime
>>> service = VerifierService(GuardedFetcher(FetchPolicy()), CompositeRegistry([]))
>>> service.verify_bytes(b'{"type": "nothing"}', "en", now=datetime.now(UTC)).report.verified
False
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from credentials import CredentialDetails, InvalidInput, PassportError, details_of
from infra import FetchBudget, FetchPolicy, GuardedFetcher, OutboundSlots
from verifier.context import VerificationContext
from verifier.email_check import EmailCheck, check_email
from verifier.hosted_badges import FetchedHostedAssertions
from verifier.inputs import VerifiableInput, claimed_document, read_input
from verifier.outcome_cache import OutcomeCache
from verifier.own import OwnDocuments, OwnFirstResolver, OwnFirstStatusLists
from verifier.pipeline import VerificationReport, verify_collection, verify_input
from verifier.registry import CompositeRegistry, RegistrySource, load_registries
from verifier.sources import FetchedStatusLists, network_resolver
from verifier.verified_lists import VerifiedLists
from verifier.wording.rendering import explained_report
from verifier.wording.sentences import language_or_default

HOSTED_CREDENTIAL_ACCEPT = (
    "application/vc+ld+json, application/vc+jwt, application/vc;q=0.9, "
    "application/ld+json;q=0.8, application/json;q=0.8, application/jwt;q=0.8, "
    "image/png;q=0.5, image/svg+xml;q=0.5"
)
URL_SCHEMES = ("https://", "http://")
MAX_URL_LENGTH = 2048

SharedCredentials = Callable[[str, datetime], list[bytes] | None]
"""Given a URL and the time, the shared credentials' bytes when the URL is one of our own share
links, None when it is not ours; raises ``InvalidInput`` for one of ours no longer valid."""


class VerifierSettings(Protocol):
    """The settings the verifier reads (``passport.settings.Settings`` has them all)."""

    @property
    def fetch_allow_http_hosts(self) -> tuple[str, ...]: ...
    @property
    def fetch_allow_private_addresses(self) -> bool: ...
    @property
    def registry_files(self) -> tuple[Path, ...]: ...
    @property
    def trusted_registry_keys(self) -> tuple[str, ...]: ...
    @property
    def verification_leeway_seconds(self) -> int: ...
    @property
    def allow_published_test_keys(self) -> bool: ...


@dataclass(frozen=True)
class VerificationResult:
    """A report, the language to explain it in, and what the credential says about itself."""

    report: VerificationReport
    language: str
    registry: RegistrySource
    details: CredentialDetails | None
    # The answer for the candidate's email, when the employer gave one (verifier.email_check).
    email_check: EmailCheck | None = None

    def as_json(self) -> dict[str, Any]:
        """The body of ``POST /api/v1/verify`` (docs/verification.md)."""
        result = explained_report(self.report, self.language, self.registry)
        if self.email_check is not None:
            result["email_check"] = self.email_check.value
        return result


def _hosted_url(item: VerifiableInput) -> str | None:
    document = item.document
    if document is None or set(document) != {"url"}:
        return None
    url = document["url"]
    if not isinstance(url, str):
        raise InvalidInput("'url' must be the address of a hosted credential")
    return url


def _pasted_url(data: bytes) -> str | None:
    """A bare URL (a QR payload, a pasted link): one line of text starting with a scheme."""
    if len(data) > MAX_URL_LENGTH:
        return None
    text = data.decode("utf-8", errors="replace").strip()
    if not text.lower().startswith(URL_SCHEMES) or any(char.isspace() for char in text):
        return None
    return text


class VerifierService:
    """Verification for the API, the employer page and the passport's import."""

    def __init__(
        self,
        fetcher: GuardedFetcher,
        registry: CompositeRegistry,
        *,
        leeway: timedelta = timedelta(minutes=5),
        allow_published_test_keys: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        shared_credentials: SharedCredentials | None = None,
        own_documents: OwnDocuments | None = None,
    ) -> None:
        # ``monotonic`` must be the fetcher's clock: it dates the fetcher's answers.
        self.fetcher = fetcher
        self.registry = registry
        self.leeway = leeway
        self.allow_published_test_keys = allow_published_test_keys
        self.own_documents = own_documents
        self._monotonic = monotonic
        self._shared_credentials = shared_credentials
        self._verified_lists = VerifiedLists()
        self.slots = OutboundSlots()
        self.outcomes = OutcomeCache(monotonic=monotonic)

    def budget(self, client: str = "") -> FetchBudget:
        """A fresh ``FetchBudget`` (one per verification) spending ``client``'s share of the
        outbound slots."""
        return FetchBudget.start(now=self._monotonic(), client=client, slots=self.slots)

    @classmethod
    def from_settings(
        cls,
        settings: VerifierSettings,
        own_institutions: Sequence[RegistrySource] = (),
        *,
        shared_credentials: SharedCredentials | None = None,
        own_documents: OwnDocuments | None = None,
    ) -> VerifierService:
        """Load and verify the registry files (``RegistryRefused`` names a bad one: the app
        does not start on a registry it cannot trust) and build the one fetcher. The
        deployment's own institutions (``own_documents``) are the registry's first source."""
        policy = FetchPolicy(
            allow_http_hosts=frozenset(settings.fetch_allow_http_hosts),
            allow_private_addresses=settings.fetch_allow_private_addresses,
        )
        own = [*own_institutions, *([own_documents] if own_documents is not None else [])]
        registry = load_registries(settings.registry_files, settings.trusted_registry_keys, own)
        return cls(
            GuardedFetcher(policy),
            registry,
            leeway=timedelta(seconds=settings.verification_leeway_seconds),
            allow_published_test_keys=settings.allow_published_test_keys,
            shared_credentials=shared_credentials,
            own_documents=own_documents,
        )

    def context(self, now: datetime, budget: FetchBudget | None = None) -> VerificationContext:
        """What one verification needs; every fetch it makes spends ``budget`` (a fresh one
        when None). The deployment's own documents come first, from its database."""
        fetcher = self.fetcher.within(budget or self.budget())
        network = network_resolver(fetcher)
        fetched = FetchedStatusLists(fetcher, now=now, monotonic_now=self._monotonic())
        own = self.own_documents
        return VerificationContext(
            now=now,
            resolver=network if own is None else OwnFirstResolver(own, network),
            status_lists=fetched if own is None else OwnFirstStatusLists(own, fetched, now),
            trust_registry=self.registry,
            leeway=self.leeway,
            allow_published_test_keys=self.allow_published_test_keys,
            verified_lists=self._verified_lists,
            own_records=own,
            hosted_assertions=FetchedHostedAssertions(fetcher),
        )

    def own_revision(self) -> str | None:
        """Our records' revision (``OwnDocuments.revision``): read it before verifying, so a
        change made meanwhile makes the next lookup of the outcome cache miss."""
        return self.own_documents.revision() if self.own_documents is not None else None

    def kept_report(
        self,
        digest: str,
        read: Callable[[], VerifiableInput],
        context: VerificationContext,
        own_revision: str | None,
    ) -> VerificationReport:
        """The report on the bytes whose SHA-256 is ``digest``: the outcome cache's while all
        it depends on is unchanged, else ``read()`` verified now (and kept when it could check
        everything)."""
        version = self.registry.version
        report = self.outcomes.lookup(digest, context, own_revision, version)
        if report is None:
            report = self.outcomes.verify(digest, read(), context, own_revision, version)
        return report

    def verify_bytes(
        self,
        data: bytes,
        language: str,
        *,
        now: datetime,
        email: str | None = None,
        client: str = "",
    ) -> VerificationResult:
        """Verify an upload or request body; ``InvalidInput`` (400/413) when it is not a
        credential at all, or names a hosted credential that cannot be fetched; ``Overloaded``
        (503) when a fetch it needed found no outbound slot free for ``client``. With ``email``,
        the result also says whether it matches the credential's hashed email identifier."""
        url = _pasted_url(data)
        if url is not None:
            return self.verify_url(url, language, now=now, email=email, client=client)
        item = read_input(data)
        url = _hosted_url(item)
        if url is not None:
            return self.verify_url(url, language, now=now, email=email, client=client)
        return self._verify(data, item, language, now, self.budget(client), email)

    def verify_url(
        self,
        url: str,
        language: str,
        *,
        now: datetime,
        email: str | None = None,
        client: str = "",
    ) -> VerificationResult:
        """Verify what a share link of our own passport shows, or fetch a hosted credential
        through the guarded fetcher and verify it."""
        shared = self._shared_credentials(url, now) if self._shared_credentials else None
        if shared is not None:
            return self._verify_shared(shared, language, now)
        budget = self.budget(client)
        try:
            fetched = self.fetcher.within(budget).fetch(url, accept=HOSTED_CREDENTIAL_ACCEPT)
        except PassportError:
            budget.raise_if_shed()
            raise
        item = read_input(fetched.content)
        if _hosted_url(item) is not None:
            raise InvalidInput(f"{url} names another URL instead of holding a credential")
        return self._verify(fetched.content, item, language, now, budget, email)

    def _verify_shared(
        self, shared: list[bytes], language: str, now: datetime
    ) -> VerificationResult:
        if not shared:
            raise InvalidInput("this share link holds no credentials")
        items = [read_input(data) for data in shared]
        report = verify_collection(items, self.context(now))
        return VerificationResult(report, language_or_default(language), self.registry, None)

    def _verify(
        self,
        data: bytes,
        item: VerifiableInput,
        language: str,
        now: datetime,
        budget: FetchBudget,
        email: str | None = None,
    ) -> VerificationResult:
        try:
            document: dict[str, Any] | None = claimed_document(item)
        except PassportError:
            document = None  # a token too malformed to read: the pipeline reports it
        # Bytes asked about before are answered from the outcome cache while nothing the report
        # depends on has changed (issue #19): the same answer a fresh verification would give.
        context = self.context(now, budget)
        digest = hashlib.sha256(data).hexdigest()
        if self.outcomes.admits(digest):
            report = self.kept_report(digest, lambda: item, context, self.own_revision())
        else:
            report = verify_input(item, context)
        budget.raise_if_shed()
        return VerificationResult(
            report=report,
            language=language_or_default(language),
            registry=self.registry,
            details=details_of(document) if document is not None and report.summary else None,
            email_check=check_email(document, email) if email and document is not None else None,
        )
