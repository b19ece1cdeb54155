"""Turning whatever an employer hands us into one of three things to verify.

Accepted: a JSON credential or presentation, a compact JWS (any of the three JWT shapes), or a
baked PNG/SVG carrying either (OB 3.0 section 5.3 "Baking"). Anything else raises ``InvalidInput``
with a one-line reason; reading never verifies anything.

>>> read_input(b'{"type": ["VerifiableCredential"]}').kind
'json'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from credentials import (
    MAX_DOCUMENT_BYTES,
    InputTooLarge,
    InvalidInput,
    extract,
    looks_like_compact_jws,
    parse_compact_jws,
    parse_json_object,
)
from verifier.guards import refuse_oversized

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class VerifiableInput:
    """``kind`` is ``json`` (``document`` set) or ``jws`` (``token`` set); ``baked`` tells where
    it came from so a report can say "extracted from a baked PNG"."""

    kind: Literal["json", "jws"]
    document: dict[str, Any] | None = None
    token: str | None = None
    baked: Literal["png", "svg"] | None = None


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head


def _from_text(text: str, baked: Literal["png", "svg"] | None) -> VerifiableInput:
    stripped = text.strip()
    if stripped.removeprefix("\ufeff").startswith("{"):  # the parser names the byte order mark
        document = parse_json_object(stripped)
        refuse_oversized(document)
        return VerifiableInput("json", document=document, baked=baked)
    if looks_like_compact_jws(stripped):
        return VerifiableInput("jws", token=stripped, baked=baked)
    raise InvalidInput("not a credential: expected JSON, a compact JWS, or a baked PNG/SVG badge")


def read_input(data: bytes) -> VerifiableInput:
    """Classify and parse raw bytes (a file, an upload, a request body)."""
    if data.startswith(PNG_SIGNATURE) or _looks_like_svg(data):
        if len(data) > MAX_IMAGE_BYTES:
            raise InputTooLarge(f"image is {len(data)} bytes; the limit is {MAX_IMAGE_BYTES}")
        kind: Literal["png", "svg"] = "png" if data.startswith(PNG_SIGNATURE) else "svg"
        return _from_text(extract(data), baked=kind)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputTooLarge(f"document is {len(data)} bytes; the limit is {MAX_DOCUMENT_BYTES}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("not a credential: the file is neither text nor a PNG/SVG") from None
    return _from_text(text, baked=None)


def claimed_document(item: VerifiableInput) -> dict[str, Any]:
    """The credential as JSON, read and not verified: the document, or the payload of a JWS (its
    ``vc`` claim for the legacy VC-JWT form). Raises ``PassportError`` for a token too malformed
    to read."""
    if item.document is not None:
        return item.document
    assert item.token is not None
    payload = parse_compact_jws(item.token).payload
    legacy = payload.get("vc")
    return legacy if isinstance(legacy, dict) else payload
