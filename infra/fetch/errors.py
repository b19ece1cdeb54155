"""The guarded fetcher's errors: refused before anything was sent, or failed on the way.

Both are ``ResolutionUnavailable``: a document the verifier could not get makes its check
``could_not_check``, never ``failed``. ``kind`` is the label ``infra.fetch.counts`` counts them by.

>>> FetchFailed("example.org answered HTTP 503", transient=True, origin_status=503).transient
True
"""

from __future__ import annotations

from credentials import ResolutionUnavailable


class FetchError(ResolutionUnavailable):
    """A fetch did not produce a document; the verifier reports ``could_not_check``."""

    code = "fetch_error"
    kind = "failed"  # the label of ``FetchCounts``


class FetchRefused(FetchError):
    """The policy forbids this fetch (scheme, address, redirect target); nothing was sent."""

    code = "fetch_refused"
    status = 400
    kind = "refused"


class FetchFailed(FetchError):
    """The fetch was attempted and failed. ``transient`` failures (network, timeout, 5xx, 429)
    let a cached answer be served stale; a definite answer (404, oversize) does not."""

    code = "fetch_failed"

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        origin_status: int | None = None,
        kind: str = "failed",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.transient = transient
        self.origin_status = origin_status  # the origin's HTTP status, when it answered one
