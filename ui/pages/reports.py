"""报表打印 page: pick a document and its period, generate it in the worker, preview, print, save.

PDFs (公示, 自查自纠报告, 动态管理月报) are generated into a private temporary folder and shown
in the preview (QtPdf); 打印 goes through QPrinter, 另存为 copies the file, 打开所在文件夹 opens
where it was saved. Excel documents (动态管理月报 Excel, 排查统计表) skip the preview: 生成 asks
where to save and offers to open the folder. Every document is generated and audited by
``app.reports``; its warnings (characters the font cannot print, 特困 minors withheld, a late
report) are shown in a yellow box.
"""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths, Qt, QTemporaryDir, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QSizePolicy,
                               QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from app import clock, documents, offices, reports
from app.errors import QingfengError
from ui import dialogs, ops
from ui.context import AppContext
from ui.pdf_preview import PdfPreview
from ui.widgets import FieldError, combo, date_edit, page_title, value
from ui.pages.report_request import (DESCRIPTIONS, DOC_BY_KEY, DOCS, NOTE_STYLE, OK_STYLE, PAPERS,
                                       PERIOD_KINDS, QUARTERS, WARN_STYLE, DocKind, Refused, Request,
                                       body_paragraphs, default_paragraphs, default_title, generate)


class ReportsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.office: documents.OfficeInfo | None = None
        self.tmp = QTemporaryDir()
        self.seq = 0
        self.generated: str | None = None  # temporary PDF in the preview
        self.request: Request | None = None  # what the preview shows
        self.saved_path: str | None = None  # last file saved (PDF copy or Excel)
        self.last_dir = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        self.op: ops.Op | None = None
        self._started = False
        self._default_body = ""
        self._figures_seq = 0
        today = clock.today()

        # -- the form
        self.doc = QComboBox()
        for d in DOCS:
            self.doc.addItem(d.label, d.key)
        self.period_kind = QComboBox()
        for k, text in PERIOD_KINDS.items():
            self.period_kind.addItem(text, k)
        self.year = QSpinBox()
        self.year.setRange(2000, today.year + 1)
        self.year.setValue(today.year)
        self.year.setSuffix(" 年")
        self.month = QSpinBox()
        self.month.setRange(1, 12)
        self.month.setValue(today.month)
        self.month.setSuffix(" 月")
        self.quarter = QComboBox()
        for i, q in enumerate(QUARTERS, start=1):
            self.quarter.addItem(q, str(i))
        self.quarter.setCurrentIndex((today.month - 1) // 3)
        period_row = QHBoxLayout()
        period_row.setContentsMargins(0, 0, 0, 0)
        for w in (self.period_kind, self.year, self.month, self.quarter):
            period_row.addWidget(w)
        period_row.addStretch(1)
        period_box = QWidget()
        period_box.setLayout(period_row)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: #37474f; background: #eef3fa; border-radius: 4px; "
                                       "padding: 6px;")
        self.period_label = QLabel()
        self.period_label.setStyleSheet(NOTE_STYLE)
        self.village = combo([], "（请选择）")
        self.case_household = QLineEdit()
        self.case_household.setPlaceholderText("户编号或成员身份证号")
        self.start = date_edit(today)
        self.paper = QComboBox()
        for text, data in PAPERS:
            self.paper.addItem(text, data)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("文书", self.doc)
        form.addRow("", self.description)
        form.addRow("期间", period_box)
        form.addRow("", self.period_label)
        form.addRow("村（居）", self.village)
        form.addRow("家庭", self.case_household)
        form.addRow("公示开始日期", self.start)
        form.addRow("纸张", self.paper)
        self.form = form

        # 自查自纠报告
        self.number = QSpinBox()
        self.number.setRange(1, 9999)
        self.number.setMaximumWidth(110)
        self.number.setToolTip("发文字号中的序号，如 12（不编虚位、不加“第”字）")
        self.addressee = QLineEdit()
        self.addressee.setPlaceholderText("如：某某县民政局")
        self.title = QLineEdit()
        self.title.setToolTip("留空则用默认标题")
        self.signer = QLineEdit()
        self.signer.setPlaceholderText("上行文标注签发人姓名，如：张三")
        self.copy_to = QLineEdit()
        self.copy_to.setPlaceholderText("印在版记中，如：县纪委监委，县民政局（可空）")
        self.figures = QLabel("正在统计……")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.figures.setStyleSheet("background: #eef1f5; border: 1px solid #d7dde5; "
                                   "border-radius: 4px; padding: 6px; color: #37474f;")
        self.body = QPlainTextEdit()
        self.body.setMinimumHeight(180)
        self.body.setPlaceholderText("每行一段；写 {figures} 处插入上面的统计数字段落。")
        self.reset_body_button = QPushButton("恢复默认正文")
        self.reset_body_button.clicked.connect(self.reset_body)
        sc = QFormLayout()
        sc.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        sc.addRow("发文序号", self.number)
        sc.addRow("主送机关", self.addressee)
        sc.addRow("标题", self.title)
        sc.addRow("签发人", self.signer)
        sc.addRow("抄送", self.copy_to)
        sc_lay = QVBoxLayout()
        sc_lay.addLayout(sc)
        fig_head = QLabel("统计数字段落（按所选期间自动生成，只读；插入正文中 {figures} 处）")
        fig_head.setWordWrap(True)
        fig_head.setStyleSheet(NOTE_STYLE)
        sc_lay.addWidget(fig_head)
        sc_lay.addWidget(self.figures)
        body_head = QHBoxLayout()
        body_head.addWidget(QLabel("正文（每行一段，可修改）"))
        body_head.addStretch(1)
        body_head.addWidget(self.reset_body_button)
        sc_lay.addLayout(body_head)
        sc_lay.addWidget(self.body, 1)
        self.selfcheck_box = QGroupBox("自查自纠报告")
        self.selfcheck_box.setLayout(sc_lay)

        form_widget = QWidget()
        form_lay = QVBoxLayout(form_widget)
        form_lay.setContentsMargins(0, 0, 6, 0)
        form_lay.addLayout(form)
        form_lay.addWidget(self.selfcheck_box, 1)
        form_lay.addStretch(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form_widget)

        self.generate_button = QPushButton("生成")
        self.generate_button.setDefault(True)
        self.generate_button.setMinimumHeight(34)
        self.generate_button.setStyleSheet("font-weight: bold;")
        self.form_error = FieldError()
        self.permission_note = QLabel("你的角色不能导出或打印含个人信息的资料，请联系管理员。")
        self.permission_note.setWordWrap(True)
        self.permission_note.setStyleSheet("color: #c62828;")
        self.permission_note.setVisible(not ctx.can("export.personal"))
        self.generate_button.setEnabled(ctx.can("export.personal"))

        left = QWidget()
        left.setFixedWidth(440)
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addWidget(scroll, 1)
        left_lay.addWidget(self.permission_note)
        left_lay.addWidget(self.form_error)
        left_lay.addWidget(self.generate_button)

        # -- the right side: warnings, preview, actions
        self.warn_box = QFrame()
        self.warn_box.setObjectName("warnbox")
        self.warn_box.setStyleSheet(WARN_STYLE)
        self.warn_title = QLabel()
        self.warn_title.setStyleSheet("font-weight: bold; color: #8a5300; border: none;")
        self.warn_text = QLabel()
        self.warn_text.setWordWrap(True)
        self.warn_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warn_text.setStyleSheet("color: #5d4037; border: none; background: transparent;")
        self.warn_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        warn_scroll = QScrollArea()
        warn_scroll.setWidgetResizable(True)
        warn_scroll.setFrameShape(QFrame.Shape.NoFrame)
        warn_scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget "
                                  "{ background: transparent; border: none; }")
        warn_scroll.setWidget(self.warn_text)
        self.warn_scroll = warn_scroll
        warn_lay = QVBoxLayout(self.warn_box)
        warn_lay.setContentsMargins(10, 6, 10, 6)
        warn_lay.setSpacing(2)
        warn_lay.addWidget(self.warn_title)
        warn_lay.addWidget(warn_scroll)
        self.warn_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.warn_box.hide()

        self.status = QLabel("选择文书和期间，点击“生成”。")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(NOTE_STYLE)
        self.preview = PdfPreview()
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("background: #f5f7fa; border: 1px dashed #b0bccb; "
                                       "border-radius: 6px; color: #5f6b7a; font-size: 11pt; "
                                       "padding: 24px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.preview)
        self._show_placeholder("生成的 PDF 文书在这里预览，可翻页、缩放，再打印或另存为。\n"
                               "Excel 文书生成时直接选择保存位置。")

        self.print_button = QPushButton("打印（Ctrl+P）")
        self.save_button = QPushButton("另存为……")
        self.folder_button = QPushButton("打开所在文件夹")
        self.print_button.clicked.connect(self.print_current)
        self.save_button.clicked.connect(self.save_as)
        self.folder_button.clicked.connect(self.open_folder)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.print_button)
        actions.addWidget(self.save_button)
        actions.addWidget(self.folder_button)

        right = QVBoxLayout()
        right.addWidget(self.warn_box)
        right.addWidget(self.stack, 1)
        right.addLayout(actions)

        body = QHBoxLayout()
        body.addWidget(left)
        body.addLayout(right, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(page_title("报表打印"))
        lay.addLayout(body, 1)

        for keys, slot in ((QKeySequence.StandardKey.Print, self.print_current),
                           (QKeySequence("Ctrl+Shift+S"), self.save_as)):
            sc_ = QShortcut(keys, self)
            sc_.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc_.activated.connect(slot)

        self.figures_timer = QTimer(self)
        self.figures_timer.setSingleShot(True)
        self.figures_timer.setInterval(200)
        self.figures_timer.timeout.connect(self._load_figures)
        self.doc.currentIndexChanged.connect(self._doc_changed)
        for w in (self.period_kind, self.quarter):
            w.currentIndexChanged.connect(lambda _i: self._period_changed())
        for w in (self.year, self.month):
            w.valueChanged.connect(lambda _v: self._period_changed())
        self.generate_button.clicked.connect(self.generate)
        ctx.changed.connect(self._changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cleanup)
        self._doc_changed()
        self._update_actions()

    # -- loading
    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self.start_loading()

    def start_loading(self) -> None:
        if self._started:
            return
        self._started = True
        self._load_office()

    def _load_office(self) -> None:
        database, code = self.ctx.database, self.ctx.office.code

        def query() -> tuple[list[str], documents.OfficeInfo]:
            with database.session(write=False) as s:
                return offices.list_villages(s, code), reports.office_info(s)

        def done(result: tuple[list[str], documents.OfficeInfo]) -> None:
            names, office = result
            current = value(self.village)
            self.village.blockSignals(True)
            self.village.clear()
            self.village.addItem("（请选择）", "")
            for n in names:
                self.village.addItem(n, n)
            i = self.village.findData(current or "")
            self.village.setCurrentIndex(i if i > 0 else (1 if names else 0))
            self.village.blockSignals(False)
            old = self.office
            self.office = office
            if not self.addressee.text().strip() or (old and self.addressee.text() == old.district_name):
                self.addressee.setText(office.district_name)
            self._refresh_body_default()

        ops.run_query(self, query, on_success=done)

    def _changed(self, what: str) -> None:
        if self._started and what in ("office", "all"):
            self._load_office()
        if self._started and what in ("households", "all") and self.current_doc().key == "selfcheck":
            self.figures_timer.start()

    # -- form state
    def current_doc(self) -> DocKind:
        return DOC_BY_KEY[self.doc.currentData()]

    def set_document(self, key: str) -> None:
        self.doc.setCurrentIndex(self.doc.findData(key))

    def set_period(self, kind: str, year: int, part: int = 1) -> None:
        """For tests and callers: kind "month" (part = month), "quarter" (part = 1–4), "year"."""
        for w in (self.period_kind, self.year, self.month, self.quarter):
            w.blockSignals(True)
        self.period_kind.setCurrentIndex(self.period_kind.findData(kind))
        self.year.setValue(year)
        if kind == "month":
            self.month.setValue(part)
        elif kind == "quarter":
            self.quarter.setCurrentIndex(part - 1)
        for w in (self.period_kind, self.year, self.month, self.quarter):
            w.blockSignals(False)
        self._period_changed()

    def period_text(self) -> str:
        """The period as app.reports.parse_period accepts it: 2026-05, 2026Q2, 2026."""
        kind, y = self.period_kind.currentData(), self.year.value()
        if kind == "month":
            return f"{y}-{self.month.value():02d}"
        if kind == "quarter":
            return f"{y}Q{self.quarter.currentData()}"
        return f"{y}"

    def period(self) -> reports.Period:
        return reports.parse_period(self.period_text(), today=clock.today())

    def _doc_changed(self, _index: int = 0) -> None:
        d = self.current_doc()
        self.period_kind.blockSignals(True)
        if self.period_kind.currentData() not in d.periods:
            self.period_kind.setCurrentIndex(self.period_kind.findData(d.periods[0]))
        self.period_kind.blockSignals(False)
        self.form.setRowVisible(self.village, d.key == "gongshi_village")
        self.form.setRowVisible(self.case_household, d.key == "gongshi_case")
        self.form.setRowVisible(self.start, d.key.startswith("gongshi"))
        self.form.setRowVisible(self.paper, d.key.startswith("gongshi"))
        self.selfcheck_box.setVisible(d.key == "selfcheck")
        self.description.setText(DESCRIPTIONS[d.key])
        self.generate_button.setText("生成并保存 Excel……" if d.suffix == ".xlsx" else "生成并预览")
        self.form_error.show_message(None)
        self._period_changed()

    def _period_changed(self) -> None:
        kind = self.period_kind.currentData()
        self.month.setVisible(kind == "month")
        self.quarter.setVisible(kind == "quarter")
        d = self.current_doc()
        p = self.period()
        note = f"{p.label}（{p.start:%Y-%m-%d} 至 {p.end:%Y-%m-%d}）"
        if kind not in d.periods:
            allowed = "、".join(PERIOD_KINDS[k] for k in d.periods)
            note += f"　※ {d.label}按{allowed}编制"
        self.period_label.setText(note)
        self.title.setPlaceholderText(default_title(p))
        if d.key == "selfcheck":
            self._refresh_body_default()
            self.figures_timer.start()

    # -- 自查自纠报告 body
    def _default_body_text(self) -> str:
        if self.office is None:
            return ""
        return "\n\n".join(default_paragraphs(self.office, self.period()))

    def _refresh_body_default(self) -> None:
        """Follow the period in the default body until the clerk edits it."""
        text = self.body.toPlainText()
        if text.strip() and text != self._default_body:
            return
        self._default_body = self._default_body_text()
        self.body.setPlainText(self._default_body)

    def reset_body(self) -> None:
        self._default_body = self._default_body_text()
        self.body.setPlainText(self._default_body)

    def _load_figures(self) -> None:
        if self.current_doc().key != "selfcheck":
            return
        database, period = self.ctx.database, self.period()
        self._figures_seq += 1
        seq = self._figures_seq

        def query() -> str:
            with database.session(write=False) as s:
                figures = reports.selfcheck_figures(s, period)
                return documents.figures_text(figures, reports.office_info(s).name)

        def done(text: str) -> None:
            if seq == self._figures_seq:
                self.figures.setText(text)

        def failed(exc: BaseException) -> bool:
            if seq == self._figures_seq:
                self.figures.setText(f"统计失败：{ops.error_text(exc)[0]}")
            return True

        ops.run_query(self, query, on_success=done, on_failure=failed)

    # -- generating
    def prepare(self) -> Request:
        """Check the choices before any worker starts; raises :class:`Refused` in Chinese."""
        if not self.ctx.can("export.personal"):
            raise Refused("你的角色不能导出或打印含个人信息的资料，请联系管理员。")
        d = self.current_doc()
        kind = self.period_kind.currentData()
        if kind not in d.periods:
            allowed = "或".join(f"“{PERIOD_KINDS[k]}”" for k in d.periods)
            raise Refused(f"{d.label}不能按{PERIOD_KINDS[kind]}编制，请在“期间”中选{allowed}。")
        period = self.period()
        if not d.key.startswith("gongshi") and period.start > clock.today():
            raise Refused(f"{period.label}还没有开始，不能编制{d.name}，请选择已开始的期间。")
        if d.key == "gongshi_village":
            village = value(self.village)
            if not village:
                raise Refused("请选择要公示的村（居）；全乡镇公示请选“公示（全乡镇·季度）”。")
            return Request(d, period, village=village, start=self.start.date().toPython(),
                           paper=self.paper.currentData())
        if d.key == "gongshi_case":
            household = self.case_household.text().strip()
            if not household:
                raise Refused("请填写要公示的家庭：户编号或成员身份证号。")
            return Request(d, period, household=household, start=self.start.date().toPython(),
                           paper=self.paper.currentData())
        if d.key == "gongshi_township":
            return Request(d, period, start=self.start.date().toPython(), paper=self.paper.currentData())
        if d.key == "selfcheck":
            addressee = self.addressee.text().strip()
            if not addressee:
                raise Refused("请填写主送机关，如“某某县民政局”。")
            paragraphs = body_paragraphs(self.body.toPlainText())
            if not [p for p in paragraphs if p != documents.FIGURES]:
                raise Refused("正文不能为空；可点“恢复默认正文”后再修改。")
            return Request(d, period, number=self.number.value(), addressee=addressee,
                           title=self.title.text().strip() or None, paragraphs=tuple(paragraphs),
                           signer=self.signer.text().strip() or None,
                           copy_to=self.copy_to.text().strip() or None)
        return Request(d, period)

    def generate(self) -> ops.Op | None:
        self.form_error.show_message(None)
        try:
            req = self.prepare()
        except QingfengError as exc:
            self._discard_preview()
            self.form_error.show_message(str(exc))
            return None
        if req.doc.suffix == ".xlsx":
            path = dialogs.save_file(self, f"保存{req.doc.name}", str(Path(self.last_dir) / req.file_name()),
                                     "Excel 工作簿 (*.xlsx)")
            if not path:
                return None
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.last_dir = str(Path(path).parent)
            return self._run(req, Path(path))
        self.seq += 1
        out = Path(self.tmp.path()) / f"{self.seq:03d}-{req.file_name()}"
        return self._run(req, out)

    def _run(self, req: Request, out: Path) -> ops.Op:
        database, actor = self.ctx.database, self.ctx.actor
        today = clock.today()
        self.generate_button.setEnabled(False)
        self.status.setStyleSheet(NOTE_STYLE)
        self.status.setText(f"正在生成{req.doc.label}……")

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            progress.update(label=f"正在生成{req.doc.label}（{req.period.label}）……")
            return generate(database, actor, req, out, today=today, cancelled=cancelled)

        def done(result: documents.DocumentResult) -> None:
            self.generate_button.setEnabled(self.ctx.can("export.personal"))
            self._show_warnings(result.warnings)
            if req.doc.suffix == ".pdf":
                self._show_pdf(req, out, result)
            else:
                self._excel_saved(req, out, result)

        def failed(exc: BaseException) -> bool:
            self.generate_button.setEnabled(self.ctx.can("export.personal"))
            self._discard_preview()
            self.status.setText("生成失败。")
            if isinstance(exc, QingfengError):
                self.form_error.show_message(str(exc))
            return False  # the error dialog says what to do next

        def cancelled() -> None:
            self.generate_button.setEnabled(self.ctx.can("export.personal"))
            self.status.setText("已取消生成，未留下文件，也未记入审计日志。")

        self.op = ops.run_op(self, work, label=f"正在生成{req.doc.label}……", on_success=done,
                             on_failure=failed, on_cancelled=cancelled)
        return self.op

    def _discard_preview(self) -> None:
        """A refused or failed generate leaves no older document on show to be printed by mistake."""
        if self.generated is not None:
            self.preview.close_document()
            Path(self.generated).unlink(missing_ok=True)
        self.generated, self.request, self.saved_path = None, None, None
        self.status.setText("")
        self._update_actions()

    def _show_pdf(self, req: Request, out: Path, result: documents.DocumentResult) -> None:
        old = self.generated
        self.preview.load(str(out), req.file_name())
        self.generated, self.request, self.saved_path = str(out), req, None
        if old and old != str(out):
            try:
                Path(old).unlink(missing_ok=True)
            except OSError:
                pass
        self.stack.setCurrentWidget(self.preview)
        self.status.setStyleSheet(OK_STYLE)
        count = {"gongshi_village": f"、公示 {result.rows} 户", "gongshi_township": f"、公示 {result.rows} 户",
                 "monthly_pdf": f"、变动 {result.rows} 条"}.get(req.doc.key, "")
        self.status.setText(f"已生成{req.doc.label}：{req.period.label}"
                            + (f"，{req.village}" if req.village else "")
                            + f"，共 {result.pages} 页{count}。已记入审计日志。")
        self._update_actions()

    def _excel_saved(self, req: Request, out: Path, result: documents.DocumentResult) -> None:
        self.saved_path = str(out)
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText(f"已保存{req.doc.label}：{out}（{result.rows} 行数据）。已记入审计日志。")
        if self.generated is None:
            self._show_placeholder(f"{req.doc.label}（{req.period.label}）已保存到：\n{out}\n\n"
                                   "文件含个人信息，请妥善保管。")
        self._update_actions()
        if dialogs.confirm(self, f"已保存到：\n{out}\n\n共 {result.rows} 行数据。文件含个人信息，请妥善保管。"
                                 "\n\n现在打开所在文件夹吗？"):
            self.open_folder()

    def _show_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    def _show_warnings(self, warnings: list[str]) -> None:
        self.warn_title.setText(f"⚠ 请注意（{len(warnings)} 条）")
        self.warn_text.setText("\n".join(f"• {w}" for w in warnings))
        self.warn_box.setVisible(bool(warnings))
        self._fit_warnings()

    def _fit_warnings(self) -> None:
        """As tall as the warnings (up to about five lines, then it scrolls)."""
        width = max(self.warn_scroll.viewport().width(), 300)
        self.warn_scroll.setFixedHeight(min(self.warn_text.heightForWidth(width) + 2, 110))

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        if self.warn_box.isVisible():
            self._fit_warnings()

    def warnings_text(self) -> str:
        return self.warn_text.text() if self.warn_box.isVisibleTo(self) else ""

    def _update_actions(self) -> None:
        has_pdf = self.generated is not None and self.preview.page_count() > 0
        self.print_button.setEnabled(has_pdf)
        self.save_button.setEnabled(has_pdf)
        self.folder_button.setEnabled(self.saved_path is not None)

    # -- actions on the result
    def print_current(self) -> None:
        if self.generated is None:
            dialogs.info(self, "请先生成要打印的 PDF 文书。")
            return
        self.preview.print_dialog()

    def save_as(self) -> ops.Op | None:
        if self.generated is None or self.request is None:
            dialogs.info(self, "请先生成 PDF 文书，再另存为。")
            return None
        path = dialogs.save_file(self, "另存为", str(Path(self.last_dir) / self.request.file_name()),
                                 "PDF 文件 (*.pdf)")
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.last_dir = str(Path(path).parent)
        source = self.generated

        ctx, what = self.ctx, self.request.doc.name

        def work(_progress, _cancelled) -> str:  # noqa: ANN001
            with ctx.database.session() as s:
                reports.record_saved_copy(s, ctx.actor, what=what, source=Path(source), copy=Path(path))
                shutil.copyfile(source, path)
            return path

        def done(p: str) -> None:
            self.saved_path = p
            self.status.setStyleSheet(OK_STYLE)
            self.status.setText(f"已另存为：{p}")
            self._update_actions()

        return ops.run_op(self, work, label="正在保存……", on_success=done, cancellable=False)

    def open_folder(self) -> None:
        if self.saved_path:
            dialogs.open_path(str(Path(self.saved_path).parent))

    def cleanup(self) -> None:
        """Close the preview and delete the temporary files (they hold personal data)."""
        self.preview.close_document()
        self.generated = None
        self.tmp.remove()
        self._update_actions()
