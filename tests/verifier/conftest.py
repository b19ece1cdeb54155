"""Fixtures for the verifier: the app served by uvicorn on loopback, with settings per test.

``browser`` and ``page`` are the shell's Playwright fixtures (Debian's chromium).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from passport.app import create_app
from passport.database import prepare_database
from passport.settings import Settings
from tests.passport.live_server import serving
from tests.storage import sqlite_url

Serve = Callable[..., AbstractContextManager[httpx.Client]]


@pytest.fixture
def database(tmp_path: Path) -> str:
    return sqlite_url(tmp_path)


@pytest.fixture
def serve() -> Serve:
    """``with serve(settings) as client``: the app for ``settings``, and an HTTP client to it."""

    @contextmanager
    def run(settings: Settings) -> Iterator[httpx.Client]:
        prepare_database(settings)
        with (
            serving(create_app(settings)) as base_url,
            httpx.Client(base_url=base_url, timeout=30) as client,
        ):
            yield client

    return run
