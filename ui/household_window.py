"""The household window (non-modal): fields and members with inline checks, the case
timeline, status changes with a reason, the 测算 tab, and the audit history. Save is one
transaction.

Two pairs of eyes (两人审核): a new grant (申请中→在保) and an exit (→已退出) are submitted for
review from the status dialog, and a change of category or amount of a household in force is
saved as a proposal (propose_change) instead of a direct change. A pending proposal shows in a
banner at the top, before → after side by side, with 批准 / 退回 for a 审核人 who did not propose
it and 撤回 for its proposer."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMainWindow, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from app import amountcheck, clock, history, household_save, households as hs, offices, procedure, queries, reviews
from app.assessment import approvals
from app.errors import ConflictError, PeriodLocked, PermissionDenied, QingfengError, ValidationError
from app.sync import lock
from ui import correction, dialogs, ops
from ui.context import AppContext
from ui.household_form import HouseholdForm
from ui.assessment_tab import AssessmentTab
from ui.procedure_tab import ProcedureTab
from ui.household_tabs import AuditTab, StatusDialog, StepsTab
from ui.members_editor import MembersEditor
from ui.proposal_dialog import ProposalBanner, ProposeDialog
from ui.widgets import FieldError, install_enter_moves

MEMBER_KEYS = ("name", "id_number", "relation", "lives_together", "covered", "work_ability",
               "health", "disability", "phone")
MEMBER_WORDS = ("身份证号", "姓名", "户主", "与户主关系", "成员")


def form_values(info: hs.HouseholdInfo) -> dict:
    return {"village": info.village, "urban_rural": info.urban_rural, "category": info.category,
            "classification": info.classification, "poverty_cause": info.poverty_cause,
            "monthly_amount": f"{info.monthly_amount:.2f}", "address": info.address,
            "phone": info.phone, "bank_account": info.bank_account, "apply_date": info.apply_date,
            "note": info.note}


class HouseholdWindow(QMainWindow):
    saved = Signal(str)

    def __init__(self, ctx: AppContext, household_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ctx, self.household_id = ctx, household_id
        self.info: hs.HouseholdInfo | None = None
        self.proposal: approvals.ProposalInfo | None = None
        self.loaded = self.busy = False
        self.resize(1100, 720)
        self.setWindowTitle("救助对象")
        can_edit = ctx.can("household.edit")

        self.header = QLabel("正在载入……")
        self.header.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1f3b63;")
        self.subheader = QLabel()
        self.subheader.setStyleSheet("color: #5f6b7a;")
        self.subheader.setWordWrap(True)
        self.banner = FieldError()
        self.banner.setStyleSheet("color: #b71c1c; background: #ffebee; padding: 6px; border-radius: 4px;")
        self.notice = QLabel()
        self.notice.setStyleSheet("color: #1b5e20;")
        self.notice.setWordWrap(True)
        self.form = HouseholdForm([])
        self.form.setEnabled(can_edit)
        self.members = MembersEditor(editable=can_edit)
        self.members.ask_reason = lambda name: dialogs.ask_text(
            self, "移出成员", f"移出 {name} 的原因（必填，如：死亡、迁出、分户）：")
        self.members.ask_death_date = self._ask_death_date
        self.members.dup_check = self._dup_check
        self.steps = StepsTab(ctx.actor.display_name, can_record=ctx.can("household.step"))
        self.audit = AuditTab()
        self.assessment = AssessmentTab(ctx, household_id)
        self.assessment.proposed.connect(self.reload)
        self.proposal_banner = ProposalBanner()
        self.proposal_banner.approveRequested.connect(self.approve_proposal)
        self.proposal_banner.refuseRequested.connect(self.refuse_proposal)
        self.proposal_banner.withdrawRequested.connect(self.withdraw_proposal)
        basic = QWidget()
        bl = QVBoxLayout(basic)
        bl.addWidget(self.form)
        bl.addWidget(QLabel("家庭成员（身份证号录入后立即校验；户主须且只能有一人）"))
        bl.addWidget(self.members, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(basic, "基本信息和成员")
        self.tabs.addTab(self.steps, "办理环节")
        self.tabs.addTab(self.assessment, "测算（家庭经济状况）")
        self.procedure = ProcedureTab(ctx, household_id)
        self.procedure.changed.connect(self.reload)
        self.tabs.addTab(self.procedure, "程序和时限")
        self.tabs.addTab(self.audit, "修改记录（审计）")

        self.save_button = QPushButton("保存（Ctrl+S）")
        self.revert_button = QPushButton("撤销修改（Ctrl+Z）")
        self.status_button = QPushButton("变更保障状态……")
        self.reload_button = QPushButton("重新载入")
        self.case_button = QPushButton("个案公示……")
        self.case_button.setToolTip("打印待审核事项（拟新增、拟调整、拟终止）的个案公示")
        self.case_button.setEnabled(False)
        self.case_button.clicked.connect(self.print_case_gongshi)
        close = QPushButton("关闭")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.status_button.clicked.connect(self.change_status_dialog)
        self.reload_button.clicked.connect(self.reload)
        close.clicked.connect(self.close)
        self.status_button.setEnabled(False)
        if not (ctx.can("household.status") or ctx.can("household.propose")):
            self.status_button.setToolTip("变更保障状态需要经办人（提交审核）、审核人或管理员角色")
        buttons = QHBoxLayout()
        for b in (self.save_button, self.revert_button, self.status_button, self.reload_button,
                  self.case_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.addWidget(self.header)
        lay.addWidget(self.subheader)
        lay.addWidget(self.proposal_banner)
        lay.addWidget(self.banner)
        lay.addWidget(self.notice)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(buttons)
        self.setCentralWidget(central)
        for text, keys, slot in (("保存", QKeySequence.StandardKey.Save, self.save),
                                 ("撤销修改", QKeySequence.StandardKey.Undo, self.revert)):
            action = QAction(text, self)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
        install_enter_moves(self.form)
        self.form.changed.connect(self._update_dirty)
        self.members.changed.connect(self._update_dirty)
        self.steps.recordRequested.connect(self.record_step)
        self.reload()

    # -- loading
    def reload(self) -> None:
        database, hid, office = self.ctx.database, self.household_id, self.ctx.office.code

        def query():  # noqa: ANN202
            with database.session(write=False) as s:
                pending = approvals.list_proposals(s, household_id=hid)
                return (queries.household_detail(s, hid), history.household_history(s, hid),
                        offices.list_villages(s, office), pending[0] if pending else None)

        ops.run_query(self, query, on_success=self._populate)

    def _populate(self, result) -> None:  # noqa: ANN001
        info, entries, villages, proposal = result
        self.info, self.proposal = info, proposal
        self.form.set_villages(villages)
        self.form.set_gated(info.status)
        self.revert()
        self.steps.set_steps(info.steps)
        self.audit.set_entries(entries)
        self.assessment.set_household(info)
        self.procedure.reload()
        self.proposal_banner.set_proposal(proposal, username=self.ctx.actor.username,
                                          can_approve=self.ctx.can("household.approve"),
                                          can_propose=self.ctx.can("household.propose"))
        self.status_button.setEnabled(bool(self.status_targets(info.status)) and not self.read_only)
        self.case_button.setEnabled(proposal is not None and self.ctx.can("export.personal"))
        if self.read_only:  # another office's record (DESIGN §4): the services refuse changes too
            self.form.setEnabled(False)
            self.members.setEnabled(False)
        self.loaded = True

    @property
    def read_only(self) -> bool:
        """A township's household seen at the district: changed only through its packages."""
        return self.info is not None and self.info.owner_office != self.ctx.office.code

    def status_targets(self, status: str) -> list[str]:
        """What this user may do from ``status``: direct changes and gated proposals."""
        can_status, can_propose = self.ctx.can("household.status"), self.ctx.can("household.propose")
        return [t for t in hs.TRANSITIONS.get(status, ())
                if (can_propose if hs.is_gated_transition(status, t) else can_status)]

    def _update_header(self) -> None:
        i = self.info
        if i is None:
            return
        self.header.setText(f"{i.head_name}户　户编号 {i.number}　{i.village}　状态：{i.status}"
                            + (f"　（只读副本：属于 {i.owner_office}，由该单位修改后报送）" if self.read_only else ""))
        overdue = reviews.review_overdue(i.status, i.next_review_date, clock.today())
        parts = [f"{i.category}", f"审核确认 {i.approve_date or '—'}",
                 f"上次复核 {i.last_review_date or '—'}",
                 f"下次复核 {i.next_review_date or '—'}{'（已逾期）' if overdue else ''}"]
        if i.exit_date:
            parts.append(f"退出 {i.exit_date}：{i.exit_reason or ''}")
        parts.append(f"最后修改：{i.updated_by or '—'}，版本 {i.version}")
        self.subheader.setText("　·　".join(parts))

    # -- edits
    def pending(self) -> dict:
        """What the clerk changed since the last load: household fields and members."""
        info = self.info
        assert info is not None
        before, now = form_values(info), self.form.values()
        changes = {k: v for k, v in now.items() if (v or None) != (before[k] or None)}
        by_id = {m.id: m for m in info.members}
        edited, added = [], []
        for row in self.members.rows():
            if row["relation"] == "户主" and row["name"] and row["name"] != info.head_name:
                changes["head_name"] = row["name"]
            if row["_id"] is None:
                added.append(hs.MemberInput(**{k: row[k] for k in MEMBER_KEYS}))
                continue
            old = by_id[row["_id"]]
            diff = {k: row[k] for k in MEMBER_KEYS if row[k] != getattr(old, k)}
            if diff:
                edited.append((row["_id"], row["_version"], diff))
        return {"household": changes, "edited": edited, "added": added,
                "removed": list(self.members.removed)}

    def is_dirty(self) -> bool:
        if self.info is None:
            return False
        p = self.pending()
        return any(p.values())

    def _update_dirty(self) -> None:
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty and self.ctx.can("household.edit") and not self.read_only)
        name = self.info.head_name if self.info else ""
        self.setWindowTitle(f"{'* ' if dirty else ''}{name}户 - 救助对象")

    def revert(self) -> None:
        """Undo every unsaved edit: back to the values last loaded from the database."""
        if self.info is None:
            return
        self.form.set_values(form_values(self.info))
        self.members.set_members(self.info.members)
        self.banner.show_message(None)
        self._update_header()
        self._update_dirty()

    def print_case_gongshi(self):  # noqa: ANN201
        from ui.case_gongshi import print_case_gongshi

        return print_case_gongshi(self, self.ctx, self.household_id, self.info.number)

    def _ask_death_date(self, name: str) -> date | None:
        """The date of death of a member removed for 死亡 (the 月报 reports it under that day)."""
        text = dialogs.ask_text(self, "移出成员", f"{name} 的死亡日期（必填，YYYY-MM-DD）：",
                                clock.today().isoformat())
        if text is None:
            return None
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            dialogs.error(self, f"死亡日期“{text}”格式不对，应为 YYYY-MM-DD，如 2026-11-05。")
            return None
        if day > clock.today():
            dialogs.error(self, f"死亡日期 {day} 不能晚于今天。")
            return None
        return day

    def _dup_check(self, row: int, number: str) -> None:
        database, hid = self.ctx.database, self.household_id

        def query() -> None:
            with database.session(write=False) as s:
                hs.one_person_one_household(s, number, household_id=hid)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                self.members.set_row_error(row, exc.rule)
                return True
            return False

        ops.run_query(self, query, on_success=lambda _r: self.members.set_row_error(row, None),
                      on_failure=failed)

    # -- save
    def save(self) -> None:
        if self.info is None or self.busy:
            return
        self.banner.show_message(None)
        self.notice.clear()
        form_ok, members_ok = self.form.check(), self.members.check_all()
        if not (form_ok and members_ok):
            self.banner.show_message("有标红的项目需要改正，修改尚未保存。")
            return
        p = self.pending()
        if not any(p.values()):
            self.notice.setText("没有需要保存的修改。")
            return
        gated = self.gated_changes(p["household"])
        if gated:
            if not self.ctx.can("household.propose"):
                self.banner.show_message(
                    f"未保存：该户当前“{self.info.status}”，{'、'.join(hs.GATED_FIELDS[k] for k in gated)}"
                    "的变更须经审核人批准，需由经办人或审核人提交审核；你的角色不能提交。")
                return
            if self.proposal is not None:
                self.banner.show_message(f"未保存：该户已有待审核的提议（{self.proposal.kind}），"
                                         "请先审核或撤回该提议，再提交新的变更。")
                return
            self.change_dialog(p, gated)
            return
        self._write(p, None)

    def gated_changes(self, changes: dict) -> dict:
        """Category/amount changes of a household in force: these go to review, not to save."""
        if self.info is None or self.info.status not in hs.IN_FORCE:
            return {}
        return {k: changes[k] for k in hs.GATED_FIELDS if k in changes}

    def change_dialog(self, p: dict, gated: dict) -> ProposeDialog:
        """Ask the effective date and reason of a category/amount change, then save the other
        edits and submit the change for review in one transaction."""
        info = self.info
        pairs = [(hs.GATED_FIELDS[k], f"{info.monthly_amount:.2f}" if k == "monthly_amount"
                  else info.category, gated.get(k, f"{info.monthly_amount:.2f}"
                                                if k == "monthly_amount" else info.category))
                 for k in hs.GATED_FIELDS]
        others = [k for k in p["household"] if k not in gated] or p["edited"] or p["added"] \
            or p["removed"]
        note = ("须经审核人批准：保障类别和月保障金额的变更提交后由另一名审核人审核，批准后才生效。"
                + ("其余修改现在直接保存。" if others else ""))
        dlg = ProposeDialog("提交审核：变更保障类别或金额", pairs, self, note=note)
        dlg.accepted.connect(lambda: self._write(p, dict(gated, **dlg.values())))
        dlg.open()
        return dlg

    def _write(self, p: dict, proposal: dict | None) -> None:
        ctx, hid, version = self.ctx, self.household_id, self.info.version
        direct = {k: v for k, v in p["household"].items()
                  if proposal is None or k not in hs.GATED_FIELDS}

        def work(_progress, _cancelled) -> list[str]:  # noqa: ANN001
            with ctx.database.session() as s:  # one transaction (app.household_save)
                return household_save.save_household(
                    s, ctx.actor, hid, version=version, changes=direct,
                    removed=[(mid, reason, died) for mid, _v, _name, reason, died in p["removed"]],
                    edited=p["edited"], added=p["added"], proposal=proposal)

        self.busy = True
        ops.run_op(self, work, label="正在保存……", on_success=self._saved,
                   on_failure=self._save_failed, cancellable=False)

    def _saved(self, notices: list[str]) -> None:
        self.busy = False
        self.notice.setText("已保存。" + ("；".join(notices) if notices else ""))
        self.ctx.changed.emit("households")
        self.saved.emit(self.household_id)
        self.reload()

    def _save_failed(self, exc: BaseException) -> bool:
        self.busy = False
        return self.show_service_error(exc)

    def show_service_error(self, exc: BaseException) -> bool:
        """Put a service error next to its field, or in the banner; edits stay on screen."""
        if isinstance(exc, ConflictError):
            self.banner.show_message(f"保存未成功：{exc}\n你的修改仍在屏幕上，没有丢失：可以先记下，"
                                     "点“重新载入”查看对方的修改后再改。")
            dialogs.error(self, f"{exc}\n\n你的修改仍保留在窗口中。")
            return True
        if isinstance(exc, ValidationError):
            message = f"{exc.rule}（{exc.field}）"
            if self.form.show_service_error(exc.field, exc.rule):
                pass
            elif any(w in exc.field for w in MEMBER_WORDS):
                self.members.show_errors(str(exc))
            else:
                self.banner.show_message(f"未保存：{exc}")
                return True
            self.banner.show_message(f"未保存：{message}")
            return True
        if isinstance(exc, (PermissionDenied, QingfengError)):
            self.banner.show_message(f"未保存：{exc}")
            return True
        return False

    # -- steps and status
    def _needs_clean(self, what: str) -> bool:
        if self.is_dirty():
            self.banner.show_message(f"有未保存的修改：请先保存或撤销修改，再{what}。")
            return True
        return False

    def record_step(self, values: dict, reason: str | None = None) -> None:
        if self.info is None or self._needs_clean("登记办理环节"):
            return
        ctx, hid = self.ctx, self.household_id

        def work(_p, _c) -> None:  # noqa: ANN001
            def write(s) -> None:  # noqa: ANN001
                hs.record_step(s, ctx.actor, hid, **values)
            with ctx.database.session() as s:
                (lock.as_correction(write, ctx.actor, reason) if reason else write)(s)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, PeriodLocked) and reason is None:  # a reported month: ask why, then again
                again = correction.ask_reason(self, exc)
                if again:
                    self.record_step(values, again)
                    return True
            if isinstance(exc, ValidationError):
                self.steps.show_service_error(exc.field, exc.rule)
                return True
            return self.show_service_error(exc)

        def done(_r: object) -> None:
            self.steps.recorded()
            self.notice.setText(f"已登记环节：{values['kind']}。")
            ctx.changed.emit("households")
            self.reload()

        ops.run_op(self, work, label="正在登记……", on_success=done, on_failure=failed,
                   cancellable=False)

    def change_status_dialog(self) -> StatusDialog | None:
        if self.info is None or not self.status_targets(self.info.status) \
                or self._needs_clean("变更保障状态"):
            return None
        i = self.info
        dlg = StatusDialog(i.status, self, can_status=self.ctx.can("household.status"),
                           can_propose=self.ctx.can("household.propose"),
                           grant_summary=f"纳入后：{i.category}，月保障金额 {i.monthly_amount:.2f} 元"
                                         "（按申请内容；如需改动请先修改并保存，或在“测算”页按测算结果提议）。")
        dlg.accepted.connect(lambda: self.change_status(**dlg.values(), proposal=dlg.is_proposal()))
        dlg.open()
        return dlg

    def change_status(self, *, status: str, reason: str, day: date, proposal: bool = False,
                      over_reason: str | None = None) -> None:
        ctx, hid, version = self.ctx, self.household_id, self.info.version

        def work(_p, _c) -> None:  # noqa: ANN001
            with ctx.database.session() as s:
                if proposal:
                    approvals.propose_status(s, ctx.actor, hid, status=status, reason=reason, day=day,
                                             over_reason=over_reason)
                else:
                    hs.change_status(s, ctx.actor, hid, status=status, reason=reason, day=day,
                                     expected_version=version)

        def done(_r: object) -> None:
            self.notice.setText(f"已提交审核：变更为“{status}”，须经审核人批准后生效。" if proposal
                                else f"保障状态已变更为“{status}”，原因已记入办理环节。")
            ctx.changed.emit("households")
            self.reload()

        def failed(exc: BaseException) -> bool:
            if proposal and not over_reason and isinstance(exc, ValidationError) \
                    and exc.rule.startswith(amountcheck.RULE):
                text = dialogs.ask_text(self, "不按标施保", f"{exc.rule}\n\n如确需按此金额提交，请写明书面理由"
                                        "（记入审计，审核人可见）：")
                if (text or "").strip():
                    self.change_status(status=status, reason=reason, day=day, proposal=True, over_reason=text)
                    return True
            return self.show_service_error(exc)

        ops.run_op(self, work, label="正在变更状态……", on_success=done, on_failure=failed,
                   cancellable=False)

    # -- two pairs of eyes: decide or withdraw the pending proposal
    def _decide(self, label: str, call, done_text: str) -> None:  # noqa: ANN001
        p = self.proposal
        if p is None or self.busy:
            return
        ctx = self.ctx

        def work(_p, _c) -> approvals.ProposalInfo:  # noqa: ANN001
            with ctx.database.session() as s:
                return call(s, ctx.actor, p)

        def done(_r: object) -> None:
            self.busy = False
            self.notice.setText(done_text)
            ctx.changed.emit("households")
            self.saved.emit(self.household_id)
            self.reload()

        def failed(exc: BaseException) -> bool:
            self.busy = False
            if isinstance(exc, QingfengError):
                self.proposal_banner.error.show_message(f"未完成：{exc}")
                return True
            return False

        self.proposal_banner.error.show_message(None)
        self.busy = True
        ops.run_op(self, work, label=label, on_success=done, on_failure=failed, cancellable=False)

    def approve_proposal(self) -> None:
        p = self.proposal
        if p is None or self._needs_clean("处理审核提议"):
            return
        with self.ctx.database.session(write=False) as s:
            missing = procedure.missing_for_proposal(s, p.id)
        override = None
        if missing:
            override = dialogs.ask_text(
                self, "办理程序未完成", "以下环节未完成：\n" + "\n".join(m.text for m in missing)
                + "\n\n紧急情况（先行救助）可由审核人填写书面理由后批准，批准将记为督导检查发现，"
                "并须在规定工作日内补办；否则请取消并先补齐环节。书面理由：")
            if not (override or "").strip():
                self.proposal_banner.error.show_message(
                    "办理程序未完成，提议未批准：" + "；".join(m.step for m in missing))
                return
        elif not dialogs.confirm(self, f"批准{p.head_name}户的“{p.kind}”提议？批准后立即生效并记入审计。"):
            return
        self._decide("正在批准……", lambda s, a, p: approvals.approve(
            s, a, p.id, expected_version=p.version, override_reason=override),
            f"已批准“{p.kind}”提议，已生效。" + ("（先行救助：已记为督导检查发现，须补办程序）" if override else ""))

    def refuse_proposal(self) -> None:
        p = self.proposal
        if p is None or self._needs_clean("处理审核提议"):
            return
        reason = dialogs.ask_text(self, "退回提议", f"退回“{p.kind}”提议的理由（必填，将告知提出人 {p.proposed_by}）：")
        if reason is None:
            return
        if not reason.strip():
            self.proposal_banner.error.show_message("退回提议必须写明理由，提议未退回。")
            return
        self._decide("正在退回……", lambda s, a, p: approvals.refuse(s, a, p.id, reason=reason),
                     f"已退回“{p.kind}”提议：{reason.strip()}")

    def withdraw_proposal(self) -> None:
        p = self.proposal
        if p is None or self._needs_clean("处理审核提议"):
            return
        reason = dialogs.ask_text(self, "撤回提议", f"撤回“{p.kind}”提议的原因（必填）：")
        if reason is None:
            return
        if not reason.strip():
            self.proposal_banner.error.show_message("撤回提议必须填写原因，提议未撤回。")
            return
        self._decide("正在撤回……", lambda s, a, p: approvals.withdraw(s, a, p.id, reason=reason),
                     f"已撤回“{p.kind}”提议。")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.is_dirty() and not dialogs.confirm(self, "有未保存的修改，关闭将丢弃这些修改。确定关闭吗？"):
            event.ignore()
            return
        super().closeEvent(event)
