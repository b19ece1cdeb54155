"""Rendered pages kept while everything they show is unchanged (issue #19).

Rendering the share page cost about half of its CPU (the report's sentences in the reader's
language, the badge, the layout), and an employer's page shows the same thing to every
visitor until something it shows changes. So the page's HTML is kept in this process's memory
under a key of everything it is made of, and the route still reads, on every view, what could
change: the share link (revoked or expired links never reach this), its credentials, each
credential's report (``passport.wallet.live``: the outcome cache, which reads our records'
revision from the database, so our own revocations show at once) and the badges (our
institutions' looks as ``passport.wallet.badges`` keeps them). A kept page
is served only when:

- its key is equal: the template, the language, the path and query (the layout's links), the
  registry's version, and each credential's id, digest (its display is made from its bytes),
  badge and replaced mark;
- each report is the very object the page was made from. The outcome cache hands out the same
  report while it holds and a new one when anything it depends on changed, so a page can
  never outlive its reports.

The passport pages are kept the same way, their key also holding what they show of the
learner and their collections, and, since their forms carry the reader's CSRF token, that
token: a kept page with forms is only ever served to the session it was made for
(``passport.wallet.web.kept_page``). Bounded: ``max_entries`` pages, least recently used first
out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from verifier import VerificationReport

DEFAULT_MAX_ENTRIES = 512


@dataclass(frozen=True)
class _Kept:
    reports: tuple[VerificationReport, ...]
    html: str

    def made_from(self, reports: Sequence[VerificationReport]) -> bool:
        return len(reports) == len(self.reports) and all(
            now is then for now, then in zip(reports, self.reports, strict=True)
        )


class RenderedPages:
    """Pages' HTML by key, each with the reports it was made from."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def html(
        self, key: Hashable, reports: Sequence[VerificationReport], render: Callable[[], str]
    ) -> str:
        """The kept page for ``key`` made from ``reports``, else ``render()`` (then kept)."""
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None and kept.made_from(reports):
                self._entries.move_to_end(key)
                return kept.html
        html = render()
        with self._lock:
            self._entries[key] = _Kept(tuple(reports), html)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
