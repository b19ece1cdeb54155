"""Fixtures for the application shell: databases on every backend, a live server, chromium.

The browser tests drive Debian's chromium through Playwright (Playwright cannot download its own
browsers here; ``make browser`` installs the package). A missing chromium fails the tests with
that instruction: browser tests are never skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from passport.app import create_app
from passport.database import prepare_database
from passport.settings import Mode, Settings
from tests.browser import BROWSER_TIMEOUT_MS, CHROMIUM_ARGS  # noqa: F401  (re-exported)
from tests.passport.live_server import serving
from tests.storage import (
    database_url,  # noqa: F401  (fixture)
    deselect_postgres_only_tests,
    postgres_url,  # noqa: F401  (fixture)
    sqlite_url,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect_postgres_only_tests(config, items)


def development_settings(url: str, **overrides: object) -> Settings:
    """Settings for a test: explicit values, so a developer's PASSPORT_* variables do not leak."""
    values: dict[str, object] = {
        "database_url": url,
        "mode": Mode.DEVELOPMENT,
        "master_key": None,
        "base_url": "http://127.0.0.1:8000",
        "max_request_bytes": 1024 * 1024,
        "default_language": "en",
    }
    return Settings.model_validate(values | overrides)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application on a temporary SQLite database, served on 127.0.0.1; yields its URL."""
    settings = development_settings(sqlite_url(tmp_path_factory.mktemp("live")))
    prepare_database(settings)
    with serving(create_app(settings)) as base_url:
        yield base_url
