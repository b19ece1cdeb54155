"""Safe HTML made from data for the pages: program texts written in Markdown, and badge pictures.

Institutions write ``**bold**``, lists and links in their program texts; credentials carry the
same texts (OB 3.0 says ``Criteria.narrative`` and ``description`` "may" be Markdown). The text is
untrusted either way, so the renderer is markdown-it in its ``js-default`` preset: raw HTML is
escaped, link URLs are validated (no ``javascript:``, ``vbscript:``, ``file:`` or ``data:`` other
than images), and images and headings are off, so that a text can neither fetch anything nor
break the page's outline.

>>> str(markdown("**Pass** with <b>70%</b>"))
'<p><strong>Pass</strong> with &lt;b&gt;70%&lt;/b&gt;</p>\\n'
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

from credentials import BadgeArt, badge_svg

_RENDERER = MarkdownIt("js-default").disable(["image", "heading", "lheading"])


def markdown(text: str | None) -> Markup:
    """``text`` as safe HTML (an empty string for none)."""
    return Markup(_RENDERER.render(text or ""))  # noqa: S704  (escaped by markdown-it, above)


def badge(art: BadgeArt) -> Markup:
    """The badge picture inlined in a page, beside the program's name (so hidden from screen
    readers); ``badge_svg`` escapes every text it draws and embeds only a logo it drew."""
    return Markup(badge_svg(art, decorative=True))  # noqa: S704  (escaped by badge_svg)
