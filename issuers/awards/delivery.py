"""What an award is handed out as: baked badge images and QR codes of credential offers.

Baking (OB 3.0 section 5.3): the credential text is put in a PNG ``iTXt`` chunk or an SVG
``<openbadges:credential>`` element by ``credentials.baking``; the pictures are made on the fly
by ``credentials.badge_art`` from the program and the institution (its initials and colour).
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg

from credentials.badge_art import BadgeArt, badge_png, badge_svg
from credentials.baking import bake_png, bake_svg
from issuers.tables import Institution, Program


def badge_art(program: Program | None, institution: Institution | None) -> BadgeArt:
    """The badge picture of an award: its program, its institution's initials and colour."""
    name = (program.name_en or program.name_fr or program.slug) if program else "Badge"
    if institution is None:
        return BadgeArt(name, "", "")
    return BadgeArt(name, institution.legal_name_en, institution.did, institution.brand_colour)


def baked_png(art: BadgeArt, credential: str) -> bytes:
    return bake_png(badge_png(art), credential)


def baked_svg(art: BadgeArt, credential: str) -> bytes:
    return bake_svg(badge_svg(art).encode("utf-8"), credential)


def qr_png(data: str) -> bytes:
    output = io.BytesIO()
    qrcode.make(data, border=2).save(output)
    return output.getvalue()


def qr_svg(data: str) -> bytes:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode").encode()
