"""Document builders: 公示 sheets, reports and Excel working papers.

Pure Python (reportlab, openpyxl) — never imports Qt.  Each builder takes
plain dataclasses from :mod:`app.documents.model`, writes one file and returns
a :class:`DocumentResult` (``path``, ``pages``, ``rows``, ``warnings``,
``glyph_warnings``, ``withheld``).  Show ``warnings`` to the clerk: they name
every person whose name holds a character the font cannot print (never a
silent blank box), and how many 特困 minors were left out of a 公示.

PDF builders (A4 unless noted, page numbers on every page)::

    build_gongshi_pdf(path, *, office, households, period_label,
                      scope="village" | "township", village=None, start, days,
                      paper="A4" | "A3L", today, title=None)
        Standing 公示 list; village monthly / township quarterly (adds 村(居)).
    build_case_gongshi_pdf(path, *, office, cases: list[CaseNotice], start,
                           days=7, today, village=None, paper="A4", title=None)
        Case-by-case 公示 of 拟新增 / 拟调整 / 拟终止.
    build_selfcheck_pdf(path, *, office, doc_number: int, year, addressee, title,
                        figures: SelfCheckFigures, paragraphs: list[str],
                        problems: list[ProblemRow], signature, date,
                        signer=None, attachment_title="问题清单")
        自查自纠报告, GB/T 9704 layout; put FIGURES ("{figures}") in
        ``paragraphs`` where the generated figures paragraph should go
        (``figures_text(figures, office.name)`` gives its text for an editor).
    build_monthly_pdf(path, *, office, year, month, changes: list[ChangeRow],
                      today, stock: StockFigures | None = None, due_date=None)
        动态管理月报 (A4 landscape), 零报告 line for each empty section.

Excel builders (openpyxl)::

    build_monthly_xlsx(path, same arguments as build_monthly_pdf)
    build_screening_xlsx(path, *, office, current_rows, exited_rows,
                         refused_rows, period_label, engine="stream")
        排查统计表: sheets 在保 / 退出 / 申请未通过; full ID numbers as text.
        Rows may be generators (consumed once).  engine="stream": openpyxl
        builds the workbook, the data rows are streamed in by xlsx_stream
        (100k rows ≈ 4 s); engine="openpyxl": write-only for every cell (≈ 50 s).

Rules and helpers::

    public_rows(households, *, today) -> list[PublicRow]
        THE rule of what a 公示 may show (app.documents.publicity).
    safe_text(value)      formula-injection guard for every Excel text cell
    missing_glyphs(text, role="song") -> str   characters the font cannot print
    get_fonts(fonts_dir="auto")   register fonts once (Windows office fonts
                                  preferred, shipped AR PL UMing otherwise)

``today``/``date`` are always passed in (no clock inside), money is
``Decimal``; the PDF builders accept ``fonts_dir`` ("auto" = Windows font
folder when on Windows, None = shipped font only, a path for tests).  The
shipped font is ``resources/fonts/uming.ttc`` (also looked up under
``sys._MEIPASS`` when frozen; ``QINGFENG_FONT`` overrides) — the PyInstaller
spec must bundle ``resources/fonts``.  ``app.documents.samples`` makes
synthetic data for previews, tests and benchmarks.
"""
from app.documents.fonts import get_fonts, missing_glyphs
from app.documents.gongshi import build_case_gongshi_pdf, build_gongshi_pdf, period_end
from app.documents.model import (
    CaseNotice, ChangeRow, DocumentResult, GlyphWarning, HouseholdRow, OfficeInfo,
    ProblemRow, PublicCaseRow, PublicRow, SelfCheckFigures, StockFigures,
)
from app.documents.publicity import public_case_rows, public_rows

# imported on first use: openpyxl (≈0.1 s) only for an Excel builder, reportlab's platypus
# (≈0.05 s) only for the flowing documents; the 公示 is drawn on the canvas without either
_LAZY = {"safe_text": "app.documents.excel", "build_screening_xlsx": "app.documents.screening",
         **dict.fromkeys(("build_monthly_pdf", "build_monthly_xlsx", "summary_text"), "app.documents.monthly"),
         **dict.fromkeys(("FIGURES", "build_selfcheck_pdf", "doc_number", "figures_text"),
                         "app.documents.selfcheck")}


def __getattr__(name: str):  # noqa: ANN202 - PEP 562 lazy attributes
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "build_gongshi_pdf", "build_case_gongshi_pdf", "build_selfcheck_pdf",
    "build_monthly_pdf", "build_monthly_xlsx", "build_screening_xlsx",
    "public_rows", "public_case_rows", "safe_text", "missing_glyphs", "get_fonts",
    "period_end", "summary_text", "figures_text", "doc_number", "FIGURES",
    "HouseholdRow", "OfficeInfo", "PublicRow", "PublicCaseRow", "CaseNotice", "ChangeRow",
    "StockFigures", "ProblemRow", "SelfCheckFigures", "GlyphWarning", "DocumentResult",
]
