"""Shared fixtures: vector paths (tests/vectors/README.md names the sources), the session's one
chromium (tests/browser.py), and the secrets guard over every log line (tests/secrets_guard.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.browser import browser, page  # noqa: F401  (fixtures)
from tests.secrets_guard import pytest_configure, pytest_sessionfinish  # noqa: F401  (hooks)

VECTORS = Path(__file__).parent / "vectors"

# On CI the property tests replay a fixed sequence of examples, so a run is reproducible and
# CI never goes red on a case no one can see again; locally they explore new examples each run
# (and keep failures in .hypothesis/ to replay them).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def vectors() -> Path:
    return VECTORS
