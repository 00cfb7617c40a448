"""信访举报 page: petitions with their time limits, repeats (重点), handling, reply, export."""
from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget)

from app.errors import QingfengError
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.permissions import Actor
from app import clock
from ui import widgets
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
        # ui.widgets.combo: the "all" item carries "" (never None, see ui/__init__.py)
        self.state = widgets.combo(list(pt.STATES), first=lc.ALL)
        self.channel = widgets.combo(list(pt.CHANNELS), first=lc.ALL)
        self.village = widgets.combo([], first=lc.ALL)  # filled by load_villages
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
            "feedback": lc.button("回访与复查复核", self.feedback_dialog, edit),
            "problem": lc.button("转入问题台账", self.problem_dialog, edit),
            "export": lc.button("导出 Excel", self.export, self.can("export.personal")),
        }
        self.assemble([("状态", self.state), ("渠道", self.channel), ("村（居）", self.village),
                       (None, self.handler), (None, self.search), (None, self.priority),
                       (None, self.overdue)], self.detail_split())

    def filters(self) -> dict:
        return dict(state=widgets.value(self.state), channel=widgets.value(self.channel),
                    village=widgets.value(self.village), handler=self.handler.text().strip() or None,
                    priority_only=self.priority.isChecked(), overdue_only=self.overdue.isChecked(),
                    text=self.search.text().strip() or None)

    export_filters = filters

    def refresh(self) -> None:
        filters = self.filters()
        self.load(lambda s: pt.list_petitions(s, **filters), self.show_rows)

    def show_rows(self, rows: list[pt.PetitionInfo]) -> None:
        current = self.current()
        self.model.set_rows(rows)
        self.count.setText(f"共 {len(rows)} 件，重点 {sum(r.priority for r in rows)} 件")
        self.reselect(current.number if current else None)
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
                         f"满意度：{escape(p.satisfaction or '未评价')}）</p>")
            lines.extend(f"<p>{line}</p>" for line in review_lines(p, clock.today()))
        if p.related:
            lines.append(f"<p>同一事项共反映 {p.repeat_count} 次：{escape('、'.join(p.related))}</p>")
        if p.problem_id:
            lines.append("<p>已转入问题台账。</p>")
        self.detail.setHtml("".join(lines))

    # -- actions (each runs off the UI thread; ``form`` stays open on a refusal)
    def add_petition(self, form: lc.FormDialog | None = None, **values: object):  # noqa: ANN201
        actor = self.actor

        def added(info: pt.PetitionInfo) -> None:
            self.select_later(info.number)
            if info.priority:
                self.show_message(f"已登记 {info.number}；同一事项已反映 {info.repeat_count} 次，已标注为重点。")

        return self.run(lambda s: pt.create_petition(s, actor, **values), done="已登记信访举报。",
                        form=form, then=added)

    def _need(self) -> pt.PetitionInfo | None:
        p = self.current()
        if p is None:
            self.show_message("请先在列表中选择一件信访举报。", error=True)
        return p

    def sort_selected(self, *, day: date, handler: str, form: lc.FormDialog | None = None):  # noqa: ANN201
        p, actor = self._need(), self.actor
        return p and self.run(lambda s: pt.sort_petition(s, actor, p.id, day=day, handler=handler,
                                                         version=p.version), done=f"{p.number} 已转送。",
                              form=form)

    def extend_selected(self, *, days: int, reason: str, form: lc.FormDialog | None = None):  # noqa: ANN201
        p, actor = self._need(), self.actor
        return p and self.run(lambda s: pt.extend_petition(s, actor, p.id, days=days, reason=reason,
                                                           version=p.version),
                              done=f"{p.number} 已延期，请将延期理由告知信访人。", form=form)

    def reply_selected(self, *, reply: str, outcome: str, day: date | None = None,
                       satisfaction: str | None = None, form: lc.FormDialog | None = None):  # noqa: ANN201
        p, actor = self._need(), self.actor
        return p and self.run(lambda s: pt.reply_petition(
            s, actor, p.id, reply=reply, outcome=outcome, day=day, satisfaction=satisfaction,
            version=p.version), done=f"{p.number} 已答复办结。", form=form)

    def feedback_selected(self, *, satisfaction: str | None = None, stage: str | None = None,
                          requested: date | None = None, replied: date | None = None,
                          form: "FeedbackDialog | None" = None):  # noqa: ANN201
        """回访 satisfaction and 复查/复核 dates through :func:`app.ledgers.petitions.record_feedback`."""
        p, actor = self._need(), self.actor
        if p is None:
            return None
        if satisfaction is None and stage is None:
            text = "没有要登记的内容：请选择满意度，或选择复查/复核并填写日期。"
            if form is not None:
                form.refused(QingfengError(text))
            self.show_message(text, error=True)
            return None
        return self.run(lambda s: pt.record_feedback(s, actor, p.id, satisfaction=satisfaction,
                                                     stage=stage, requested=requested, replied=replied),
                        done=f"{p.number} 的回访和复查复核情况已登记。", form=form)

    def open_problem_selected(self, *, category: str, responsible: str,
                              deadline: date | None = None, form: lc.FormDialog | None = None):  # noqa: ANN201
        p, actor = self._need(), self.actor
        return p and self.run(lambda s: pt.open_problem(s, actor, p.id, category=category,
                                                        responsible=responsible, deadline=deadline),
                              done=f"{p.number} 已转入问题台账。", form=form)

    # -- dialogs: they stay open until the service accepts what was typed
    def add_dialog(self) -> lc.FormDialog:
        def submit(v: dict, form: lc.FormDialog) -> None:
            v["households"] = [x for x in v["households"].replace("，", ",").split(",") if x.strip()]
            v["related_to"] = v["related_to"].strip() or None
            self.add_petition(form=form, **v)

        return lc.ask(self, "登记信访举报", [
            ("channel", "来源渠道", "choice", pt.CHANNELS), ("received_date", "收到日期", "date"),
            ("anonymous", "匿名", "bool"), ("petitioner", "信访人", "text"), ("phone", "联系电话", "text"),
            ("content", "反映内容", "long"),
            ("households", "关联家庭（户编号或身份证号，逗号分隔）", "text"),
            ("related_to", "同一事项的信访件编号（可空）", "text")], submit)

    def sort_dialog(self) -> lc.FormDialog | None:
        if self._need() is None:
            return None
        return lc.ask(self, "登记转送", [("day", "转送日期", "date"), ("handler", "承办人", "text")],
                      lambda v, form: self.sort_selected(form=form, **v))

    def extend_dialog(self) -> lc.FormDialog | None:
        if self._need() is None:
            return None
        return lc.ask(self, "延长办理期限（只能一次）", [("days", "延长天数", "int", (1, 30)),
                                               ("reason", "延期理由", "long")],
                      lambda v, form: self.extend_selected(form=form, **v))

    def reply_dialog(self) -> lc.FormDialog | None:
        if self._need() is None:
            return None
        return lc.ask(self, "答复办结", [("reply", "答复内容", "long"), ("outcome", "办理结果", "choice", pt.OUTCOMES),
                                     ("day", "答复日期", "date"),
                                     ("satisfaction", "满意度", "choice", pt.SATISFACTION)],
                      lambda v, form: self.reply_selected(form=form, **v))

    def feedback_dialog(self) -> "FeedbackDialog | None":
        p = self._need()
        if p is None:
            return None
        if p.state != pt.CONCLUDED:
            self.show_message(f"{p.number} 尚未答复办结：答复办结后才能登记满意度和复查复核。", error=True)
            return None
        dlg = FeedbackDialog(p, self, submit=lambda v, form: self.feedback_selected(form=form, **v))
        dlg.open()
        return dlg

    def problem_dialog(self) -> lc.FormDialog | None:
        if self._need() is None:
            return None
        return lc.ask(self, "转入问题台账", [("category", "问题类别", "choice", pr.CATEGORIES),
                                       ("responsible", "责任人", "text"),
                                       ("deadline", "整改时限", "optional_date")],
                      lambda v, form: self.open_problem_selected(form=form, **v))


def _due(day: date | None, today: date) -> str:
    if day is None:
        return "—"
    left = (day - today).days
    if left < 0:
        return f"{day}（<b style='color:#c62828'>已过 {-left} 天</b>）"
    return f"{day}（还有 {left} 天）" if left else f"{day}（今天）"


def review_lines(p: pt.PetitionInfo, today: date) -> list[str]:
    """The 复查/复核 stages of a concluded petition with their time limits, as HTML lines."""
    d = p.deadlines
    out = []
    if p.review_requested is None:
        out.append(f"复查：未申请；申请期限 {_due(d.review_request_due, today)}")
    else:
        answer = (f"已于 {p.review_replied} 答复" if p.review_replied
                  else f"答复期限 {_due(d.review_answer_due, today)}")
        out.append(f"复查：{p.review_requested} 申请，{answer}")
        if p.review_replied:
            if p.rereview_requested is None:
                out.append(f"复核：未申请；申请期限 {_due(d.rereview_request_due, today)}")
            else:
                answer = (f"已于 {p.rereview_replied} 答复" if p.rereview_replied
                          else f"答复期限 {_due(d.rereview_answer_due, today)}")
                out.append(f"复核：{p.rereview_requested} 申请，{answer}")
    return out


class FeedbackDialog(QDialog):
    """回访 satisfaction and the dates of a 复查/复核 request and its answer, with the time limits."""

    KEEP = "（不变）"
    NO_STAGE = "（不登记复查复核）"

    def __init__(self, p: pt.PetitionInfo, parent: QWidget | None = None, submit=None):  # noqa: ANN001
        super().__init__(parent)
        self.p, self.submit_to = p, submit
        self.message = widgets.FieldError()
        self.setWindowTitle(f"回访与复查复核 — {p.number}")
        self.setMinimumWidth(480)
        info = QLabel(f"<b>{escape(p.number)}</b>　{escape(p.petitioner)}，答复于 {p.reply_date}"
                      f"（{escape(p.outcome or '')}）<br>" + "<br>".join(review_lines(p, clock.today())))
        info.setWordWrap(True)
        limits = QLabel("《信访工作条例》：信访人对答复不服的，可在收到答复之日起 30 日内申请复查，复查机关 "
                        "30 日内答复；对复查意见不服的，可在 30 日内申请复核，复核机关 30 日内答复。")
        limits.setWordWrap(True)
        limits.setStyleSheet("color: #5f6b7a;")
        self.satisfaction = widgets.combo(list(pt.SATISFACTION), first=self.KEEP, current=p.satisfaction)
        self.stage = widgets.combo(list(pt.REVIEW_STAGES), first=self.NO_STAGE)
        self.requested, self.replied = widgets.date_edit(), widgets.date_edit()
        self.has_requested, self.has_replied = QCheckBox("登记申请日期"), QCheckBox("登记答复日期")
        self.stage_box = QGroupBox("复查 / 复核")
        form = QFormLayout(self.stage_box)
        form.addRow("阶段", self.stage)
        for box, edit, label in ((self.has_requested, self.requested, "申请日期"),
                                 (self.has_replied, self.replied, "答复日期")):
            row = QWidget()
            lay = QHBoxLayout(row)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(box)
            lay.addWidget(edit, 1)
            box.toggled.connect(edit.setEnabled)
            form.addRow(label, row)
        self.stage_limit = QLabel()
        self.stage_limit.setWordWrap(True)
        form.addRow("", self.stage_limit)
        self.stage.currentIndexChanged.connect(lambda _i: self._stage_changed())
        top = QFormLayout()
        top.addRow("回访满意度", self.satisfaction)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        lay = QVBoxLayout(self)
        lay.addWidget(info)
        lay.addWidget(limits)
        lay.addLayout(top)
        lay.addWidget(self.stage_box)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        # the next open stage is proposed
        if p.review_requested and not p.review_replied:
            widgets.set_combo(self.stage, "复查")
        elif p.rereview_requested and not p.rereview_replied:
            widgets.set_combo(self.stage, "复核")
        self._stage_changed()

    def _stage_changed(self) -> None:
        stage, p, d = widgets.value(self.stage), self.p, self.p.deadlines
        requested, replied = ((p.review_requested, p.review_replied) if stage == "复查"
                              else (p.rereview_requested, p.rereview_replied) if stage == "复核" else (None, None))
        for box, edit, day in ((self.has_requested, self.requested, requested),
                               (self.has_replied, self.replied, replied)):
            box.setEnabled(stage is not None)
            box.setChecked(stage is not None and (day is not None or (box is self.has_requested and requested is None)))
            edit.setDate(QDate(day or clock.today()))
            edit.setEnabled(box.isChecked())
        today = clock.today()
        if stage == "复查":
            text = f"复查申请期限 {_due(d.review_request_due, today)}"
            if p.review_requested:
                text += f"；复查答复期限 {_due(d.review_answer_due, today)}"
        elif stage == "复核":
            text = (f"复核申请期限 {_due(d.rereview_request_due, today)}" if d.rereview_request_due
                    else "复核须在复查答复之后申请。")
            if p.rereview_requested:
                text += f"；复核答复期限 {_due(d.rereview_answer_due, today)}"
        else:
            text = ""
        self.stage_limit.setText(text)

    def submit(self) -> None:
        """保存: the page saves off the UI thread; a refusal shows here and the form stays."""
        if self.submit_to is None:
            self.accept()
            return
        self.message.show_message(None)
        self.buttons.setEnabled(False)
        self.submit_to(self.values(), self)

    def refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.show_message(str(exc))

    def succeeded(self) -> None:
        self.buttons.setEnabled(True)
        self.accept()

    def values(self) -> dict:
        stage, satisfaction = widgets.value(self.stage), widgets.value(self.satisfaction)
        return dict(satisfaction=None if satisfaction == self.p.satisfaction else satisfaction, stage=stage,
                    requested=self.requested.date().toPython() if stage and self.has_requested.isChecked() else None,
                    replied=self.replied.date().toPython() if stage and self.has_replied.isChecked() else None)
