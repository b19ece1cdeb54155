"""The client's logo on the consent page (OB 3.0 section 7.1.2: the authorization server SHOULD
display ``logo_uri``), fetched through the guarded fetcher and shown as a ``data:`` URI, so the
page's ``img-src 'self' data:`` policy holds and the learner's browser never contacts the
client before they decide. Anything but a small PNG, JPEG, GIF or WebP image is not shown.
"""

from __future__ import annotations

import base64
import io

from PIL import Image, UnidentifiedImageError

from credentials import PassportError
from infra import GuardedFetcher

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_LOGO_BYTES = 256 * 1024
ACCEPT = "image/png, image/jpeg, image/gif, image/webp"


def logo_data_uri(fetcher: GuardedFetcher, url: object) -> str | None:
    """The logo as a ``data:`` URI, or None when it cannot be fetched or is not an image."""
    if not isinstance(url, str):
        return None
    try:
        result = fetcher.fetch(url, accept=ACCEPT)
    except PassportError:
        return None
    if result.status != 200 or len(result.content) > MAX_LOGO_BYTES:
        return None
    try:
        with Image.open(io.BytesIO(result.content)) as image:
            media_type = IMAGE_TYPES.get(image.format or "")
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    if media_type is None:
        return None
    return f"data:{media_type};base64,{base64.b64encode(result.content).decode('ascii')}"
