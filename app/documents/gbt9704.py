"""Typesetting for GB/T 9704-2012 (党政机关公文格式) that reportlab's paragraphs cannot do.

* :class:`BodyText` sets a paragraph on the grid itself: every character placed by us, lines
  filled to exactly the type-area width (28 characters of 3号), justified by spreading the
  space between characters, 避头尾 by pushing a character to the next line (never hanging
  punctuation into the margin), headings (一、 / （一）) in their own face, never split so that
  a heading or a single line stays at the foot of a page.
* :func:`title_lines` breaks a title at word boundaries: no line ends in 的/和/与/及, no line
  breaks inside a number or a common word, lines as even as possible.
* :class:`Colophon` is the 版记 (抄送, 印发机关 and 印发日期 between rules) at the foot of the
  last page.
"""
from __future__ import annotations

import re

from reportlab.platypus import Flowable

from app.documents.fonts import FontSet
from app.documents.glyphrun import CANNOT_END, CANNOT_START, Glyph, break_lines, glyphs

TITLE_CANNOT_END = set("的和与及或对在于从为把被关") | CANNOT_END
# words a title must not be broken inside (the common vocabulary of these documents)
TITLE_WORDS = ("关于", "民政领域", "民政", "专项整治", "专项治理", "自查自纠", "最低生活保障", "特困人员",
               "救助供养", "工作情况", "情况", "报告", "通知", "请示", "意见", "方案", "整改", "落实",
               "微腐败", "动态管理", "社会救助", "低保", "乡镇", "街道", "人民政府", "民政局", "开展",
               "进一步", "加强", "规范")


class BodyText(Flowable):
    """One paragraph of the body (or any line-grid text), set glyph by glyph."""

    def __init__(self, parts: list[tuple[str, str]], fonts: FontSet, *, size: float, leading: float,
                 indent_chars: float = 2, justify: bool = True, align: str = "left",
                 keep_with_next: bool = False, lines: list[list[Glyph]] | None = None,
                 first_part: bool = True):
        super().__init__()
        self.parts, self.fonts, self.size, self.leading = parts, fonts, size, leading
        self.indent_chars, self.justify, self.align = indent_chars, justify, align
        self.keepWithNext = keep_with_next
        self._lines = lines
        self._first_part = first_part
        self._width = 0.0

    def _glyphs(self) -> list[Glyph]:
        out: list[Glyph] = []
        for text, role in self.parts:
            out += glyphs(text, self.fonts, role, self.size)
        return out

    def wrap(self, aw, ah):  # noqa: ANN001, ANN201
        self._width = aw
        if self._lines is None:
            indent = self.indent_chars * self.size if self._first_part else 0.0
            self._lines = break_lines(self._glyphs(), aw, indent)
        return aw, len(self._lines) * self.leading

    def split(self, aw, ah):  # noqa: ANN001, ANN201
        self.wrap(aw, ah)
        fit = int((ah + 0.01) // self.leading)
        total = len(self._lines)
        if fit >= total:
            return [self]
        # no single line (and so no heading line) left at the foot, none alone at the top
        if fit < 2 or total - fit < 2:
            fit = min(fit, total - 2)
        if fit < 2:
            return []
        head = BodyText(self.parts, self.fonts, size=self.size, leading=self.leading,
                        indent_chars=self.indent_chars, justify=self.justify, align=self.align,
                        lines=self._lines[:fit], first_part=self._first_part)
        head._last_is_full = True
        tail = BodyText(self.parts, self.fonts, size=self.size, leading=self.leading,
                        indent_chars=self.indent_chars, justify=self.justify, align=self.align,
                        lines=self._lines[fit:], first_part=False)
        return [head, tail]

    def draw(self) -> None:
        c = self.canv
        lines = self._lines or []
        full_last = getattr(self, "_last_is_full", False)
        y = len(lines) * self.leading
        for k, line in enumerate(lines):
            y -= self.leading
            base = y + (self.leading - self.size) / 2 + self.size * 0.12  # the 3号 body on its line
            indent = self.indent_chars * self.size if (k == 0 and self._first_part) else 0.0
            natural = sum(g.width for g in line)
            room = self._width - indent
            gap = 0.0
            last = k == len(lines) - 1 and not full_last
            if self.justify and not last and len(line) > 1:
                gap = max(0.0, (room - natural) / (len(line) - 1))
            x = indent
            if self.align == "center":
                x = (self._width - natural) / 2
            elif self.align == "right":
                x = self._width - natural
            draw_run(c, line, x, base, self.size, gap)


def heading_parts(text: str, body_role: str = "fangsong") -> tuple[list[tuple[str, str]], bool]:
    """A body paragraph as (text, role) parts: a leading 一、 heading in 黑体, （一） in 楷体 (up
    to the first 。, or all of it); and whether the paragraph is a heading alone."""
    m1 = re.match(r"^[一二三四五六七八九十]+、", text)
    m2 = re.match(r"^（[一二三四五六七八九十]+）", text)
    if not (m1 or m2):
        return [(text, body_role)], False
    role = "hei" if m1 else "kai"
    cut = text.find("。")
    if cut < 0 or cut == len(text) - 1:
        return [(text, role)], True
    return [(text[:cut + 1], role), (text[cut + 1:], body_role)], False


def _protected(title: str) -> set[int]:
    """Positions where a break would split a number or a common word."""
    bad = set()
    for m in re.finditer(r"\d+|[A-Za-z]+|〔\d+〕\d*号?", title):
        bad.update(range(m.start() + 1, m.end()))
    for w in TITLE_WORDS:
        for m in re.finditer(re.escape(w), title):
            bad.update(range(m.start() + 1, m.end()))
    for m in re.finditer(r"\d+年\d+月|\d+年|第[一二三四]季度", title):
        bad.update(range(m.start() + 1, m.end()))
    return bad


def title_lines(title: str, max_chars: int) -> list[str]:
    """The title in as few lines as fit, broken where a reader would pause."""
    title = title.strip()
    if len(title) <= max_chars:
        return [title]
    bad = _protected(title)
    n_lines = -(-len(title) // max_chars)
    best: tuple[float, list[str]] | None = None

    def ok(i: int) -> bool:
        return (i not in bad and title[i - 1] not in TITLE_CANNOT_END
                and title[i] not in CANNOT_START and title[i] != "的")

    def search(start: int, left: int, acc: list[int]) -> None:
        nonlocal best
        if left == 1:
            if len(title) - start <= max_chars:
                cuts = [0, *acc, len(title)]
                lens = [b - a for a, b in zip(cuts, cuts[1:])]
                score = max(lens) - min(lens)
                if best is None or score < best[0]:
                    best = (score, [title[a:b] for a, b in zip(cuts, cuts[1:])])
            return
        for i in range(start + 1, min(start + max_chars, len(title) - 1) + 1):
            if ok(i):
                search(i, left - 1, [*acc, i])

    while best is None and n_lines <= len(title):
        search(0, n_lines, [])
        n_lines += 1
    return best[1] if best else [title[i:i + max_chars] for i in range(0, len(title), max_chars)]


class NumberAndRule(Flowable):
    """发文字号 (centred; with a 签发人, 发文字号 left and 签发人 right, each 一字 in) and the red
    rule exactly ``gap`` (4 mm) below the bottom of the 发文字号's glyphs."""

    def __init__(self, number: str, fonts: FontSet, *, size: float, gap: float, color,
                 signer: str | None = None, thickness: float = 1.5):
        super().__init__()
        self.number, self.fonts, self.size, self.gap = number, fonts, size, gap
        self.color, self.signer, self.thickness = color, signer, thickness
        self._w = 0.0

    def _metrics(self) -> tuple[float, float]:
        from reportlab.pdfbase.pdfmetrics import getAscent, getDescent

        font = self.fonts.name("fangsong")
        return getAscent(font, self.size), -getDescent(font, self.size)

    def wrap(self, aw, ah):  # noqa: ANN001, ANN201
        self._w = aw
        up, down = self._metrics()
        return aw, up + down + self.gap + self.thickness

    def draw(self) -> None:
        c = self.canv
        _up, down = self._metrics()
        base = self.thickness + self.gap + down
        width = sum(g.width for g in glyphs(self.number, self.fonts, "fangsong", self.size))
        if self.signer:
            _draw(c, self.number, self.fonts, self.size, self.size, base)
            label = glyphs("签发人：", self.fonts, "fangsong", self.size)
            name = glyphs(self.signer, self.fonts, "kai", self.size)
            draw_run(c, label + name, self._w - self.size - sum(g.width for g in label + name), base, self.size)
        else:
            _draw(c, self.number, self.fonts, self.size, (self._w - width) / 2, base)
        c.setStrokeColor(self.color)
        c.setLineWidth(self.thickness)
        c.line(0, self.thickness / 2, self._w, self.thickness / 2)


class Colophon(Flowable):
    """版记 at the foot of the page: 抄送 and 印发机关/印发日期 between rules (first and last
    rule 0.35 mm, the one between 0.25 mm), 4号 仿宋, 一字 indented, date 一字 from the right."""

    def __init__(self, fonts: FontSet, *, copy_to: str | None, issuer: str, date_text: str,
                 size: float = 14.0, leading: float = 28.9):
        super().__init__()
        self.fonts, self.copy_to, self.issuer, self.date_text = fonts, copy_to, issuer, date_text
        self.size, self.leading = size, leading
        self._aw = self._ah = 0.0

    def block_height(self) -> float:
        return self.leading * (2 if self.copy_to else 1)

    def wrap(self, aw, ah):  # noqa: ANN001, ANN201
        self._aw = aw
        need = self.block_height()
        self._ah = max(ah, need) if ah >= need else need
        return aw, self._ah

    def split(self, aw, ah):  # noqa: ANN001, ANN201
        return [] if ah < self.block_height() else [self]

    def draw(self) -> None:
        from reportlab.lib.units import mm

        c, w, lead = self.canv, self._aw, self.leading
        rows = ([f"抄送：{self.copy_to}。"] if self.copy_to else []) + [None]
        y = self.block_height()
        c.setStrokeColorRGB(0, 0, 0)
        c.setLineWidth(0.35 * mm)
        c.line(0, y, w, y)
        for k, text in enumerate(rows):
            y -= lead
            base = y + (lead - self.size) / 2 + self.size * 0.12
            if text is None:
                _draw(c, self.issuer, self.fonts, self.size, self.size, base)
                right = w - self.size - sum(g.width for g in glyphs(self.date_text, self.fonts, "fangsong",
                                                                       self.size))
                _draw(c, self.date_text, self.fonts, self.size, right, base)
            else:
                _draw(c, text, self.fonts, self.size, self.size, base)
            last = k == len(rows) - 1
            c.setLineWidth((0.35 if last else 0.25) * mm)
            c.line(0, y, w, y)


def draw_run(c, line: list[Glyph], x: float, y: float, size: float, gap: float = 0.0) -> None:  # noqa: ANN001
    """One line as one text object (extracted as one line), switching font per run of glyphs;
    ``gap`` is added between characters (justification)."""
    t = c.beginText(x, y)
    t.setCharSpace(gap)
    i = 0
    while i < len(line):
        j = i
        while j < len(line) and line[j].font == line[i].font:
            j += 1
        t.setFont(line[i].font, size)
        t.textOut("".join(g.ch for g in line[i:j]))
        i = j
    c.drawText(t)


def _draw(c, text: str, fonts: FontSet, size: float, x: float, y: float, role: str = "fangsong") -> None:  # noqa: ANN001
    draw_run(c, glyphs(text, fonts, role, size), x, y, size)
