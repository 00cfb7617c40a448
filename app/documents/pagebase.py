"""Page sizes, dates, money and glyph warnings: what every PDF builder shares, without
reportlab's platypus (the 公示 drawn straight on the canvas imports only this;
app.documents.pdfbase re-exports it for the platypus builders)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT  # noqa: F401 - re-exported
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.units import mm  # noqa: F401 - re-exported

from app.documents.fonts import FontSet, missing_glyphs
from app.documents.model import GlyphWarning

PAPERS = {"A4": A4, "A4L": landscape(A4), "A3": A3, "A3L": landscape(A3)}

GRID = colors.HexColor("#000000")
HEADER_BG = colors.HexColor("#E8E8E8")
RED = colors.HexColor("#E60012")  # 公文 red (版头, rule)


def page_size(paper: str) -> tuple[float, float]:
    try:
        return PAPERS[paper]
    except KeyError:
        raise ValueError(f"不支持的纸张：{paper}（可选 {'、'.join(PAPERS)}）") from None


def cn_date(d: date) -> str:
    """2026年11月23日 (Arabic numerals, no leading zeros, as GB/T 9704 asks)."""
    return f"{d.year}年{d.month}月{d.day}日"


def money(value: Decimal | int | float | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal('0.01')):.2f}"


def glyph_warnings(items: Iterable[tuple[str, str]], role: str, fonts: FontSet
                   ) -> list[GlyphWarning]:
    """``items``: (text, where) pairs — usually names.  One warning per text
    that holds a character neither the role's font nor the fallback prints."""
    out: list[GlyphWarning] = []
    seen: set[tuple[str, str]] = set()
    for text, where in items:
        miss = missing_glyphs(text or "", role, fonts=fonts)
        if miss and (text, where) not in seen:
            seen.add((text, where))
            out.append(GlyphWarning(person=text, chars=miss, where=where))
    return out
