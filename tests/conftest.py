"""Shared fixtures: vector paths (tests/vectors/README.md names the sources), the session's one
chromium (tests/browser.py), and the secrets guard over every log line (tests/secrets_guard.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import browser, page  # noqa: F401  (fixtures)
from tests.secrets_guard import pytest_configure, pytest_sessionfinish  # noqa: F401  (hooks)

VECTORS = Path(__file__).parent / "vectors"


@pytest.fixture
def vectors() -> Path:
    return VECTORS
