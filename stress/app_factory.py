"""The application for ``uvicorn --factory --workers 2``: each worker builds it from PASSPORT_*."""

from __future__ import annotations

from fastapi import FastAPI

from passport.app import create_app
from passport.settings import Settings


def create() -> FastAPI:
    return create_app(Settings())
