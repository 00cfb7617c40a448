"""报表打印 page: generate in the worker, preview, warnings, edited 自查自纠 body, Excel saving,
refusals, printing into a PDF printer, and a screenshot for a person to look at."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog

from app import clock, demo, documents, offices
from test_ui_support import make_ctx
from ui import dialogs, ops
from procedure_support import complete_steps

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """A fixed 'today' for the app and the test alike (never the real date)."""
    with clock.frozen(TODAY):
        yield


@dataclass
class Prompts:
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    confirms: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)


@pytest.fixture
def prompts(monkeypatch):  # noqa: ANN001, ANN201
    """Message boxes recorded; file prompts left to QFileDialog (each test patches it)."""
    p = Prompts()
    monkeypatch.setattr(dialogs, "error", lambda _w, text, details=None: p.errors.append(text))
    monkeypatch.setattr(dialogs, "info", lambda _w, text: p.infos.append(text))
    monkeypatch.setattr(dialogs, "confirm", lambda _w, text: p.confirms.append(text) or True)
    monkeypatch.setattr(dialogs, "open_path", lambda path: p.opened.append(path))
    yield p
    ops.wait_idle()


@pytest.fixture
def page(qtbot, env, prompts):  # noqa: ANN001, ANN201
    from ui.pages.reports import ReportsPage

    with env.database.session() as s:
        demo.generate(s, env.admin, households=30, seed=1)
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              doc_prefix="香民发", district_name="泾源县民政局")
    w = ReportsPage(make_ctx(env, env.admin))
    qtbot.addWidget(w)
    w.resize(1220, 720)
    w.show()
    qtbot.waitUntil(lambda: w.office is not None and w.village.count() > 1, timeout=10000)
    return w


def _generate(qtbot, page, timeout=30000):  # noqa: ANN001, ANN202
    op = page.generate()
    assert op is not None, page.form_error.text()
    qtbot.waitUntil(lambda: op.finished, timeout=timeout)
    return op


def _pdf_text(path: str) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def test_gongshi_for_a_village_shows_pages_and_warnings(qtbot, page, prompts, monkeypatch, tmp_path):
    page.set_document("gongshi_village")
    page.set_period("month", TODAY.year, TODAY.month)
    assert page.period_text() == f"{TODAY.year}-{TODAY.month:02d}"
    village = page.village.itemData(1)
    page.village.setCurrentIndex(1)
    # one household whose only member is a 特困 minor: withheld from the 公示, named in the box
    from app import households as hs
    from app.assessment import approvals
    from app.idcard import make_valid_id

    env = page.ctx
    with env.database.session() as s:
        clerk, reviewer = demo.demo_actors(s, env.actor)
        saved = hs.create_household(
            s, clerk, village=village, category="特困人员(分散供养)", monthly_amount="780",
            poverty_cause="缺劳力", apply_date=TODAY.replace(day=1), today=TODAY,
            members=[hs.MemberInput(name="王小", id_number=make_valid_id("640424", date(TODAY.year - 10, 6, 1), 91))])
        complete_steps(s, clerk, saved.id, TODAY)
        proposal = approvals.propose_grant(s, clerk, saved.id, reason="符合条件", day=TODAY)
        approvals.approve(s, reviewer, proposal.id)
    _generate(qtbot, page)
    assert not prompts.errors, prompts.errors
    assert page.preview.document.pageCount() > 0
    assert page.preview.page_count() == page.preview.document.pageCount()
    assert page.stack.currentWidget() is page.preview
    assert page.warn_box.isVisible()
    assert "未成年人" in page.warnings_text()
    assert page.print_button.isEnabled() and page.save_button.isEnabled()
    assert not page.folder_button.isEnabled()
    text = _pdf_text(page.generated)
    assert village in text and "公示" in text

    # 另存为 copies the generated file; then 打开所在文件夹 opens its folder
    target = tmp_path / "out" / "公示.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    op = page.save_as()
    qtbot.waitUntil(lambda: op.finished, timeout=5000)
    assert target.read_bytes() == Path(page.generated).read_bytes()
    assert page.folder_button.isEnabled()
    page.folder_button.click()
    assert prompts.opened == [str(target.parent)]


def test_preview_navigation_zoom_and_printing(qtbot, page, prompts, tmp_path, monkeypatch):
    from PySide6.QtPdfWidgets import QPdfView
    from PySide6.QtPrintSupport import QPrinter

    page.set_document("gongshi_township")
    page.set_period("quarter", TODAY.year, (TODAY.month - 1) // 3 + 1)
    assert page.period_text() == f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}"
    _generate(qtbot, page)
    n = page.preview.page_count()
    assert n >= 1
    if n > 1:
        page.preview.next_button.click()
        qtbot.waitUntil(lambda: page.preview.current_page() == 1, timeout=2000)
        assert page.preview.page_spin.value() == 2
    page.preview.zoom.setCurrentIndex(page.preview.zoom.findData("1.5"))
    assert page.preview.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert page.preview.view.zoomFactor() == pytest.approx(1.5)
    page.preview.zoom_in_button.click()
    assert page.preview.view.zoomFactor() == pytest.approx(1.875)

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert page.preview.print_to(printer)
    printed, shown = PdfReader(str(tmp_path / "printed.pdf")).pages, PdfReader(page.generated).pages
    assert len(printed) == n
    for a, b in ((printed[0].mediabox, shown[0].mediabox),):
        assert (a.width > a.height) == (b.width > b.height)
        assert a.width == pytest.approx(b.width, abs=3) and a.height == pytest.approx(b.height, abs=3)

    # a landscape document prints landscape
    page.set_document("monthly_pdf")
    _generate(qtbot, page)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "monthly.pdf"))
    assert page.preview.print_to(printer)
    box = PdfReader(str(tmp_path / "monthly.pdf")).pages[0].mediabox
    assert box.width > box.height

    # 打印 through the print dialog (accepted at once, into a file)
    from PySide6.QtPrintSupport import QPrintDialog

    def accept(dlg):  # noqa: ANN001, ANN202
        dlg.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dlg.printer().setOutputFileName(str(tmp_path / "dialog.pdf"))
        return QPrintDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    page.print_button.click()
    assert (tmp_path / "dialog.pdf").exists() and not prompts.errors

    page.cleanup()
    assert not Path(page.tmp.path()).exists() and not page.print_button.isEnabled()


def test_selfcheck_with_an_edited_paragraph(qtbot, page, prompts):
    page.set_document("selfcheck")
    page.set_period("quarter", TODAY.year, (TODAY.month - 1) // 3 + 1)
    assert page.selfcheck_box.isVisible() and not page.village.isVisible()
    qtbot.waitUntil(lambda: "排查" in page.figures.text(), timeout=10000)
    assert page.addressee.text()  # the district bureau by default
    body = page.body.toPlainText()
    assert documents.FIGURES in body and page.period().label in body
    mine = "我镇还对村（居）务监督委员会开展了专题培训，共培训村干部四十二人次。"
    page.body.setPlainText(body.replace(documents.FIGURES, documents.FIGURES + "\n\n" + mine))
    page.number.setValue(7)
    page.title.setText("关于专项整治自查自纠情况的报告")
    page.signer.setText("张三")
    page.copy_to.setText("县纪委监委")
    # the clerk's text is kept when the period changes
    page.set_period("month", TODAY.year, TODAY.month)
    assert mine in page.body.toPlainText()
    _generate(qtbot, page)
    assert not prompts.errors, prompts.errors
    text = _pdf_text(page.generated).replace("\n", "").replace(" ", "")
    assert mine in text
    assert "关于专项整治自查自纠情况的报告" in text
    assert text.index("共排查") < text.index("专题培训")  # figures first, then the edited paragraph
    assert f"〔{TODAY.year}〕7号" in text
    assert "签发人：张三" in text and "抄送：县纪委监委。" in text and "印发" in text


def test_screening_excel_saved_where_asked(qtbot, page, prompts, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    page.set_document("screening")
    page.set_period("year", TODAY.year)
    target = tmp_path / "排查统计表"  # the suffix is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    _generate(qtbot, page)
    assert not prompts.errors, prompts.errors
    saved = tmp_path / "排查统计表.xlsx"
    assert saved.exists()
    assert load_workbook(saved, read_only=True).sheetnames[:1] == ["在保"]
    assert page.saved_path == str(saved)
    assert prompts.confirms and "打开所在文件夹" in prompts.confirms[-1]
    assert prompts.opened == [str(tmp_path)]
    assert page.generated is None  # no preview for Excel


def test_excel_prompt_cancelled_does_nothing(qtbot, page, prompts, monkeypatch):
    page.set_document("monthly_xlsx")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: ("", ""))
    assert page.generate() is None
    assert page.saved_path is None and not prompts.errors


def test_invalid_combinations_are_refused(qtbot, page, prompts):
    page.set_document("monthly_pdf")
    page.set_period("quarter", TODAY.year, 1)
    assert "按月编制" in page.period_label.text()
    assert page.generate() is None
    assert page.form_error.isVisible()
    assert "动态管理月报" in page.form_error.text() and "“月”" in page.form_error.text()

    page.set_document("gongshi_village")  # picks 月 again
    assert page.period_kind.currentData() == "month"
    page.village.setCurrentIndex(0)  # （请选择）
    assert page.generate() is None
    assert "请选择要公示的村（居）" in page.form_error.text()

    page.set_document("selfcheck")
    page.body.setPlainText(documents.FIGURES)
    assert page.generate() is None
    assert "正文不能为空" in page.form_error.text()

    page.set_document("monthly_pdf")
    page.set_period("month", TODAY.year + 1, 12)
    assert page.generate() is None
    assert "还没有开始" in page.form_error.text()
    assert page.generated is None and not prompts.errors


def test_service_error_is_shown_in_chinese(qtbot, page, prompts, monkeypatch):
    from app import reports
    from app.errors import ValidationError

    def boom(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise ValidationError("村（居）", "无名村", "不是本单位的村（居）")

    monkeypatch.setattr(reports, "make_gongshi", boom)
    page.set_document("gongshi_township")
    _generate(qtbot, page)
    assert prompts.errors and "不是本单位的村（居）" in prompts.errors[0]
    assert "不是本单位的村（居）" in page.form_error.text()
    assert page.generate_button.isEnabled()
    assert not list(Path(page.tmp.path()).iterdir())  # nothing left behind


def test_cancelled_generation_leaves_no_file_and_no_audit_entry(env, tmp_path):
    from sqlalchemy import func, select

    from app import reports
    from app.jobs import Cancelled
    from db.models import AuditEntry
    from ui.pages.reports import DOC_BY_KEY, Request, generate

    def entries() -> int:
        with env.database.session(write=False) as s:
            return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()

    with env.database.session() as s:
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              doc_prefix="香民发", district_name="泾源县民政局")
    before = entries()
    req = Request(DOC_BY_KEY["gongshi_township"], reports.parse_period("2026Q1", today=TODAY))
    out = tmp_path / "公示.pdf"
    with pytest.raises(Cancelled):
        generate(env.database, env.admin, req, out, today=TODAY, cancelled=lambda: True)
    assert not out.exists() and entries() == before
    result = generate(env.database, env.admin, req, out, today=TODAY)
    assert out.exists() and result.pages >= 1 and entries() == before + 1


def test_body_paragraphs_split_at_figures():
    from ui.pages.reports import body_paragraphs

    assert body_paragraphs("甲\n\n  乙{figures}丙 \n{figures}\n") == ["甲", "乙", "{figures}", "丙", "{figures}"]


def test_role_without_export_cannot_generate(qtbot, env, prompts, monkeypatch):
    from app import permissions
    from ui.pages.reports import ReportsPage

    monkeypatch.setitem(permissions.PERMISSIONS, "export.personal", ("导出或打印含个人信息的资料", frozenset()))
    w = ReportsPage(make_ctx(env, env.clerk))
    qtbot.addWidget(w)
    assert not w.generate_button.isEnabled()
    assert not w.permission_note.isHidden()
    assert w.generate() is None and "不能导出或打印" in w.form_error.text()


def test_screenshot_with_preview(qtbot, env, prompts):
    from ui.main_window import MainWindow

    with env.database.session() as s:
        demo.generate(s, env.admin, households=30, seed=1)
    win = MainWindow(make_ctx(env, env.admin))
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    page = win.show_page("报表打印")
    qtbot.waitUntil(lambda: page.office is not None and page.village.count() > 1, timeout=10000)
    page.set_document("monthly_pdf")
    last = TODAY.replace(day=1) - timedelta(days=1)  # last month's report is late: a warning
    page.set_period("month", last.year, last.month)
    op = page.generate()
    qtbot.waitUntil(lambda: op.finished, timeout=30000)
    qtbot.wait(300)
    assert not prompts.errors, prompts.errors
    assert page.warn_box.isVisible() and "逾期" in page.warnings_text()
    SHOTS.mkdir(exist_ok=True)
    assert win.grab().save(str(SHOTS / "reports.png"))
    page.set_document("selfcheck")
    qtbot.waitUntil(lambda: "排查" in page.figures.text(), timeout=10000)
    qtbot.wait(100)
    assert win.grab().save(str(SHOTS / "reports-selfcheck.png"))
    page.set_document("gongshi_village")
    op = page.generate()
    qtbot.waitUntil(lambda: op.finished, timeout=30000)
    qtbot.wait(300)
    assert win.grab().save(str(SHOTS / "reports-gongshi.png"))
