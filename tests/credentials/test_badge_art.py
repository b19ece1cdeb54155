"""Badge pictures (credentials.badge_art, issue #16): whose and what for, readable, and safe,
with an uploaded logo reduced to its pixels.

The SVG is parsed with the standard library's XML parser and the PNG opened with Pillow, so the
tests read the pictures as any other program would.
"""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from credentials.badge_art import (
    LOGO_SIZE,
    MAX_LOGO_BYTES,
    MAX_LOGO_SIDE,
    PALETTE,
    BadgeArt,
    badge_png,
    badge_svg,
    checked_logo,
)
from credentials.baking import bake_svg, extract_svg
from credentials.errors import InputTooLarge, InvalidInput

SVG = "{http://www.w3.org/2000/svg}"


def _luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", PALETTE)
def test_white_text_is_readable_on_every_palette_colour(colour: str) -> None:
    contrast = 1.05 / (_luminance(colour) + 0.05)
    assert contrast >= 4.5, f"{colour}: {contrast:.2f}:1"


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("Lakeshore College of Applied Arts and Technology", "LCA"),
        ("Collège des Grands Lacs", "CGL"),
        ("Université du Carrefour", "UC"),
        ("", "?"),
    ],
)
def test_initials_skip_the_small_words_of_both_languages(name: str, initials: str) -> None:
    assert BadgeArt("Welding", name, "key").initials == initials


def test_the_brand_colour_wins_and_the_palette_colour_is_stable() -> None:
    assert BadgeArt("P", "I", "did:web:a", "#5C4A00").colour == "#5c4a00"
    fallback = BadgeArt("P", "I", "did:web:a", "red").colour  # not #rrggbb: ignored
    assert fallback in PALETTE
    assert fallback == BadgeArt("Other", "Other", "did:web:a").colour


def test_the_svg_names_the_program_and_escapes_what_it_draws() -> None:
    art = BadgeArt('<script>alert("x")</script> & Co', "Collège <b>", "did:web:x")
    document = ET.fromstring(badge_svg(art))
    assert document.get("role") == "img"
    assert document.findtext(f"{SVG}title") == art.program
    assert document.find(f".//{SVG}script") is None
    drawn = "".join(document.itertext())
    assert "CB" in drawn  # the initials of "Collège <b>", as text


def test_a_decorative_svg_is_hidden_from_screen_readers() -> None:
    document = ET.fromstring(badge_svg(BadgeArt("Welding", "College", "k"), decorative=True))
    assert document.get("aria-hidden") == "true"
    assert document.find(f"{SVG}title") is None


def test_a_long_program_name_is_cut_to_three_lines() -> None:
    art = BadgeArt("Advanced Industrial Automation and Robotics Maintenance Practice", "C", "k")
    lines = art.name_lines()
    assert len(lines) == 3
    assert lines[-1].endswith("…")


def test_the_png_is_a_square_picture_in_the_institutions_colour() -> None:
    art = BadgeArt("Welding", "College", "k", "#1a6b3c")
    image = Image.open(io.BytesIO(badge_png(art))).convert("RGB")
    assert image.size == (256, 256)
    assert image.getpixel((128, 20)) == (0x1A, 0x6B, 0x3C)


def test_the_svg_can_carry_a_baked_credential() -> None:
    baked = bake_svg(badge_svg(BadgeArt("Welding", "College", "k")).encode(), '{"id": "x"}')
    assert extract_svg(baked) == '{"id": "x"}'


def _image(mode: str, size: tuple[int, int], colour: object, kind: str = "PNG") -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, colour).save(output, format=kind)  # type: ignore[arg-type]
    return output.getvalue()


def test_a_logo_is_drawn_again_small_and_keeps_nothing_but_its_pixels() -> None:
    upload = _image("RGB", (400, 200), (200, 0, 0)) + b"<script>alert(1)</script>"
    logo = checked_logo(upload)
    assert b"script" not in logo
    image = Image.open(io.BytesIO(logo))
    assert (image.format, image.size) == ("PNG", (LOGO_SIZE, LOGO_SIZE // 2))
    assert image.convert("RGB").getpixel((10, 10)) == (200, 0, 0)
    assert checked_logo(_image("RGB", (50, 50), (0, 0, 200), "JPEG"))  # JPEG is read too


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", InvalidInput),
        (_image("RGB", (8, 8), (0, 0, 0), "GIF"), InvalidInput),
        (b"\x89PNG\r\n\x1a\n", InvalidInput),
        (bytes(MAX_LOGO_BYTES + 1), InputTooLarge),
        # A small file declaring a huge picture: refused from its header, never decoded.
        (_image("1", (MAX_LOGO_SIDE + 1, 1), 0), InputTooLarge),
    ],
)
def test_what_is_not_a_small_png_or_jpeg_is_refused(upload: bytes, error: type) -> None:
    with pytest.raises(error):
        checked_logo(upload)


def test_a_badge_with_a_logo_shows_it_instead_of_the_initials() -> None:
    logo = checked_logo(_image("RGB", (64, 64), (200, 0, 0)))
    art = BadgeArt("Welding", "Collège Nord", "k", "#1a6b3c", logo)
    document = ET.fromstring(badge_svg(art))
    [picture] = document.iter(f"{SVG}image")
    assert picture.get("href") == "data:image/png;base64," + base64.b64encode(logo).decode()
    assert "CN" not in "".join(document.itertext())
    png = Image.open(io.BytesIO(badge_png(art))).convert("RGB")
    assert png.getpixel((128, 96)) == (200, 0, 0)
    assert png.getpixel((128, 20)) == (0x1A, 0x6B, 0x3C)
