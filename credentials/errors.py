"""The one exception root of Learner Passport, with stable error codes.

Malformed input raises one of these; verification *outcomes* (tampered, revoked, expired, unknown
issuer) never do: they are returned as checks in a report (see ``credentials.report``). The web
shell maps every ``PassportError`` to ``application/problem+json`` in one place, and the CLI maps
it to exit code 2 with the message.

Messages must never contain key material: pass only public identifiers into them.

A message is plain English (logs, the CLI and problem+json ``detail`` use it as is). With
``params`` it is a template whose ``%(name)s`` slots the data fills in (a limit, a URL, a reason
from elsewhere), so that a page can translate the template and leave the data as it is:

>>> error = InvalidInput("a name has at most %(limit)s characters", params={"limit": "120"})
>>> error.message, error.template
('a name has at most 120 characters', 'a name has at most %(limit)s characters')
"""

from __future__ import annotations

from collections.abc import Mapping


class PassportError(Exception):
    """Root of every error the project raises on purpose.

    ``code`` is stable (clients may switch on it); ``status`` is the HTTP status the shell uses.
    """

    code = "passport_error"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, params: Mapping[str, object] | None = None
    ) -> None:
        self.template = message
        self.params = {name: str(value) for name, value in (params or {}).items()}
        self.message = message % self.params if params else message
        super().__init__(self.message)
        if code is not None:
            self.code = code


class InvalidInput(PassportError):
    """The input cannot be read as what it claims to be (bad JSON, wrong type, bad encoding)."""

    code = "invalid_input"


class InputTooLarge(InvalidInput):
    """The input is over a size, depth or count limit."""

    code = "input_too_large"
    status = 413


class UnknownContext(InvalidInput):
    """A JSON-LD context that is not bundled was referenced; we never fetch contexts."""

    code = "unknown_context"


class UndefinedTerm(InvalidInput):
    """JSON-LD safe mode: a term that no context defines would be silently dropped."""

    code = "undefined_term"


class UnsupportedMechanism(InvalidInput):
    """A securing mechanism, cryptosuite or algorithm outside the allow-list."""

    code = "unsupported_mechanism"


class InvalidKey(InvalidInput):
    """A key, Multikey, JWK or DID that cannot be decoded or has the wrong type or length."""

    code = "invalid_key"


class KeyNotFound(PassportError):
    """A verification method could not be resolved to a public key."""

    code = "key_not_found"
    status = 404


class ResolutionUnavailable(PassportError):
    """Resolving something needs the network (or another service) that is not available here."""

    code = "resolution_unavailable"
    status = 503


class NotFound(PassportError):
    code = "not_found"
    status = 404


class Conflict(PassportError):
    code = "conflict"
    status = 409


class Forbidden(PassportError):
    code = "forbidden"
    status = 403


class Unauthorized(PassportError):
    code = "unauthorized"
    status = 401
