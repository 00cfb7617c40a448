"""信访举报 page: petitions with their time limits, repeats (重点), handling, reply, export."""
from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QLineEdit, QSplitter, QVBoxLayout,
                               QWidget)

from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.permissions import Actor
from ui.pages import ledger_common as lc

COLUMNS = [("编号", lambda p: p.number), ("状态", lambda p: p.state), ("渠道", lambda p: p.channel),
           ("信访人", lambda p: p.petitioner), ("收到日期", lambda p: p.received_date),
           ("转送时限", lambda p: p.deadlines.sort_due), ("办结时限", lambda p: p.deadlines.conclude_due),
           ("反映次数", lambda p: p.repeat_count), ("重点", lambda p: "重点" if p.priority else ""),
           ("超期", lambda p: "超期" if p.overdue else ""), ("承办人", lambda p: p.handler),
           ("反映内容", lambda p: p.content)]


def _alert(p: pt.PetitionInfo):  # noqa: ANN202
    if p.overdue and p.state == pt.OPEN:
        return lc.LATE_COLOR
    return lc.PRIORITY_COLOR if p.priority else None


class PetitionsPage(lc.LedgerPage):
    title = "信访举报台账"
    export_kind = "petitions"

    def __init__(self, database, actor: Actor, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(database, actor, parent)
        self.model = lc.RowsModel(COLUMNS, _alert, self)
        self.table = lc.table(self.model)
        self.state = lc.combo(pt.STATES)
        self.channel = lc.combo(pt.CHANNELS)
        self.village = lc.combo(self.villages())
        self.handler = QLineEdit()
        self.handler.setPlaceholderText("承办人")
        self.priority = QCheckBox("只看重点")
        self.overdue = QCheckBox("只看超期")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索反映内容或编号")
        self.count = QLabel()
        for c in (self.state, self.channel, self.village):
            c.currentIndexChanged.connect(lambda _i: self.refresh())
        for b in (self.priority, self.overdue):
            b.toggled.connect(lambda _b: self.refresh())
        for e in (self.handler, self.search):
            e.textChanged.connect(lambda _t: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.show_detail())
        edit = self.can("ledger.edit")
        self.buttons = {
            "add": lc.button("登记信访举报", self.add_dialog, edit),
            "sort": lc.button("登记转送", self.sort_dialog, edit),
            "extend": lc.button("延期", self.extend_dialog, edit),
            "reply": lc.button("答复办结", self.reply_dialog, edit),
            "problem": lc.button("转入问题台账", self.problem_dialog, edit),
            "export": lc.button("导出 Excel", self.export, self.can("export.personal")),
        }
        bar = QHBoxLayout()
        for label, w in (("状态", self.state), ("渠道", self.channel), ("村（居）", self.village)):
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addWidget(self.handler)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.priority)
        bar.addWidget(self.overdue)
        actions = QHBoxLayout()
        for b in self.buttons.values():
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.count)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"<b style='font-size:15pt;color:#1f3b63'>{self.title}</b>"))
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        lay.addLayout(actions)
        lay.addWidget(self.message)
        self.refresh()

    def filters(self) -> dict:
        return dict(state=self.state.currentData(), channel=self.channel.currentData(),
                    village=self.village.currentData(), handler=self.handler.text().strip() or None,
                    priority_only=self.priority.isChecked(), overdue_only=self.overdue.isChecked(),
                    text=self.search.text().strip() or None)

    export_filters = filters

    def refresh(self) -> None:
        current = self.current()
        rows = self.run(lambda s: pt.list_petitions(s, **self.filters()), write=False) or []
        self.model.set_rows(rows)
        self.count.setText(f"共 {len(rows)} 件，重点 {sum(r.priority for r in rows)} 件")
        if current is not None:
            self.select(current.number)
        self.show_detail()

    def current(self) -> pt.PetitionInfo | None:
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
            self.detail.setHtml("<p style='color:#8a96a3'>选择一件信访举报查看详情。</p>")
            return
        d = p.deadlines
        who = "、".join(f"{h.village}{h.head_name}（{h.number}）" for h in p.households) or "—"
        lines = [f"<h3>{escape(p.number)} {escape(p.state)}"
                 + (" <span style='color:#e65100'>【重点】</span>" if p.priority else "") + "</h3>",
                 f"<p>{escape(p.channel)}，{escape(p.petitioner)}，收到于 {p.received_date}</p>",
                 f"<p>{escape(p.content)}</p>", f"<p>涉及：{escape(who)}</p>",
                 f"<p>转送时限 {d.sort_due}（{p.sorted_date or '未转送'}）" +
                 ("　<b style='color:#c62828'>转送超期</b>" if p.sort_late else "") + "</p>",
                 f"<p>办结时限 {d.conclude_due}" +
                 (f"（已延期 {p.extension_days} 日：{escape(p.extension_reason or '')}）" if p.extension_days else "")
                 + ("　<b style='color:#c62828'>办结超期</b>" if p.conclude_late else "") + "</p>"]
        if p.reply_date:
            lines.append(f"<p>答复 {p.reply_date}：{escape(p.reply or '')}（{escape(p.outcome or '')}，"
                         f"{escape(p.satisfaction or '未评价')}）；复查申请期限 {d.review_request_due}</p>")
        if p.related:
            lines.append(f"<p>同一事项共反映 {p.repeat_count} 次：{escape('、'.join(p.related))}</p>")
        if p.problem_id:
            lines.append("<p>已转入问题台账。</p>")
        self.detail.setHtml("".join(lines))

    # -- actions
    def add_petition(self, **values: object) -> pt.PetitionInfo | None:
        info = self.run(lambda s: pt.create_petition(s, self.actor, **values), done="已登记信访举报。")
        if info is not None:
            self.select(info.number)
            if info.priority:
                self.show_message(f"已登记 {info.number}；同一事项已反映 {info.repeat_count} 次，已标注为重点。")
        return info

    def _need(self) -> pt.PetitionInfo | None:
        p = self.current()
        if p is None:
            self.show_message("请先在列表中选择一件信访举报。", error=True)
        return p

    def sort_selected(self, *, day: date, handler: str) -> pt.PetitionInfo | None:
        p = self._need()
        return p and self.run(lambda s: pt.sort_petition(s, self.actor, p.id, day=day, handler=handler,
                                                         version=p.version), done=f"{p.number} 已转送。")

    def extend_selected(self, *, days: int, reason: str) -> pt.PetitionInfo | None:
        p = self._need()
        return p and self.run(lambda s: pt.extend_petition(s, self.actor, p.id, days=days, reason=reason,
                                                           version=p.version),
                              done=f"{p.number} 已延期，请将延期理由告知信访人。")

    def reply_selected(self, *, reply: str, outcome: str, day: date | None = None,
                       satisfaction: str | None = None) -> pt.PetitionInfo | None:
        p = self._need()
        return p and self.run(lambda s: pt.reply_petition(
            s, self.actor, p.id, reply=reply, outcome=outcome, day=day, satisfaction=satisfaction,
            version=p.version), done=f"{p.number} 已答复办结。")

    def open_problem_selected(self, *, category: str, responsible: str,
                              deadline: date | None = None) -> pr.ProblemInfo | None:
        p = self._need()
        return p and self.run(lambda s: pt.open_problem(s, self.actor, p.id, category=category,
                                                        responsible=responsible, deadline=deadline),
                              done=f"{p.number} 已转入问题台账。")

    # -- dialogs
    def add_dialog(self) -> None:
        v = lc.ask(self, "登记信访举报", [
            ("channel", "来源渠道", "choice", pt.CHANNELS), ("received_date", "收到日期", "date"),
            ("anonymous", "匿名", "bool"), ("petitioner", "信访人", "text"), ("phone", "联系电话", "text"),
            ("content", "反映内容", "long"),
            ("households", "涉及家庭（户编号或身份证号，逗号分隔）", "text"),
            ("related_to", "同一事项的信访件编号（可空）", "text")])
        if v is not None:
            v["households"] = [x for x in v["households"].replace("，", ",").split(",") if x.strip()]
            v["related_to"] = v["related_to"].strip() or None
            self.add_petition(**v)

    def sort_dialog(self) -> None:
        if self._need() is not None:
            v = lc.ask(self, "登记转送", [("day", "转送日期", "date"), ("handler", "承办人", "text")])
            if v is not None:
                self.sort_selected(**v)

    def extend_dialog(self) -> None:
        if self._need() is not None:
            v = lc.ask(self, "延长办理期限（只能一次）", [("days", "延长天数", "int", (1, 30)),
                                                ("reason", "延期理由", "long")])
            if v is not None:
                self.extend_selected(**v)

    def reply_dialog(self) -> None:
        if self._need() is not None:
            v = lc.ask(self, "答复办结", [("reply", "答复内容", "long"), ("outcome", "办理结果", "choice", pt.OUTCOMES),
                                      ("day", "答复日期", "date"),
                                      ("satisfaction", "满意度", "choice", pt.SATISFACTION)])
            if v is not None:
                self.reply_selected(**v)

    def problem_dialog(self) -> None:
        if self._need() is not None:
            v = lc.ask(self, "转入问题台账", [("category", "问题类别", "choice", pr.CATEGORIES),
                                        ("responsible", "责任人", "text"),
                                        ("deadline", "整改时限", "optional_date")])
            if v is not None:
                self.open_problem_selected(**v)
