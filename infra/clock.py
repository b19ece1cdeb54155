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


NowDep = Annotated[datetime, Depends(get_now)]
