"""What an award is handed out as: baked badge images and QR codes of credential offers.

Baking (OB 3.0 section 5.3): the credential text is put in a PNG ``iTXt`` chunk or an SVG
``<openbadges:credential>`` element by ``credentials.baking``; the images here are plain badge
pictures made on the fly (the institution's own artwork can replace them later).
"""

from __future__ import annotations

import io
from html import escape

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw

from credentials.baking import bake_png, bake_svg

BADGE_SIZE = 256
BADGE_COLOUR = (25, 70, 120)


def badge_png(label: str) -> bytes:
    """A round badge picture; ``label`` (the program name) is drawn in it."""
    image = Image.new("RGBA", (BADGE_SIZE, BADGE_SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, BADGE_SIZE - 8, BADGE_SIZE - 8), fill=BADGE_COLOUR)
    draw.text((BADGE_SIZE // 2, BADGE_SIZE // 2), label[:24], fill="white", anchor="mm")
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def badge_svg(label: str) -> bytes:
    red, green, blue = BADGE_COLOUR
    half = BADGE_SIZE // 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{BADGE_SIZE}" height="{BADGE_SIZE}" '
        f'viewBox="0 0 {BADGE_SIZE} {BADGE_SIZE}">'
        f'<circle cx="{half}" cy="{half}" r="{half - 8}" fill="rgb({red},{green},{blue})"/>'
        f'<text x="{half}" y="{half}" fill="white" text-anchor="middle" font-size="14">'
        f"{escape(label[:40])}</text></svg>"
    ).encode()


def baked_png(label: str, credential: str) -> bytes:
    return bake_png(badge_png(label), credential)


def baked_svg(label: str, credential: str) -> bytes:
    return bake_svg(badge_svg(label), credential)


def qr_png(data: str) -> bytes:
    output = io.BytesIO()
    qrcode.make(data, border=2).save(output)
    return output.getvalue()


def qr_svg(data: str) -> bytes:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode").encode()
