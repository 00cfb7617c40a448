"""问题台账 page: the problem list with filters, details, state changes, 销号, 移交, export."""
from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QWidget

from app.ledgers import problems as pr
from app.permissions import Actor
from ui import widgets
from ui.pages import ledger_common as lc

COLUMNS = [("问题编号", lambda p: p.number), ("整改状态", lambda p: p.state),
           ("问题类别", lambda p: p.category), ("来源", lambda p: p.source),
           ("村（居）", lambda p: p.village), ("涉及对象", lambda p: p.households_text),
           ("发现日期", lambda p: p.found_date), ("责任人", lambda p: p.responsible),
           ("整改时限", lambda p: p.deadline), ("逾期", lambda p: "逾期" if p.overdue else ""),
           ("移交", lambda p: _transfer_text(p))]


def _transfer_text(p: pr.ProblemInfo) -> str:
    t = p.transfer
    if t is None:
        return ""
    if t.transferred_date:
        return f"已移交{'（超时）' if t.late else ''}"
    return f"待移交（时限 {t.due_date}）{'超时' if t.late else ''}"


def _alert(p: pr.ProblemInfo):  # noqa: ANN202
    if p.overdue or (p.transfer and p.transfer.late):
        return lc.LATE_COLOR
    return None


class ProblemsPage(lc.LedgerPage):
    title = "问题台账"
    export_kind = "problems"

    def __init__(self, database, actor: Actor, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(database, actor, parent)
        self.model = lc.RowsModel(COLUMNS, _alert, self)
        self.table = lc.table(self.model)
        self.state = widgets.combo(list(pr.STATES), first=widgets.ALL)
        self.category = widgets.combo(list(pr.CATEGORIES), first=widgets.ALL)
        self.village = widgets.combo([], first=widgets.ALL)  # filled by load_villages
        self.responsible = QLineEdit()
        self.responsible.setPlaceholderText("责任人")
        self.overdue = QCheckBox("只看逾期")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索问题描述或编号")
        self.count = QLabel()
        for c in (self.state, self.category, self.village):
            c.currentIndexChanged.connect(lambda _i: self.refresh())
        self.overdue.toggled.connect(lambda _b: self.refresh())
        self.responsible.textChanged.connect(lambda _t: self.refresh())
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.show_detail())

        edit = self.can("ledger.edit")
        self.buttons = {
            "add": lc.button("登记问题", self.add_dialog, edit),
            "move": lc.button("推进整改", self.move_dialog, edit),
            "close": lc.button("核验销号", self.close_dialog, self.can("ledger.close")),
            "clue": lc.button("标记为问题线索", self.mark_clue, edit),
            "transfer": lc.button("移交纪检监察", self.transfer_dialog, self.can("ledger.transfer")),
            "typical": lc.button("标注典型问题", self.mark_typical, edit),
            "export": lc.button("导出 Excel", self.export, self.can("export.personal")),
        }
        self.assemble([("状态", self.state), ("类别", self.category), ("村（居）", self.village),
                       (None, self.responsible), (None, self.search), (None, self.overdue)],
                      self.detail_split())

    # -- data
    def filters(self) -> dict:
        return dict(state=widgets.value(self.state), category=widgets.value(self.category),
                    village=widgets.value(self.village), responsible=self.responsible.text().strip() or None,
                    overdue_only=self.overdue.isChecked(), text=self.search.text().strip() or None)

    export_filters = filters

    def refresh(self) -> None:
        filters = self.filters()
        self.load(lambda s: pr.list_problems(s, **filters), self.show_rows)

    def show_rows(self, rows: list[pr.ProblemInfo]) -> None:
        current = self.current()
        self.model.set_rows(rows)
        self.count.setText(f"共 {len(rows)} 个，逾期 {sum(r.overdue for r in rows)} 个")
        self.reselect(current.number if current else None)
        self.show_detail()

    def current(self) -> pr.ProblemInfo | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select(self, number: str) -> bool:
        for i, r in enumerate(self.model.rows):
            if r.number == number:
                self.table.selectRow(i)
                return True
        return False

    def show_detail(self) -> None:
        p = self.current()
        if p is None:
            self.detail.setHtml("<p style='color:#8a96a3'>选择一个问题查看详情。</p>")
            return
        lines = [f"<h3>{escape(p.number)} {escape(p.state)}</h3>",
                 f"<p><b>{escape(p.category)}</b>（来源：{escape(p.source)}）发现于 {p.found_date}</p>",
                 f"<p>{escape(p.description)}</p>",
                 f"<p>涉及：{escape(p.households_text or '—')}</p>",
                 f"<p>责任人：{escape(p.responsible)}　整改时限：{p.deadline or '—'}"
                 + ("　<b style='color:#c62828'>已逾期</b>" if p.overdue else "") + "</p>",
                 f"<p>整改措施：{escape(p.measures or '—')}</p>", "<p><b>办理过程</b></p><ul>"]
        lines += [f"<li>{t.day} {escape(t.from_state or '登记')} → {escape(t.to_state)}，{escape(t.signer)}"
                  f"{'：' + escape(t.note) if t.note else ''}</li>" for t in p.transitions]
        lines.append("</ul>")
        if p.closed_date:
            lines.append(f"<p>销号：{p.closed_date}，{escape(p.closed_by or '')}，核验意见："
                         f"{escape(p.verification_note or '')}</p>")
        if p.transfer:
            t = p.transfer
            lines.append(f"<p><b>移交纪检监察</b>：时限 {t.due_date}，"
                         + (f"{t.transferred_date} 移交{escape(t.organ or '')}" if t.transferred_date else "尚未移交")
                         + ("　<b style='color:#c62828'>超时</b>" if t.late else "") + "</p>")
            if t.warning:
                lines.append(f"<p style='color:#e65100'>{escape(t.warning)}</p>")
        self.detail.setHtml("".join(lines))

    # -- actions (the dialogs collect input, then call these; each runs off the UI thread)
    def add_problem(self, form: lc.FormDialog | None = None, **values: object):  # noqa: ANN201
        actor = self.actor
        return self.run(lambda s: pr.create_problem(s, actor, **values), done="已登记问题。",
                        form=form, then=lambda info: self.select_later(info.number))

    def move_selected(self, *, to: str, day: date | None = None, note: str | None = None,
                      measures: str | None = None, form: lc.FormDialog | None = None):  # noqa: ANN201
        p, actor = self._need(), self.actor
        return p and self.run(lambda s: pr.move_problem(
            s, actor, p.id, to=to, day=day, note=note or None, measures=measures or None,
            version=p.version), done=f"问题 {p.number} 已转为“{to}”。", form=form)

    def close_selected(self, *, verification_note: str, day: date | None = None,
                       form: lc.FormDialog | None = None):  # noqa: ANN201
        p, actor = self._need(), self.actor
        return p and self.run(lambda s: pr.close_problem(
            s, actor, p.id, verification_note=verification_note, day=day, version=p.version),
            done=f"问题 {p.number} 已核验销号。", form=form)

    def mark_clue(self):  # noqa: ANN201
        p, actor = self._need(), self.actor
        return p and self.run(lambda s: pr.mark_clue(s, actor, p.id),
                              done=f"问题 {p.number} 已标记为问题线索，请在时限内移交。")

    def mark_typical(self):  # noqa: ANN201
        """典型问题: listed in the monthly 专项整治工作台账."""
        from app.ledgers import reporting

        p, actor = self._need(), self.actor
        return p and self.run(lambda s: reporting.set_typical(s, actor, p.number),
                              done=f"问题 {p.number} 已标注为典型问题，将列入专项整治工作台账。")

    def transfer_selected(self, *, organ: str, day: date, doc_number: str | None = None,
                          form: lc.FormDialog | None = None):  # noqa: ANN201
        p, actor = self._need(), self.actor
        return p and self.run(lambda s: pr.transfer_problem(
            s, actor, p.id, day=day, organ=organ, doc_number=doc_number or None),
            done=f"问题 {p.number} 已登记移交。", form=form)

    def _need(self) -> pr.ProblemInfo | None:
        p = self.current()
        if p is None:
            self.show_message("请先在列表中选择一个问题。", error=True)
        return p

    # -- dialogs: they stay open until the service accepts what was typed
    def add_dialog(self) -> lc.FormDialog:
        def submit(v: dict, form: lc.FormDialog) -> None:
            v["households"] = [x for x in v["households"].replace("，", ",").split(",") if x.strip()]
            self.add_problem(form=form, **v)

        return lc.ask(self, "登记问题", [
            ("source", "问题来源", "choice", pr.SOURCES), ("category", "问题类别", "choice", pr.CATEGORIES),
            ("description", "问题描述", "long"), ("found_date", "发现日期", "date"),
            ("responsible", "责任人", "text"), ("measures", "整改措施", "long"),
            ("deadline", "整改时限", "optional_date"),
            ("households", "关联家庭（户编号或身份证号，逗号分隔）", "text"),
            ("is_clue", "属违纪违法问题线索", "bool")], submit)

    def move_dialog(self) -> lc.FormDialog | None:
        p = self._need()
        if p is None:
            return None
        targets = pr.MOVES.get(p.state, ())
        if not targets:
            self.show_message(f"问题 {p.number} 为“{p.state}”，不能再推进。", error=True)
            return None
        return lc.ask(self, f"推进整改：{p.number}", [
            ("to", "目标状态", "choice", targets), ("day", "日期", "date"),
            ("measures", "整改措施", "long"), ("note", "说明", "text")],
            lambda v, form: self.move_selected(form=form, **v))

    def close_dialog(self) -> lc.FormDialog | None:
        if self._need() is None:
            return None
        return lc.ask(self, "核验销号", [("verification_note", "核验意见", "long"), ("day", "销号日期", "date")],
                      lambda v, form: self.close_selected(form=form, **v))

    def transfer_dialog(self) -> lc.FormDialog | None:
        if self._need() is None:
            return None
        return lc.ask(self, "移交纪检监察机关", [("organ", "接收机关", "text", "县纪委监委"),
                                         ("day", "移交日期", "date"), ("doc_number", "移交文号", "text")],
                      lambda v, form: self.transfer_selected(form=form, **v))
