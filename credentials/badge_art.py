"""Badge pictures made from who issued a credential and what for (issue #16).

Every badge is a disc in the institution's colour with its logo (or its initials when it has
none) and, below, the program's name, so that a passport, a share page or a catalog listing
shows at a glance whose credential it is. The colour is the institution's brand colour when it
has one; otherwise one of a palette of dark colours, chosen by a hash of the institution's
identifier so that it never changes. All colours keep white text at a contrast of at least 4.5:1
(WCAG 2.1 SC 1.4.3).

A logo is only ever a small PNG that ``checked_logo`` made: the uploaded image is decoded within
size limits and drawn again, so what a badge embeds (as a ``data:`` URI, never a link to fetch)
is pixels and nothing else: no metadata, no script, no second image hidden after the first.

The SVG is text (the pages inline it, the baking code embeds the credential in it); the PNG is
drawn with Pillow for PNG baking (OB 3.0 section 5.3). Both are pure: no I/O.

>>> art = BadgeArt("Robotic Welding", "Collège des Grands Lacs", "did:web:x")
>>> art.initials, art.colour
('CGL', '#0b5cad')
>>> badge_svg(art).startswith('<svg xmlns="http://www.w3.org/2000/svg"')
True
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import textwrap
import warnings
from dataclasses import dataclass
from html import escape

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from credentials.errors import InputTooLarge, InvalidInput

# Dark enough for white text (contrast >= 4.5:1), distinct from each other.
PALETTE = (
    "#0b5cad",
    "#1a6b3c",
    "#7a1f5c",
    "#8a3b12",
    "#3d4f9f",
    "#00686b",
    "#6b4c9a",
    "#a4161a",
)
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Words that initials skip, in English and French names of institutions.
MINOR_WORDS = frozenset(
    {"of", "and", "the", "for", "in", "at", "de", "des", "du", "la", "le", "les", "et", "d", "l"}
)
SIZE = 256
NAME_LINE_LENGTH = 16
NAME_LINES = 3
# An uploaded logo: at most this many bytes and pixels a side, stored as a PNG of LOGO_SIZE.
MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 4096
LOGO_SIZE = 96
LOGO_FORMATS = ("PNG", "JPEG")
# Where the logo sits: on a white disc, so that a dark logo shows on a dark brand colour.
LOGO_CENTRE, LOGO_DISC_RADIUS, LOGO_BOX = (128, 96), 58, 80


@dataclass(frozen=True)
class BadgeArt:
    """What a badge shows: the program's name and the institution's initials and colour."""

    program: str
    institution: str
    institution_key: str  # a stable identifier (slug or DID), for the palette colour
    brand_colour: str | None = None
    logo_png: bytes | None = None  # made by ``checked_logo``, never taken as received

    @property
    def initials(self) -> str:
        words = re.findall(r"[^\W\d_]+", self.institution)
        kept = [word for word in words if word.lower() not in MINOR_WORDS] or words
        return "".join(word[0].upper() for word in kept[:3]) or "?"

    @property
    def colour(self) -> str:
        if self.brand_colour and HEX_COLOUR.fullmatch(self.brand_colour):
            return self.brand_colour.lower()
        digest = hashlib.sha256(self.institution_key.encode("utf-8")).digest()
        return PALETTE[digest[0] % len(PALETTE)]

    def name_lines(self) -> list[str]:
        lines = textwrap.wrap(self.program, NAME_LINE_LENGTH, break_long_words=True)
        if len(lines) > NAME_LINES:
            lines = [*lines[: NAME_LINES - 1], lines[NAME_LINES - 1][: NAME_LINE_LENGTH - 1] + "…"]
        return lines


def badge_svg(art: BadgeArt, *, decorative: bool = False) -> str:
    """The badge as an SVG document; ``decorative`` hides it from screen readers (a page that
    names the program beside it), otherwise it is an image titled with the program's name."""
    role = 'aria-hidden="true" focusable="false"' if decorative else 'role="img"'
    title = "" if decorative else f"<title>{escape(art.program)}</title>"
    lines = art.name_lines()
    first = 170 - 11 * (len(lines) - 1)
    name = "".join(
        f'<tspan x="128" y="{first + 22 * number}">{escape(line)}</tspan>'
        for number, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" class="badge-image" {role}>{title}'
        f'<circle cx="128" cy="128" r="124" fill="{art.colour}"/>'
        '<circle cx="128" cy="128" r="112" fill="none" stroke="#fff" stroke-width="3" '
        f'stroke-opacity="0.6"/>{_svg_mark(art)}'
        '<text text-anchor="middle" font-family="system-ui, sans-serif" font-size="19" '
        f'fill="#fff">{name}</text></svg>'
    )


def _svg_mark(art: BadgeArt) -> str:
    """The logo on its white disc, or the initials."""
    if art.logo_png is None:
        return (
            '<text x="128" y="112" text-anchor="middle" font-family="system-ui, sans-serif" '
            f'font-size="56" font-weight="700" fill="#fff">{escape(art.initials)}</text>'
        )
    (x, y), half = LOGO_CENTRE, LOGO_BOX // 2
    data = base64.b64encode(art.logo_png).decode("ascii")
    return (
        f'<circle cx="{x}" cy="{y}" r="{LOGO_DISC_RADIUS}" fill="#fff"/>'
        f'<image x="{x - half}" y="{y - half}" width="{LOGO_BOX}" height="{LOGO_BOX}" '
        f'preserveAspectRatio="xMidYMid meet" href="data:image/png;base64,{data}"/>'
    )


def badge_png(art: BadgeArt) -> bytes:
    """The same badge drawn as a PNG (for PNG baking, where an SVG cannot go)."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, SIZE - 4, SIZE - 4), fill=art.colour)
    draw.ellipse((16, 16, SIZE - 16, SIZE - 16), outline=(255, 255, 255, 153), width=3)
    if art.logo_png is None:
        draw.text((128, 92), art.initials, fill="white", anchor="mm", font=_font(56))
    else:
        _paste_logo(image, draw, art.logo_png)
    lines = art.name_lines()
    for number, line in enumerate(lines):
        y = 164 - 11 * (len(lines) - 1) + 22 * number
        draw.text((128, y), line, fill="white", anchor="mm", font=_font(19))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _paste_logo(image: Image.Image, draw: ImageDraw.ImageDraw, logo_png: bytes) -> None:
    (x, y), radius = LOGO_CENTRE, LOGO_DISC_RADIUS
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill="white")
    logo = Image.open(io.BytesIO(logo_png)).convert("RGBA")
    logo.thumbnail((LOGO_BOX, LOGO_BOX))
    image.alpha_composite(logo, (x - logo.width // 2, y - logo.height // 2))


def checked_logo(data: bytes) -> bytes:
    """An uploaded logo (PNG or JPEG) drawn again as a PNG of at most ``LOGO_SIZE`` pixels a
    side, or ``InvalidInput`` saying why not. The size is read from the header and checked
    before any pixel is decoded, so a small file cannot expand into a huge image."""
    if len(data) > MAX_LOGO_BYTES:
        raise InputTooLarge(
            "a logo is at most %(limit)s KiB", params={"limit": MAX_LOGO_BYTES // 1024}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data), formats=LOGO_FORMATS)
            if max(source.size) > MAX_LOGO_SIDE:
                raise InputTooLarge(
                    "a logo is at most %(limit)s pixels a side", params={"limit": MAX_LOGO_SIDE}
                )
            source.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning):
        raise InvalidInput("a logo must be a PNG or JPEG image") from None
    logo = source.convert("RGBA")
    logo.thumbnail((LOGO_SIZE, LOGO_SIZE))
    output = io.BytesIO()
    logo.save(output, format="PNG", optimize=True)
    return output.getvalue()
