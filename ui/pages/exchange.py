"""数据交换: office cards (with the fingerprint to read out by phone), export of a package for the
counterpart, import with the dry-run summary before confirming, the exchange log and, in district
mode, every township's status. All database work runs through ``ui.ops``."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHeaderView,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from app import clock
from app.errors import ConflictError, ValidationError
from app.errors import QingfengError
from app.sync import cards, district, export, importer, log, runs, tables
from ui import dialogs, ops
from ui.context import AppContext
from ui.pages.assignment_dialog import AssignmentDialog
from ui.widgets import page_title


def choose_folder(parent: QWidget | None, title: str, start: str) -> str | None:
    """A folder prompt (replaced in tests)."""
    return QFileDialog.getExistingDirectory(parent, title, start) or None


def _table(headers: list[str], stretch: int | None = None) -> QTableWidget:
    """A read-only table; ``stretch``: the column that takes the spare width (else the last)."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    header = t.horizontalHeader()
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


def _fill(table: QTableWidget, rows: list[list[object]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    table.resizeColumnsToContents()


class ExchangePage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview: importer.ImportResult | None = None
        self.preview_path: Path | None = None
        self.last_export: export.ExportResult | None = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._cards_tab(), "单位名片")
        self.tabs.addTab(self._export_tab(), "导出数据包")
        self.tabs.addTab(self._import_tab(), "导入数据包")
        self.log_table = _table(["时间", "方向", "类型", "对方单位", "序号", "月份", "哈希", "状态", "用户"])
        self.tabs.addTab(self.log_table, "交换记录")
        self.status_table = None
        self.cards: list = []  # the enrolled office cards (refresh)
        if ctx.office.level == "district":
            self.status_table = _table(["乡镇代码", "名称", "最近序号", "最近月份", "缺报月份", "审计链", "月报（25日前）"],
                                       stretch=1)
            self.tabs.addTab(self.status_table, "乡镇报送情况")
        self.tabs.addTab(self._assignments_tab(), "交办问题")
        lay = QVBoxLayout(self)
        lay.addWidget(page_title("数据交换"))
        lay.addWidget(self.tabs, 1)
        self.refresh()

    # ---------------------------------------------------------------- tabs
    def _cards_tab(self) -> QWidget:
        w = QWidget()
        self.own_card = QLabel("本单位名片：尚未生成（导出名片时生成密钥）")
        self.own_card.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.card_export_button = QPushButton("导出本单位名片……")
        self.card_import_button = QPushButton("导入对方名片……")
        for b in (self.card_export_button, self.card_import_button):
            b.setEnabled(self.ctx.can("office.edit"))
        self.card_export_button.clicked.connect(lambda: self.export_card())
        self.card_import_button.clicked.connect(lambda: self.import_card())
        self.cards_table = _table(["单位代码", "名称", "级别", "指纹"])
        row = QHBoxLayout()
        row.addWidget(self.card_export_button)
        row.addWidget(self.card_import_button)
        row.addStretch(1)
        lay = QVBoxLayout(w)
        lay.addWidget(self.own_card)
        lay.addLayout(row)
        lay.addWidget(QLabel("已登记的对方单位（导入名片后，请电话核对指纹）："))
        lay.addWidget(self.cards_table, 1)
        return w

    def _export_tab(self) -> QWidget:
        w = QWidget()
        self.recipient = QComboBox()
        self.full_box = QCheckBox("完整数据包（而不是上次确认以来的变更）")
        self.period_edit = QLineEdit(clock.today().strftime("%Y-%m"))
        self.reports_box = QCheckBox("附上该月的动态管理月报（PDF）")
        self.reports_box.setChecked(self.ctx.office.level == "township")
        self.reports_box.setVisible(self.ctx.office.level == "township")
        self.export_button = QPushButton("导出到文件夹……")
        self.export_button.setEnabled(self.ctx.can("sync.exchange"))
        self.export_button.clicked.connect(lambda: self.export_package())
        self.export_result = QLabel("数据包经签名和加密，只有接收单位能打开；可用 U 盘或电子邮件报送。")
        self.export_result.setWordWrap(True)
        form = QFormLayout(w)
        form.addRow("接收单位", self.recipient)
        form.addRow("报送月份", self.period_edit)
        form.addRow("", self.full_box)
        form.addRow("", self.reports_box)
        button_row = QHBoxLayout()  # the button at its own width, not the form's
        button_row.addWidget(self.export_button)
        button_row.addStretch(1)
        form.addRow("", button_row)
        form.addRow(self.export_result)
        return w

    def _import_tab(self) -> QWidget:
        w = QWidget()
        self.choose_button = QPushButton("选择数据包并预览……")
        self.choose_button.setEnabled(self.ctx.can("sync.exchange"))
        self.choose_button.clicked.connect(lambda: self.preview_package())
        self.apply_button = QPushButton("确认导入")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_package)
        self.import_summary = QLabel("导入前先检查签名、接收单位和序号，并预览将要新增、更新的记录。")
        self.import_summary.setWordWrap(True)
        self.summary_table = _table(["数据表", "新增", "更新", "未变", "拒收"])
        self.refused_list = QListWidget()
        self.refused_list.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.apply_button)
        # the district's month: every township's package at once (one safety backup first)
        self.batch_button = QPushButton("一次导入多个数据包……")
        self.batch_button.setEnabled(self.ctx.can("sync.exchange"))
        self.batch_button.clicked.connect(lambda: self.import_many())
        row.addWidget(self.batch_button)
        row.addStretch(1)
        lay = QVBoxLayout(w)
        lay.addLayout(row)
        lay.addWidget(self.import_summary)
        lay.addWidget(self.summary_table, 2)
        lay.addWidget(QLabel("拒收和更正："))
        lay.addWidget(self.refused_list, 1)
        return w

    def _assignments_tab(self) -> QWidget:
        w = QWidget()
        district_mode = self.ctx.office.level == "district"
        self.assignment_button = QPushButton("交办新问题……" if district_mode else "填写整改反馈……")
        self.assignment_button.setEnabled(self.ctx.can("sync.assign"))
        self.assignment_button.clicked.connect(
            lambda: self.new_assignment() if district_mode else self.answer_assignment())
        self.assignments_table = _table(["乡镇", "问题", "交办日期", "整改期限", "状态", "最新反馈"], stretch=1)
        self.assignment_ids: list[str] = []
        row = QHBoxLayout()
        row.addWidget(self.assignment_button)
        row.addWidget(QLabel("交办问题和整改反馈随下一个数据包送达对方。"))
        row.addStretch(1)
        lay = QVBoxLayout(w)
        lay.addLayout(row)
        lay.addWidget(self.assignments_table, 1)
        return w

    def new_assignment(self, answers: tuple[str, str, str, date | str] | None = None) -> None:
        """District: to (code), title, text, deadline — one form (:class:`AssignmentDialog`)."""
        if answers is None:
            townships = [(c.code, c.name) for c in self.cards if c.level == "township"]
            if not townships:
                dialogs.error(self, "还没有可以交办的乡镇：请先在“单位名片”中导入乡镇的名片。")
                return
            dlg = AssignmentDialog(townships, self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            answers = dlg.values()
        to, title, text, deadline = answers
        ctx = self.ctx

        def work(_p, _c) -> str:  # noqa: ANN001
            day = deadline
            if isinstance(deadline, str):
                try:
                    day = date.fromisoformat(deadline.strip())
                except ValueError:
                    raise ValidationError("整改期限", deadline, "应为 YYYY-MM-DD") from None
            with ctx.database.session() as s:
                return district.assign(s, ctx.actor, to_office=to.strip(), title=title, description=text,
                                       deadline=day)

        ops.run_op(self, work, label="正在交办……", cancellable=False, on_success=lambda _id: self.refresh())

    def answer_assignment(self, text: str | None = None, done: bool | None = None) -> None:
        """Township: 整改反馈 on the selected assigned problem."""
        row = self.assignments_table.currentRow()
        if not self.assignment_ids:
            dialogs.error(self, "暂无交办问题：区县交办的问题随区县发来的数据包导入后列在这里。")
            return
        if row < 0 or row >= len(self.assignment_ids):
            dialogs.error(self, "请先在表格中选中一个交办问题。")
            return
        text = text if text is not None else dialogs.ask_text(self, "整改反馈", "整改情况：")
        if not text:
            return
        done = done if done is not None else dialogs.confirm(self, "该问题是否已整改完成？")
        ctx, aid = self.ctx, self.assignment_ids[row]

        def work(_p, _c) -> str:  # noqa: ANN001
            with ctx.database.session() as s:
                return district.answer(s, ctx.actor, aid, content=text, done=done)

        ops.run_op(self, work, label="正在保存……", cancellable=False, on_success=lambda _id: self.refresh())

    # ---------------------------------------------------------------- loading
    def refresh(self) -> None:
        database, level = self.ctx.database, self.ctx.office.level

        def load() -> dict:
            with database.session(write=False) as s:
                return {"cards": cards.list_cards(s), "own": cards.own_card(s), "log": log.entries(s),
                        "status": district.township_status(s) if level == "district" else [],
                        "assignments": district.assignments(s)}

        ops.run_query(self, load, on_success=self._show)

    def _show(self, data: dict) -> None:
        if data["own"] is not None:
            card = data["own"]
            self.own_card.setText(f"本单位名片：{card.name}（{card.code}）　指纹：{card.fingerprint}")
        self.assignment_ids = [a.id for a in data["assignments"]]
        _fill(self.assignments_table, [
            [a.target_office, a.title, a.assigned_date, a.deadline,
             "已整改" if any(d for _day, _c, d in a.answers) else "逾期" if a.overdue else "整改中",
             a.answers[-1][1] if a.answers else "—"] for a in data["assignments"]])
        self.cards = data["cards"]
        _fill(self.cards_table, [[c.code, c.name, {"township": "乡镇", "district": "区县"}.get(c.level, c.level),
                                  c.fingerprint] for c in data["cards"]])
        current = self.recipient.currentData()
        self.recipient.clear()
        for c in data["cards"]:
            self.recipient.addItem(f"{c.name}（{c.code}）", c.code)
        if current is not None and self.recipient.findData(current) >= 0:
            self.recipient.setCurrentIndex(self.recipient.findData(current))
        _fill(self.log_table, [[f"{e.ts:%Y-%m-%d %H:%M}", log.DIRECTIONS.get(e.direction, e.direction),
                                log.KINDS.get(e.kind, e.kind), f"{e.peer_name}（{e.peer}）" if e.peer_name else e.peer,
                                e.seq, e.period, e.hash[:12], e.state, e.username] for e in data["log"]])
        if self.status_table is not None:
            _fill(self.status_table, [[t.code, t.name, t.last_seq or "—", t.last_period or "未报送",
                                       t.missing_text,
                                       "正常" if t.chain_ok else f"告警：{t.chain_alarm}",
                                       t.monthly] for t in data["status"]])

    # ---------------------------------------------------------------- cards
    def export_card(self, path: str | None = None) -> None:
        ctx = self.ctx
        path = path or dialogs.save_file(self, "导出本单位名片", str(Path.home() / f"{ctx.office.code}-名片.json"),
                                         "单位名片 (*.json)")
        if not path:
            return

        def work(_p, _c) -> cards.Card:  # noqa: ANN001
            with ctx.database.session() as s:
                data = cards.export_card(s, ctx.actor)
            Path(path).write_bytes(data)
            return cards.parse_card(data)

        def done(card: cards.Card) -> None:
            self.own_card.setText(f"本单位名片：{card.name}（{card.code}）　指纹：{card.fingerprint}")
            dialogs.info(self, f"名片已保存到：\n{path}\n\n指纹：{card.fingerprint}\n请把名片交给对方单位，并电话读出指纹核对。")

        ops.run_op(self, work, label="正在导出名片……", cancellable=False, on_success=done)

    def import_card(self, path: str | None = None) -> None:
        path = path or dialogs.open_file(self, "导入对方单位名片", str(Path.home()), "单位名片 (*.json)")
        if not path:
            return
        try:
            data = Path(path).read_bytes()
            card = cards.parse_card(data)
        except (OSError, QingfengError) as exc:
            ops.show_error(self, exc)
            return
        if not dialogs.confirm(self, f"{card.name}（{card.code}）的名片指纹：\n\n{card.fingerprint}\n\n"
                                     "请电话联系对方单位，逐组核对指纹。指纹一致才能导入。是否一致？"):
            return
        self._import_card(data, card, replace=False)

    def _import_card(self, data: bytes, card: cards.Card, *, replace: bool) -> None:
        ctx = self.ctx

        def work(_p, _c) -> cards.Card:  # noqa: ANN001
            with ctx.database.session() as s:
                return cards.import_card(s, ctx.actor, data, replace=replace)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ConflictError) and not replace:
                if dialogs.confirm(self, f"{exc}\n\n确认更换为新名片？（将记入审计日志）"):
                    self._import_card(data, card, replace=True)
                return True
            return False

        ops.run_op(self, work, label="正在导入名片……", cancellable=False, on_failure=failed,
                   on_success=lambda c: (self.refresh(), dialogs.info(self, f"已登记 {c.name}（{c.code}）的名片。")))

    # ---------------------------------------------------------------- export
    def export_package(self, folder: str | None = None) -> None:
        ctx = self.ctx
        to = self.recipient.currentData()
        if to is None:
            dialogs.error(self, "还没有可以发送的单位：请先在“单位名片”中导入对方单位的名片。")
            return
        full, period = self.full_box.isChecked(), self.period_edit.text().strip()
        if period:  # checked before the folder is asked for
            try:
                export.check_period(period)
            except ValidationError:
                dialogs.error(self, f"报送月份“{period}”应写成 年-月，例如 {export.current_period()}。")
                return
        folder = folder or choose_folder(self, "保存数据包到文件夹（可选 U 盘）", str(Path.home()))
        if not folder:
            return
        reports = self.reports_box.isChecked()

        def work(progress, _c) -> export.ExportResult:  # noqa: ANN001
            progress.update(0, 0, "正在汇总、签名和加密……")
            with ctx.database.session(durable=True) as s:  # on the disk before the file leaves
                return export.export_package(s, ctx.actor, to, Path(folder), full=full, period=period,
                                             reports=reports)

        def done(r: export.ExportResult) -> None:
            self.last_export = r
            counts = tables.describe_counts(r.counts, r.kind)
            self.export_result.setText(
                (f"{r.note}\n" if r.note else "") +
                f"已生成第 {r.seq} 号{'完整' if r.kind == 'full' else '增量'}数据包（{r.period}），"
                f"{r.size / 1024:.0f} KB：\n" + "\n".join(str(p) for p in r.paths) + f"\n内容：{counts}")
            self.refresh()

        ops.run_op(self, work, label="正在生成数据包……", cancellable=False, on_success=done)

    # ---------------------------------------------------------------- import
    def preview_package(self, path: str | None = None) -> None:
        path = path or dialogs.open_file(self, "选择数据包", str(Path.home()), "数据包 (*.qfp *.qfp.001)")
        if not path:
            return
        ctx = self.ctx
        self.apply_button.setEnabled(False)

        def work(progress, _c) -> importer.ImportResult:  # noqa: ANN001
            progress.update(0, 0, "正在检查签名并预览……")
            return runs.run_import(ctx.database, ctx.actor, Path(path), dry_run=True)

        def done(r: importer.ImportResult) -> None:
            self.preview, self.preview_path = r, Path(path)
            self._show_result(r)
            self.apply_button.setEnabled(r.status == "preview" or r.status == "ack")

        ops.run_op(self, work, label="正在检查数据包……", cancellable=False, on_success=done,
                   on_failure=self._refused)

    def _refused(self, exc: BaseException) -> bool:
        self.preview = None
        self.apply_button.setEnabled(False)
        self.import_summary.setText(f"未导入：{ops.error_text(exc)[0]}")  # the Chinese message, never the SQL
        self.import_summary.setStyleSheet("color: #c62828; font-weight: bold;")
        self.summary_table.setRowCount(0)
        self.refused_list.clear()
        self.refresh()
        return False

    def _show_result(self, r: importer.ImportResult, applied: bool = False) -> None:
        self.import_summary.setStyleSheet("")
        note = {"preview": "（预览，尚未导入；核对后点“确认导入”）", "duplicate": "",
                "ack": "\n已登记该回执。" if applied else "（预览；点“确认导入”登记该回执）",
                "imported": ""}[r.status]
        carried = "、".join(x for x in (f"审计记录 {r.audit_entries} 条" if r.audit_entries else "",
                                       f"报表 {len(r.documents)} 份" if r.documents else "") if x)
        self.import_summary.setText(r.message + note + (f"\n随包：{carried}" if carried and not applied else ""))
        _fill(self.summary_table, [[t.label, t.new, t.updated, t.unchanged, len(t.refused)]
                                   for t in r.tables.values()
                                   if t.new or t.updated or t.unchanged or t.refused])
        self.refused_list.clear()
        for name, t in r.tables.items():
            self.refused_list.addItems([f"✗ {t.label} {x['id']}：{x['reason']}" for x in t.refused[:500]])
        self.refused_list.addItems([f"更正（{c['period']}）：{c['entity']} {c['entity_id']}：{c['reason']}"
                                    for c in r.corrections])

    def apply_package(self) -> None:
        if self.preview_path is None:
            return
        ctx, path = self.ctx, self.preview_path
        self.apply_button.setEnabled(False)

        def work(progress, _c) -> importer.ImportResult:  # noqa: ANN001
            progress.update(0, 0, "正在导入（一个事务，全部或全不）……")
            return runs.run_import(ctx.database, ctx.actor, path)

        def done(r: importer.ImportResult) -> None:
            self._show_result(r, applied=True)
            if r.ack_paths:
                self.import_summary.setText(r.message + "\n回执已保存：" + "、".join(r.ack_paths) +
                                            "（请送回发送单位导入）" +
                                            "".join(f"\n收到报表：{d}" for d in r.documents))
            self.preview_path = None
            self.refresh()
            ctx.changed.emit("all")

        ops.run_op(self, work, label="正在导入数据包……", cancellable=False, on_success=done,
                   on_failure=self._refused)

    def import_many(self, paths: list[str] | None = None) -> None:
        """Several packages (e.g. all townships' of the month): each checked and imported in its
        own transaction after one safety backup; a refused one is listed with its reason."""
        paths = paths or dialogs.open_files(self, "选择要导入的数据包（可多选）", str(Path.home()),
                                            "数据包 (*.qfp *.qfp.001)")
        if not paths or not dialogs.confirm(
                self, f"导入选中的 {len(paths)} 个数据包？\n导入前先做一次安全备份；每个数据包检查签名、"
                      "序号和审计链后导入，拒收的数据包列出原因；每个数据包要么全部导入，要么全不导入。"):
            return
        ctx = self.ctx
        self.apply_button.setEnabled(False)

        def work(progress, _c) -> list[runs.BatchItem]:  # noqa: ANN001
            return runs.run_imports(ctx.database, ctx.actor, [Path(p) for p in paths],
                                        progress=lambda i, n, text: progress.update(i, n, text))

        def done(items: list[runs.BatchItem]) -> None:
            refused = [i for i in items if i.refused]
            skipped = [i for i in items if i.result is not None and i.result.status == "duplicate"]
            self.import_summary.setStyleSheet("color: #c62828; font-weight: bold;" if refused else "")
            self.import_summary.setText(
                f"已处理 {len(items)} 个数据包：导入 {len(items) - len(refused) - len(skipped)} 个，"
                + (f"以前已导入、跳过 {len(skipped)} 个，" if skipped else "")
                + f"拒收 {len(refused)} 个。回执保存在各数据包所在的文件夹，请送回发送单位。")
            _fill(self.summary_table, [])
            self.refused_list.clear()
            for i in items:
                name = Path(i.path).name
                mark = "✗" if i.refused else "–" if i.result.status == "duplicate" else "✓"
                self.refused_list.addItem(f"{mark} {name}：{i.refused or i.result.message}")
            self.refresh()
            ctx.changed.emit("all")

        ops.run_op(self, work, label="正在导入数据包……", cancellable=False, on_success=done)
