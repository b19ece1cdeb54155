"""Request ids and the access log.

Every request gets an id: the proxy's ``X-Request-ID`` when it is a short token (nginx's
``$request_id``, so one id follows a request from proxy to app), else a new random one. It is
sent back in ``X-Request-ID`` and set on every log record written while the request runs
(``passport.log_setup``). One ``passport.access`` record per request (silenced by the logging
configuration when the access log is off) gives method, route template, status and duration:
the template (``/s/{token}``), never the raw path, so share tokens in URLs never reach the log.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passport.log_setup import request_id_var
from passport.metrics_wiring import route_template

access_logger = logging.getLogger("passport.access")
REQUEST_ID_HEADER = b"x-request-id"
_ACCEPTED_ID = re.compile(rb"[A-Za-z0-9._-]{8,64}")


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _ACCEPTED_ID.fullmatch(value):
            return str(value.decode("ascii"))
    return secrets.token_hex(16)


class RequestContext:
    """ASGI middleware: the request id for logs and the response, and the access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", [])]
                headers.append((REQUEST_ID_HEADER, request_id.encode("ascii")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._log(scope, status, time.perf_counter() - started)
            request_id_var.reset(token)

    @staticmethod
    def _log(scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        access_logger.info(
            "%s %s %d",
            scope["method"],
            route,
            status,
            extra={
                "method": scope["method"],
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
