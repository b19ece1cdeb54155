"""Bounded outbound work: one ``FetchBudget`` per verification, ``OutboundSlots`` per process.

A credential names the URLs we fetch, so a stranger chooses our outbound work. Unbounded, one
91 KB request with 300 proofs made 300 GETs, and four proofs naming a host that drips one byte a
second held a worker for 40 s. So:

- ``FetchBudget``: everything one verification fetches (keys, status lists, nested credentials,
  endorsements, presentation members) shares a total deadline and a maximum number of distinct
  fetches; an identical URL is fetched once (its answer, or its failure, is reused). Answers from
  the fetcher's cache cost nothing. Past the budget, a fetch fails with ``FetchBudgetSpent``
  (a ``FetchFailed``): the check that needed it reports "could not check".
- ``OutboundSlots``: at most ``capacity`` origin fetches of verifications run at once, and one
  client (an address) holds at most ``per_client`` of them, so one client cannot take every slot
  and shed everyone else. Nothing waits for a slot (a queue would hold a worker thread): a
  verification whose fetch finds none fetches nothing more (``shed``) and is answered
  ``Overloaded`` (503 with ``Retry-After``), load shedding, counted in ``OutboundSlots.shed``.
  Answers from the cache need no slot, so credentials whose keys and lists are cached are
  verified however busy the slow origins keep us, even for a client that shares its address
  with an attacker (behind one proxy, or on loopback in ``make stress``).

The fetcher remembers failures briefly itself (``FetchPolicy.failure_ttl``), across requests, so
50 requests naming one slow host wait for it once, not 50 times.

>>> budget = FetchBudget.start(seconds=5.0, max_fetches=2, now=100.0)
>>> budget.timeout_for(101.0, at_most=10.0)
4.0
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from credentials import PassportError
from infra.fetch.counts import BUDGET_PREFIX
from infra.fetch.errors import FetchError, FetchFailed
from infra.fetch.fetcher import FetchResult

# Sized for a verifier: a credential has one proof, a status list, an issuer document or two,
# and a few endorsements; a presentation of several credentials from one college shares them.
DEFAULT_VERIFICATION_SECONDS = 15.0
DEFAULT_MAX_FETCHES = 16
# Fetches from a working origin take milliseconds, so slots are mostly held by slow ones.
DEFAULT_CAPACITY = 32
DEFAULT_PER_CLIENT = 8
RETRY_AFTER_SECONDS = 5
BUSY = "the verifier is busy; try again in a few seconds"


class FetchBudgetSpent(FetchFailed):
    """This verification has used its fetches or its time; nothing more is fetched for it."""

    code = "fetch_budget_spent"

    def __init__(self, message: str, *, limit: str) -> None:
        """``limit``: what ran out, ``time``, ``fetches`` or ``slots`` (load shedding)."""
        super().__init__(message, transient=False, kind=BUDGET_PREFIX + limit)


@dataclass
class FetchBudget:
    """One verification's allowance: ``deadline`` on the fetcher's monotonic clock, at most
    ``max_fetches`` requests to origins, each distinct (URL, Accept) fetched once."""

    deadline: float
    max_fetches: int
    client: str = ""
    slots: OutboundSlots | None = None
    fetched: int = 0
    shed: bool = False
    _answers: dict[tuple[str, str], FetchResult | FetchError] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(
        cls,
        *,
        now: float,
        seconds: float = DEFAULT_VERIFICATION_SECONDS,
        max_fetches: int = DEFAULT_MAX_FETCHES,
        client: str = "",
        slots: OutboundSlots | None = None,
    ) -> FetchBudget:
        return cls(deadline=now + seconds, max_fetches=max_fetches, client=client, slots=slots)

    def answered(self, key: tuple[str, str]) -> FetchResult | None:
        """This verification's earlier answer for ``key``; raises its earlier failure."""
        with self._lock:
            earlier = self._answers.get(key)
        if isinstance(earlier, FetchError):
            raise earlier
        return earlier

    def remember(self, key: tuple[str, str], answer: FetchResult | FetchError) -> None:
        with self._lock:
            self._answers[key] = answer

    def spend(self, url: str, now: float) -> None:
        """Count one origin fetch; ``FetchBudgetSpent`` when none is left or time is up."""
        with self._lock:
            if now >= self.deadline:
                raise FetchBudgetSpent(
                    f"not fetching {url[:200]}: the verification's time is up", limit="time"
                )
            if self.fetched >= self.max_fetches:
                raise FetchBudgetSpent(
                    f"not fetching {url[:200]}: the verification has made its "
                    f"{self.max_fetches} fetches",
                    limit="fetches",
                )
            self.fetched += 1

    def timeout_for(self, now: float, *, at_most: float) -> float:
        """The time one fetch may take: the policy's limit or what is left, if less."""
        return max(0.0, min(at_most, self.deadline - now))

    @contextmanager
    def outbound(self, url: str) -> Iterator[None]:
        """Hold one of ``slots`` for ``client`` while fetching ``url``. None free: this
        verification is ``shed`` and fetches nothing more (``FetchBudgetSpent``)."""
        if self.slots is None:
            yield
            return
        if not self.slots.try_acquire(self.client):
            with self._lock:
                self.shed = True
                self.deadline = -math.inf
            raise FetchBudgetSpent(f"not fetching {url[:200]}: the verifier is busy", limit="slots")
        try:
            yield
        finally:
            self.slots.release(self.client)

    def raise_if_shed(self) -> None:
        """``Overloaded`` when a fetch found no slot: the report would say "could not check"
        only because we were busy, so the answer is a 503 to retry instead."""
        if self.shed:
            raise Overloaded(BUSY)


class Overloaded(PassportError):
    """No slot is free for this client: 503 with ``Retry-After`` (RFC 9110 section 10.2.3)."""

    code = "overloaded"
    status = 503
    retry_after = RETRY_AFTER_SECONDS


class OutboundSlots:
    """Outbound fetches in flight: ``capacity`` at once, ``per_client`` per client."""

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, per_client: int = DEFAULT_PER_CLIENT
    ) -> None:
        self.capacity = capacity
        self.per_client = per_client
        self.shed = 0
        self._in_use: Counter[str] = Counter()
        self._lock = threading.Lock()

    def try_acquire(self, client: str) -> bool:
        """Take a slot for ``client`` if one is free (counted as shed when none is)."""
        with self._lock:
            if self._in_use.total() >= self.capacity or self._in_use[client] >= self.per_client:
                self.shed += 1
                return False
            self._in_use[client] += 1
            return True

    def release(self, client: str) -> None:
        with self._lock:
            self._in_use[client] -= 1
            if self._in_use[client] <= 0:
                del self._in_use[client]
