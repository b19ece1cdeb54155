"""Authorization codes and tokens out of every log line.

The protocol puts the authorization code in a redirect URL (RFC 6749 section 4.1.2), so the
client's callback request line, as an access log writes it, carries one. ``RedactSecrets``
replaces the value of every such parameter with ``[redacted]`` in the record's message and
arguments before any handler formats it.

>>> redact("GET /cb?code=abc&state=x HTTP/1.1")
'GET /cb?code=[redacted]&state=x HTTP/1.1'
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = re.compile(
    r"(?P<name>\b(?:code|access_token|refresh_token|token|client_secret|code_verifier)=)[^&\s\"']+"
)
REDACTED = "[redacted]"
LOGGERS = ("uvicorn.access", "uvicorn.error", "httpx", "httpcore")


def redact(text: str) -> str:
    return SECRET_PARAMETERS.sub(rf"\g<name>{REDACTED}", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact(value) if isinstance(value, str) else value for value in record.args
            )
        return True


def install_redaction() -> None:
    """Add the filter to the loggers that write request lines and URLs (once each)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())
