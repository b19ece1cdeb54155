"""Every JSON request body goes through the one parser for untrusted JSON before any route reads it.

FastAPI parses a JSON body with ``json.loads``: a lone surrogate (``"\\ud800"``) then reaches a
route as a ``str`` that cannot be written to the database or into a response (a 500), and the
other hostile forms (NaN, ``1e999999``, duplicate names, a 5,000-digit integer) are accepted or
answered with a bare "error parsing the body". This middleware runs ``credentials.jsonio``'s
``parse_json`` over the body of every request declared as JSON (``application/json`` or any
``+json`` type) and answers its ``InvalidInput`` as a 400 problem with the reason; a body it
accepts is handed on unchanged. It sits inside ``RequestSizeLimit``, so the body it buffers is
already within the route's size limit. Routes that read their body with ``parse_json`` themselves
(the verify API, which also takes a JWS or a URL) are named in ``own_parsers`` and left alone.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credentials import InputTooLarge, InvalidInput, parse_json
from passport.errors import passport_error_response

# Bodies up to this size parse in well under a millisecond, inline; larger ones in a thread.
INLINE_PARSE_BYTES = 16 * 1024


def _declares_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind: str = value.decode("latin-1").partition(";")[0].strip().lower()
            return kind == "application/json" or kind.endswith("+json")
    return False


class UntrustedJsonBodies:
    """Refuse a JSON request body that ``parse_json`` refuses, with 400 problem+json."""

    def __init__(self, app: ASGIApp, *, base_url: str, own_parsers: frozenset[str]) -> None:
        self.app = app
        self.base_url = base_url
        self.own_parsers = own_parsers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] in self.own_parsers
            or not _declares_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = bytearray()
        try:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
        except InputTooLarge:
            return  # RequestSizeLimit has answered 413 already
        if body.strip():
            try:
                if len(body) > INLINE_PARSE_BYTES:  # keep the event loop free for others
                    await run_in_threadpool(parse_json, bytes(body), max_bytes=len(body))
                else:
                    parse_json(bytes(body), max_bytes=len(body))
            except InvalidInput as error:
                await passport_error_response(self.base_url, error)(scope, receive, send)
                return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
