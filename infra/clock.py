"""The clock of a request: read once, then handed to services, which never read it themselves.

>>> get_now().tzinfo
datetime.timezone.utc
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends


def get_now() -> datetime:
    """The request's one reading of the clock (timezone-aware UTC)."""
    return datetime.now(UTC)


async def request_now() -> datetime:
    """``get_now`` as a dependency. A coroutine because FastAPI runs a plain function
    dependency in its thread pool: a hop there and back to the event loop per dependency,
    which a busy loop made the largest part of a page's wait (issue #19)."""
    return get_now()


NowDep = Annotated[datetime, Depends(request_now)]
