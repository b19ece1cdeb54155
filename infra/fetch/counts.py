"""What went wrong with outbound fetches, counted by the fetcher for the shell to expose.

``infra`` may not import ``passport`` (docs/architecture.md), so the guarded fetcher counts its
failures here, by kind, and ``passport.metrics_wiring`` reads ``snapshot`` at each scrape (the
way it reads ``OutboundSlots.shed``). Kinds are a short fixed set (``FetchError.kind``); those
that start with ``BUDGET_PREFIX`` are a verification's fetch budget running out, not an origin
failing.

>>> counts = FetchCounts()
>>> counts.add("timeout")
>>> counts.snapshot()
{'timeout': 1}
"""

from __future__ import annotations

import threading
from collections import Counter

BUDGET_PREFIX = "budget_"


class FetchCounts:
    """Fetch failures by kind since the process started (thread-safe)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, kind: str) -> None:
        with self._lock:
            self._counts[kind] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)
