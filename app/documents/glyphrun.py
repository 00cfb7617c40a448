"""Text as glyphs: each character with the font that prints it and its width, and greedy line
breaking with 避头尾. No platypus here: the 公示 table (app.documents.fasttable) draws on the
canvas with these alone; app.documents.gbt9704 builds its 公文 flowables on them.
"""
from __future__ import annotations

from typing import NamedTuple

from reportlab.pdfbase.pdfmetrics import stringWidth

from app.documents.fonts import BOX, FontSet, face_for

CANNOT_START = set("，。、；：？！”’》〉）】〕」』…—·%％.,;:?!)]}")
CANNOT_END = set("“‘《〈（【〔「『([{")


class Glyph(NamedTuple):
    ch: str
    font: str
    width: float


_WIDTHS: dict[str, dict[str, float]] = {}  # font name -> character -> width at 1 pt


def _width(font: str, ch: str) -> float:
    table = _WIDTHS.setdefault(font, {})
    w = table.get(ch)
    if w is None:
        w = table[ch] = stringWidth(ch, font, 1000) / 1000
    return w


def glyphs(text: str, fonts: FontSet, role: str, size: float) -> list[Glyph]:
    """Each character with the font that prints it (a box where none does) and its width."""
    out = []
    face = fonts.face(role)
    cmap, name = face.cmap, face.name
    for ch in text:
        if ord(ch) in cmap:
            out.append(Glyph(ch, name, _width(name, ch) * size))
            continue
        other = face_for(ord(ch), fonts, role)
        if other is None:
            other, ch = fonts.fallback, BOX
        out.append(Glyph(ch, other.name, _width(other.name, ch) * size))
    return out


def break_lines(gs: list[Glyph], width: float, indent: float = 0.0) -> list[list[Glyph]]:
    """Greedy lines no wider than ``width`` (the first ``indent`` narrower), 避头尾 by pushing
    the last character of a full line down with the one that cannot start a line."""
    lines: list[list[Glyph]] = []
    i, n = 0, len(gs)
    while i < n:
        room = width - (indent if not lines else 0.0)
        used, j = 0.0, i
        while j < n and used + gs[j].width <= room + 0.01:
            used += gs[j].width
            j += 1
        if j == i:  # a single glyph wider than the line: take it anyway
            j = i + 1
        if j < n:
            # the next line must not start with a closing mark, this one not end with an opening one
            while j - i > 1 and (gs[j].ch in CANNOT_START or gs[j - 1].ch in CANNOT_END):
                j -= 1
        lines.append(gs[i:j])
        i = j
    return lines
