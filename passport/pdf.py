"""PDFs a person keeps or prints: one credential, a passport summary, an employer's report.

Made with fpdf2 and the bundled DejaVu Sans (``passport/fonts``, licence beside it: the
Bitstream Vera / DejaVu licence), so French typography (é, «, the narrow no-break space) prints
as written. Every PDF is in the page's language, says when it was checked, and carries a QR
code to the live page (a share link the learner sees in Sharing, or the share page itself):
paper ages, the link says what holds now.

>>> checked = datetime(2026, 1, 2, tzinfo=UTC)
>>> PdfDocument("en", "Title", "https://example.ca/s/x", checked).output()[:5]
b'%PDF-'
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from infra import N_, translations_for
from passport.wallet.exports import qr_png

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
QR_SIZE_MM = 32
CHECKED_AT = N_("Checked at %(time)s. Scan the code, or open this link, to check it again now:")


class PdfDocument:
    """A one-column A4 document: a title, the QR code and check time, then ``section``s."""

    def __init__(self, lang: str, title: str, live_url: str, checked_at: datetime) -> None:
        self.translations = translations_for(lang)
        self.pdf = pdf = FPDF(format="A4")
        pdf.set_lang(lang)
        pdf.set_title(title)
        pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        pdf.set_font(FAMILY, "B", 18)
        pdf.multi_cell(pdf.epw - QR_SIZE_MM - 4, 9, title, new_x="LMARGIN", new_y="NEXT")
        qr_x = pdf.w - pdf.r_margin - QR_SIZE_MM
        pdf.image(io.BytesIO(qr_png(live_url)), x=qr_x, y=10, w=QR_SIZE_MM)
        pdf.set_y(max(pdf.get_y(), 10 + QR_SIZE_MM) + 3)
        pdf.set_font(FAMILY, "", 9)
        checked = checked_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.line(self.translate(CHECKED_AT) % {"time": checked})
        pdf.set_text_color(0, 0, 160)
        pdf.multi_cell(0, 5, live_url, link=live_url, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(3)

    def translate(self, message: str) -> str:
        return self.translations.gettext(message)

    def line(self, text: str, *, size: int = 10, bold: bool = False) -> None:
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.55, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def section(self, heading: str, facts: list[tuple[str, str]]) -> None:
        """A heading and its ``(label, value)`` lines; empty values are left out."""
        self.pdf.ln(2)
        self.line(heading, size=13, bold=True)
        for label, value in facts:
            if value:
                self.line(f"{label}: {value}")

    def output(self) -> bytes:
        return bytes(self.pdf.output())
