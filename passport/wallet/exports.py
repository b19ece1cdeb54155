"""Taking credentials out of the passport: files, a ZIP of everything, LinkedIn, QR codes.

- ``download``: one credential as JSON or JWS (whichever it was issued as: a signed document is
  never re-serialized into the other form), or baked into a PNG or SVG badge (OB 3.0 section 5.3).
  A credential received baked comes back in its own image; otherwise it is baked into its badge
  picture (``passport.wallet.badges``).
- ``export_zip``: every credential exactly as received, plus ``manifest.json`` (file name, format,
  SHA-256, id, issuer, title, when added) so the archive can be checked file by file.
- ``linkedin_url``: LinkedIn's "Add to profile" link (``startTask=CERTIFICATION_NAME``), whose
  ``certUrl`` is a share link of the credential, so whoever follows it sees the live result.
- ``qr_png`` / ``qr_svg``: a QR code carrying a link only, never a credential (a credential does
  not fit in a QR code, and a link can be revoked).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg

from credentials import BadgeArt, NotFound, badge_png, badge_svg, bake
from infra import N_
from passport.wallet.display import credential_text, learning_date
from passport.wallet.tables import CredentialFormat, StoredCredential

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    content: bytes


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60] or "credential"


def _text_format(text: str) -> CredentialFormat:
    return CredentialFormat.JSON if text.startswith("{") else CredentialFormat.JWS


def available_formats(stored: StoredCredential) -> list[str]:
    """What ``download`` offers for this credential: its own text form and both images."""
    return [_text_format(credential_text(stored)).value, "png", "svg"]


MEDIA_TYPES = {
    CredentialFormat.JSON: ("application/vc+ld+json", "json"),
    CredentialFormat.JWS: ("application/vc+jwt", "jwt"),
    CredentialFormat.PNG: ("image/png", "png"),
    CredentialFormat.SVG: ("image/svg+xml", "svg"),
}


def download(stored: StoredCredential, requested: str, art: BadgeArt) -> Download:
    """The credential in ``requested`` form, baked into ``art`` for an image (made here unless
    it came baked); NotFound for a form it does not come in."""
    if requested not in available_formats(stored):
        raise NotFound(
            N_("this credential cannot be downloaded as %(format)s"), params={"format": requested}
        )
    wanted = CredentialFormat(requested)
    media_type, extension = MEDIA_TYPES[wanted]
    filename = f"{_slug(str(stored.display.get('title')))}.{extension}"
    if stored.format == wanted.value:
        return Download(filename, media_type, stored.content)
    text = credential_text(stored)
    if wanted in (CredentialFormat.JSON, CredentialFormat.JWS):
        return Download(filename, media_type, text.encode("utf-8"))
    image = badge_png(art) if wanted is CredentialFormat.PNG else badge_svg(art).encode("utf-8")
    return Download(filename, media_type, bake(image, text))


def _manifest_entry(number: int, stored: StoredCredential) -> tuple[str, dict[str, Any]]:
    _, extension = MEDIA_TYPES[CredentialFormat(stored.format)]
    name = f"{number:03d}-{_slug(str(stored.display.get('title')))}.{extension}"
    return name, {
        "file": name,
        "format": stored.format,
        "sha256": hashlib.sha256(stored.content).hexdigest(),
        "credential_id": stored.credential_id,
        "issuer": stored.issuer_id,
        "title": stored.display.get("title"),
        "source": stored.source,
        "added_at": stored.added_at.isoformat(),
    }


def export_zip(credentials: list[StoredCredential], holder: str, now: datetime) -> bytes:
    """A ZIP of every credential as received, and ``manifest.json`` describing each file."""
    archive = io.BytesIO()
    entries = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for number, stored in enumerate(credentials, start=1):
            name, entry = _manifest_entry(number, stored)
            bundle.writestr(name, stored.content)
            entries.append(entry)
        manifest = {
            "type": "LearnerPassportExport",
            "version": 1,
            "holder": holder,
            "exported_at": now.isoformat(),
            "credentials": entries,
        }
        bundle.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return archive.getvalue()


def linkedin_url(stored: StoredCredential, organization: str, verification_url: str) -> str:
    """LinkedIn's add-certification link for the credential."""
    issued = learning_date(stored)
    parameters = {
        "startTask": "CERTIFICATION_NAME",
        "name": str(stored.display.get("title")),
        "organizationName": organization,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": verification_url,
        "certId": stored.credential_id or stored.id,
    }
    return f"{LINKEDIN_ADD_URL}?{urlencode(parameters)}"


def qr_svg(link: str) -> bytes:
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return image.to_string(encoding="unicode").encode("utf-8")


def qr_png(link: str) -> bytes:
    canvas = io.BytesIO()
    qrcode.make(link, box_size=8, border=4).save(canvas)
    return canvas.getvalue()
