"""What an award is handed out as: baked badge images and QR codes of credential offers.

Baking (OB 3.0 section 5.3): the credential text is put in a PNG ``iTXt`` chunk or an SVG
``<openbadges:credential>`` element by ``credentials.baking``; the pictures are made on the fly
by ``credentials.badge_art`` from the program and the institution (its colour, and its logo or
initials).
"""

from __future__ import annotations

import io
import json

import qrcode
import qrcode.image.svg

from credentials import BadgeArt, badge_png, badge_svg, bake_png, bake_svg
from issuers.awards.tables import Award
from issuers.tables import Institution, Program


def badge_art(name: str, institution: Institution | None) -> BadgeArt:
    """The badge picture of ``name`` (a program's, in the language it is shown in) awarded by
    ``institution``: its brand colour, and its logo or initials."""
    if institution is None:
        return BadgeArt(name, "", "")
    return BadgeArt(
        name,
        institution.legal_name_en,
        institution.did,
        institution.brand_colour,
        institution.logo_png,
    )


def award_badge_art(
    award: Award, program: Program | None, institution: Institution | None
) -> BadgeArt:
    """The badge picture of an award, named as its credential names the program (in the
    learner's language)."""
    achievement = json.loads(award.ldp_credential).get("credentialSubject", {}).get("achievement")
    name = achievement.get("name") if isinstance(achievement, dict) else None
    if not isinstance(name, str):
        name = (program.name_en or program.name_fr or program.slug) if program else "Badge"
    return badge_art(name, institution)


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
