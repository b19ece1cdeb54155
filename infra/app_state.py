"""What a request reads of the app the shell built: the public base URL, and whether mail is sent.

The app state contract, set by the shell's ``create_app``: ``app.state.settings.base_url`` (the
deployment's public URL, without a trailing slash) and ``app.state.mail`` (the mail relay, whose
``enabled`` is false when none is configured).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request


async def get_base_url(request: Request) -> str:
    """A coroutine, so FastAPI calls it on the event loop (``infra.clock.request_now``)."""
    base_url: str = request.app.state.settings.base_url
    return base_url


def mail_enabled(request: Request) -> bool:
    """Whether the app has a mail relay (the shell's ``app.state.mail``); without one, nothing
    is queued (passport/mail_wiring.py)."""
    mail = getattr(request.app.state, "mail", None)
    return bool(mail is not None and mail.enabled)


BaseUrlDep = Annotated[str, Depends(get_base_url)]
MailEnabledDep = Annotated[bool, Depends(mail_enabled)]
