"""The neutral layer: plumbing that every component shares and no product owns.

See docs/architecture.md ("Dependency rule").

Other packages import only the names of ``__all__``, from here (``from infra import SessionDep``).
"""

from infra.app_state import BaseUrlDep, MailEnabledDep, mail_enabled
from infra.clock import NowDep, get_now
from infra.columns import UTCDateTime
from infra.database import (
    DatabaseUnavailable,
    SessionDep,
    create_database_engine,
    disposable_engine,
    is_sqlite,
    redacted_url,
    statement_by_statement,
    statement_session,
)
from infra.fetch.addresses import Resolver, address_refusal, system_resolver
from infra.fetch.budget import FetchBudget, OutboundSlots, Overloaded
from infra.fetch.counts import BUDGET_PREFIX, FetchCounts
from infra.fetch.errors import FetchFailed, FetchRefused
from infra.fetch.fetcher import FetchPolicy, FetchResult, GuardedFetcher
from infra.fetch.pinned_transport import PinnedBackend, PinnedTransport
from infra.i18n import N_, SUPPORTED, error_text, negotiate_language, translations_for
from infra.login_limits import LoginFailureColumns, LoginLimits, TooManyAttempts
from infra.pages import page_html, page_response, render_page

__all__ = [
    "BUDGET_PREFIX",
    "N_",
    "SUPPORTED",
    "BaseUrlDep",
    "DatabaseUnavailable",
    "FetchBudget",
    "FetchCounts",
    "FetchFailed",
    "FetchPolicy",
    "FetchRefused",
    "FetchResult",
    "GuardedFetcher",
    "LoginFailureColumns",
    "LoginLimits",
    "MailEnabledDep",
    "NowDep",
    "OutboundSlots",
    "Overloaded",
    "PinnedBackend",
    "PinnedTransport",
    "Resolver",
    "SessionDep",
    "TooManyAttempts",
    "UTCDateTime",
    "address_refusal",
    "create_database_engine",
    "disposable_engine",
    "error_text",
    "get_now",
    "is_sqlite",
    "mail_enabled",
    "negotiate_language",
    "page_html",
    "page_response",
    "redacted_url",
    "render_page",
    "statement_by_statement",
    "statement_session",
    "system_resolver",
    "translations_for",
]
