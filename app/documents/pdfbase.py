"""Shared reportlab helpers: page sizes, styles, cells, page-number canvas."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph
from reportlab.lib import textsplit as _rl_textsplit
from reportlab.platypus import paragraph as _rl_paragraph

from app.documents.fonts import FontSet, apply_cell_default, markup, needs_fallback
from app.documents.pagebase import (GRID, HEADER_BG, PAPERS, RED, cn_date, glyph_warnings,  # noqa: F401
                                    money, page_size)

# reportlab's line-start prohibitions (禁则) cover Japanese and ASCII punctuation
# but not the full-width Chinese marks; without them a line may begin with
# "，" or "；".  Extend the module constant the CJK line splitter reads (additive:
# these characters can never properly start a line in any language).
_CN_CANNOT_START = "，；：！？”’》〉）】〕」』…—·%％"
for _mod in (_rl_paragraph, _rl_textsplit):  # multi-fragment and single-fragment paths
    _mod.ALL_CANNOT_START = _mod.ALL_CANNOT_START + "".join(
        c for c in _CN_CANNOT_START if c not in _mod.ALL_CANNOT_START)
apply_cell_default()  # table cells without a FONT command: the embedded fallback font


def style(name: str, font: str, size: float, *, leading: float | None = None,
          align: int = TA_LEFT, color=colors.black, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size,
                          leading=leading if leading is not None else size * 1.25,
                          alignment=align, textColor=color, wordWrap="CJK", **kw)


class CellMaker:
    """Turns text into a table cell: a plain string when it fits on one line
    in the column (fast), a wrapping Paragraph when it does not or when it
    needs the fallback font for a rare character."""

    def __init__(self, fonts: FontSet, role: str, size: float, widths: list[float],
                 padding: float = 6.0):
        self.fonts = fonts
        self.role = role
        self.font = fonts.name(role)
        self.size = size
        self.widths = [w - padding for w in widths]
        self.styles = {
            a: style(f"cell{a}", self.font, size, leading=size * 1.2, align=a)
            for a in (TA_LEFT, TA_CENTER, TA_RIGHT)
        }

    def __call__(self, text: str, col: int, align: int = TA_CENTER):
        text = "" if text is None else str(text)
        if not text:
            return ""
        if (not needs_fallback(text, self.role, fonts=self.fonts)
                and stringWidth(text, self.font, self.size) <= self.widths[col]):
            return text
        return Paragraph(markup(text, self.role, fonts=self.fonts), self.styles[align])


def para(text: str, st: ParagraphStyle, fonts: FontSet, role: str) -> Paragraph:
    return Paragraph(markup(text, role, fonts=fonts), st)


FooterFn = Callable[[rl_canvas.Canvas, int, int], None]


def numbered_canvas(footer: FooterFn):
    """A Canvas class that knows the page total when drawing footers
    ("第 N 页 共 M 页").  ``footer(canvas, page_no, total)`` is called once per
    page after the whole document has been laid out."""

    class _NumberedCanvas(rl_canvas.Canvas):
        pages = 0  # set on save: the page total of the last document

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            type(self).pages = total
            for state in self._saved_pages:
                self.__dict__.update(state)
                footer(self, self._pageNumber, total)
                super().showPage()
            super().save()

    return _NumberedCanvas


def set_info(doc, title: str, office_name: str) -> None:
    doc.title = title
    doc.author = office_name
    doc.creator = "清风台账"
    doc.subject = title


__all__ = [
    "PAPERS", "GRID", "HEADER_BG", "RED", "TA_CENTER", "TA_LEFT", "TA_RIGHT", "mm",
    "page_size", "cn_date", "money", "style", "CellMaker", "para", "glyph_warnings",
    "numbered_canvas", "set_info",
]
