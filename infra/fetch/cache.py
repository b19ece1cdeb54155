"""The guarded fetcher's memory: how long an answer stays fresh (RFC 9111), and a bounded LRU.

>>> freshness_seconds("public, max-age=60", default=300.0, ceiling=86400.0)
60.0
>>> freshness_seconds("no-store", default=300.0, ceiling=86400.0) is None
True
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Generic, TypeVar

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)
_NO_STORE = re.compile(r"(?:^|,)\s*no-store\s*(?:,|$)", re.IGNORECASE)


def freshness_seconds(cache_control: str, *, default: float, ceiling: float) -> float | None:
    """Seconds to keep an answer fresh (RFC 9111 section 5.2.2): its ``max-age`` up to
    ``ceiling``, ``default`` when it names none; None means do not store (``no-store``)."""
    if _NO_STORE.search(cache_control):
        return None
    max_age = _MAX_AGE.search(cache_control)
    return default if max_age is None else min(float(max_age[1]), ceiling)


Cached = TypeVar("Cached")


class LruCache(Generic[Cached]):
    """A thread-safe LRU keyed by (URL, Accept): answers, or recent failures."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[tuple[str, str], Cached] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Cached | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, str], entry: Cached | None) -> None:
        with self._lock:
            self._entries.pop(key, None)
            if entry is not None:
                self._entries[key] = entry
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
