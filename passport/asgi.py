"""The application factory for multi-process serving: every uvicorn worker process builds its
own app from the ``PASSPORT_*`` settings (``passport serve --workers N`` uses it, and so can
``uvicorn passport.asgi:create --factory --workers N``).

Part of the installed package, so it works outside the source tree.
"""

from __future__ import annotations

from fastapi import FastAPI

from passport.app import create_app
from passport.settings import Settings

FACTORY = "passport.asgi:create"


def create() -> FastAPI:
    """The app of this worker process, from the ``PASSPORT_*`` environment."""
    return create_app(Settings())
