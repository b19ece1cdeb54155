"""Bearer secrets that travel in URLs are cut out of every log line that names a URL.

Some capabilities must be URLs: a share link (``/s/<token>``) is what a learner hands an
employer, an OpenID4VCI ``credential_offer_uri`` (``/oid4vci/offers/<secret>``) is what a QR
code holds, and the learner's claim page (``/claim/<secret>``) is what an email links to. The
offer's secret is not the pre-authorized code (``issuers.awards.offers.pre_authorized_code``),
but the offer document hands the code out (without a transaction code, to anyone), so whoever
reads the URL can claim the credential (OpenID4VCI 1.0 section 4.1.3; section 13.6 on the code's
confidentiality). An
employer's view of a presentation request carries ``?key=``, a share QR code image ``?t=``, and
the claim form may be opened with the whole offer link in ``?offer=``; the links of the
confirmation, sign-up and password-reset emails carry a single-use token in their path. None of
these may reach a log: uvicorn's access log writes every request line, so
``install_secret_redaction`` puts a filter on its loggers that rewrites each record's arguments
with ``redact_secrets``.

>>> redact_secrets("GET /s/abc123/1/json?t=xyz&lang=fr HTTP/1.1")
'GET /s/[redacted]/1/json?t=[redacted]&lang=fr HTTP/1.1'
>>> redact_secrets("grant_type=refresh_token&refresh_token=abc&client_id=c")
'grant_type=refresh_token&refresh_token=[redacted]&client_id=c'
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# Path segments that are bearer secrets: the share token, the offer's secret (offer, claim page),
# the tokens of the emailed confirmation, sign-up and password reset links
# (passport.wallet.email_flows, passport.wallet.signups).
_SECRET_SEGMENT = re.compile(
    r"(/s/|/oid4vci/offers/|offers%2F|/claim/|/passport/confirm/|/passport/reset/|/console/reset/"
    r"|/passport/signup/)[^/?#&\s\"']+"
)
# Query parameters that are bearer secrets (also inside a percent-encoded offer link).
_SECRET_PARAMETER = re.compile(
    r"((?:[?&]|%3F|%26)(?:key|t|offer|credential_offer|credential_offer_uri|"
    r"pre-authorized_code|tx_code|code)(?:=|%3D))[^&#\s\"']*",
    re.IGNORECASE,
)
# OAuth 2.0 values anywhere in a line: the authorization code a client's callback URL carries
# (RFC 6749 section 4.1.2), and the tokens, client secret and PKCE verifier of a token request's
# form body as httpx logs it (the Open Badges API, ``passport.obapi``).
_OAUTH_PARAMETER = re.compile(
    r"(\b(?:code|access_token|refresh_token|token|client_secret|code_verifier)=)[^&\s\"']+"
)
# uvicorn's loggers: the access log (one line per request) and its error log (a request line
# of a failed request); httpx and httpcore name the URLs the OB API client calls. Our own modules
# pass paths through ``redact_secrets`` themselves.
REDACTED_LOGGERS = ("uvicorn.access", "uvicorn.error", "httpx", "httpcore")


def redact_secrets(text: str) -> str:
    """``text`` with every URL-borne bearer secret replaced by ``[redacted]``."""
    text = _SECRET_SEGMENT.sub(rf"\1{REDACTED}", text)
    text = _SECRET_PARAMETER.sub(rf"\1{REDACTED}", text)
    return _OAUTH_PARAMETER.sub(rf"\1{REDACTED}", text)


class SecretRedactingFilter(logging.Filter):
    """Rewrites a record's message and string arguments with ``redact_secrets``; drops none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_secrets(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def install_secret_redaction() -> None:
    """Put the filter on the loggers that write request URLs (once per logger). uvicorn's own
    logging set-up keeps a logger's filters, so this holds under ``passport serve`` and any
    other ASGI server that uses uvicorn's logger names."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(item, SecretRedactingFilter) for item in logger.filters):
            logger.addFilter(SecretRedactingFilter())
