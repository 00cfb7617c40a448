"""Procedure gates: no step skipped ("步步有痕迹、环环能倒查" as a rule, not only a record).

Which steps a decision needs is a setting per 保障类别 (``procedure_steps``, ``exit_steps``). Each
step carries its structured fields (the platform's report number of the 家庭经济状况核对, the
signers of the 入户调查, the township staff member present at the 民主评议, the 公示 period and
any objection), checked when the step is recorded. A grant whose steps are incomplete is refused,
naming the missing step; a 审核人 may approve anyway with a written reason (先行救助): the
override is audited, listed as a finding for supervision, and opens a task to complete the steps
within ``first_aid_completion_working_days`` working days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, casetasks, codes, rulesettings
from app.errors import ValidationError
from app.permissions import Actor, require
from db.models import Household, Member, Step
from db.procedure_models import ProcedureOverride, StepDetail

# the named rules (each refusal names one)
RULE_ORDER = "环节不得早于受理（先受理、后核对调查）"
RULE_SIGNERS = "入户调查须由至少 {n} 名工作人员签字"
RULE_REPORT = "家庭经济状况核对须有核对平台的报告编号（逢进必核）"
RULE_ATTENDEE = "民主评议须有乡镇（街道）工作人员参加并记录姓名"
RULE_PERIOD = "公示期不少于 {n} 天（日历日）"
RULE_FINISHED = "公示期满（{end} 结束）后方可审核确认"
RULE_OBJECTION = "公示期间的异议须复查处理完毕"
RULE_EXTENSION = "情况复杂延长审核确认期限须写明理由（说明栏）"
CASE_KINDS = ("家庭经济状况核对", "入户调查", "民主评议", "公示", "审核确认", "终止公示", "异议复查",
              "告知", "延期")


@dataclass(frozen=True)
class Missing:
    step: str
    rule: str

    @property
    def text(self) -> str:
        return f"{self.step}（{self.rule}）"


@dataclass(frozen=True)
class StepCheck:
    """One required step of a household's decision and whether it is done."""

    step: str
    done: bool
    day: date | None
    detail: str  # what was recorded, or what is missing


# ---------------------------------------------------------------- settings

def required_steps(session: Session, category: str) -> list[str]:
    """The steps a grant of ``category`` needs (setting ``procedure_steps``; "*" = the others).

    民主评议 only where the office holds one (setting ``democratic_review_held``)."""
    table = rulesettings.get(session, "procedure_steps")
    steps = list(table.get(category, table.get("*", [])))
    if rulesettings.get(session, "democratic_review_held") != "是":
        steps = [s for s in steps if s != "民主评议"]
    return steps


def required_exit_steps(session: Session, category: str) -> list[str]:
    """The steps an exit of ``category`` needs (setting ``exit_steps``: 终止公示 for 特困)."""
    table = rulesettings.get(session, "exit_steps")
    return list(table.get(category, table.get("*", [])))


# ---------------------------------------------------------------- recording a step

def split_names(value: object) -> list[str]:
    """Names typed with 、，, ; or spaces between them, blanks dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        for sep in ("，", ",", "；", ";", " "):
            value = value.replace(sep, "、")
        value = value.split("、")
    return [n for n in ("".join(str(v).split()) for v in value) if n]


def acceptance_day(session: Session, hh: Household) -> date | None:
    """The 受理 of the current application (the first one on or after its 申请)."""
    stmt = select(Step.day).where(Step.household_id == hh.id, Step.kind == "受理",
                                  Step.deleted_at.is_(None))
    if hh.apply_date:
        stmt = stmt.where(Step.day >= hh.apply_date)
    return session.execute(stmt.order_by(Step.day).limit(1)).scalar_one_or_none()


def check_step(session: Session, hh: Household, *, kind: str, day: date, handler: str,
               report_number: str | None = None, signers: object = None,
               attendee: str | None = None, period_days: int | None = None,
               note: str | None = None) -> dict | None:
    """Validate the structured fields of a step before anything is written; the detail values
    to store (None when the kind has none). Each refusal names its rule."""
    accepted = acceptance_day(session, hh) if kind in CASE_KINDS else None
    if accepted is not None and day < accepted:
        raise ValidationError("办理日期", day.isoformat(), f"{RULE_ORDER}：受理日期为 {accepted}")
    values: dict = {}
    if kind == "延期" and not (note or "").strip():
        raise ValidationError("延期理由", note, RULE_EXTENSION)
    if kind == "家庭经济状况核对" or kind == "在保核对":
        number = (report_number or "").strip()
        if not number:
            raise ValidationError("核对报告编号", report_number, RULE_REPORT)
        values["report_number"] = number[:60]
    if kind in ("入户调查", "县级入户核查"):
        names = split_names(signers) or [handler]
        need = rulesettings.get(session, "home_visit_min_signers")
        if len(set(names)) < need:
            raise ValidationError("调查人员签字", "、".join(names), RULE_SIGNERS.format(n=need))
        values["signers"] = "、".join(dict.fromkeys(names))[:200]
    if kind == "民主评议":
        who = "".join((attendee or "").split())
        if not who:
            raise ValidationError("参加评议的乡镇工作人员", attendee, RULE_ATTENDEE)
        values["attendee"] = who[:60]
    if kind in ("公示", "终止公示"):
        need = rulesettings.get(session, "gongshi_days")
        days = need if period_days in (None, "") else period_days
        if not isinstance(days, int) or isinstance(days, bool) or days < need:
            raise ValidationError("公示天数", period_days, RULE_PERIOD.format(n=need))
        values["period_days"] = days
    return values or None


def save_detail(session: Session, actor: Actor, step: Step, values: dict | None) -> None:
    if not values:
        return
    detail = StepDetail(owner_office=step.owner_office, step_id=step.id, household_id=step.household_id,
                        updated_by=actor.username, **values)
    session.add(detail)
    audit.record_change(session, actor, "step.detail", "step_detail", detail, None)


def after_step(session: Session, actor: Actor, hh: Household, step: Step) -> None:
    """A recorded step may complete a tracked task (补办程序, 在保核对, 书面告知, 县级入户核查)."""
    if step.kind not in casetasks.ANSWERING_KINDS:
        return
    casetasks.on_step(session, actor, hh, step, missing=lambda: missing_for_grant(
        session, hh, hh.category, step.day))


# ---------------------------------------------------------------- objections during 公示

def _detail(session: Session, step_id: str) -> StepDetail:
    d = session.execute(select(StepDetail).where(StepDetail.step_id == step_id)).scalar_one_or_none()
    step = session.get(Step, step_id)
    if step is None or step.kind not in ("公示", "终止公示"):
        raise ValidationError("公示环节", step_id, "找不到该公示环节")
    if d is None:
        d = StepDetail(owner_office=step.owner_office, step_id=step.id, household_id=step.household_id,
                       period_days=rulesettings.get(session, "gongshi_days"))
        session.add(d)
        session.flush()
    return d


def record_objection(session: Session, actor: Actor, step_id: str, *, day: date, objection: str,
                     today: date) -> None:
    """An objection raised during a 公示: the decision waits until it is re-investigated."""
    require(actor, "household.step")
    d = _detail(session, step_id)
    step = session.get(Step, step_id)
    if day > today:
        raise ValidationError("异议日期", day.isoformat(), "不能晚于今天")
    if day < step.day:
        raise ValidationError("异议日期", day.isoformat(), f"不能早于公示开始日期 {step.day}")
    if not (objection or "").strip():
        raise ValidationError("异议内容", objection, "必须填写")
    before = audit.state(d)
    d.objection, d.objection_date, d.objection_resolved, d.resolution = objection.strip(), day, None, None
    d.updated_by = actor.username
    audit.record_change(session, actor, "step.objection", "step_detail", d, before)


def resolve_objection(session: Session, actor: Actor, step_id: str, *, day: date, resolution: str,
                      today: date) -> None:
    """The objection re-investigated (异议复查): recorded as a step and on the 公示."""
    from app import households as hs

    d = _detail(session, step_id)
    if d.objection_date is None:
        raise ValidationError("异议", None, "该公示没有登记异议")
    if day < d.objection_date or day > today:
        raise ValidationError("复查日期", day.isoformat(), f"应在异议日期 {d.objection_date} 与今天之间")
    if not (resolution or "").strip():
        raise ValidationError("复查结论", resolution, "必须填写")
    before = audit.state(d)
    d.objection_resolved, d.resolution, d.updated_by = day, resolution.strip(), actor.username
    audit.record_change(session, actor, "step.objection", "step_detail", d, before)
    hs.record_step(session, actor, d.household_id, kind="异议复查", day=day, handler=actor.display_name,
                   outcome=resolution.strip()[:60], today=today)


# ---------------------------------------------------------------- the gates

def _steps(session: Session, hh: Household, since: date | None, until: date) -> list[tuple[Step, StepDetail | None]]:
    stmt = (select(Step, StepDetail).outerjoin(StepDetail, StepDetail.step_id == Step.id)
            .where(Step.household_id == hh.id, Step.deleted_at.is_(None), Step.day <= until))
    if since:
        stmt = stmt.where(Step.day >= since)
    return list(session.execute(stmt.order_by(Step.day, Step.created_at)).all())


def _all_minors(session: Session, hh: Household, day: date) -> bool:
    births = session.execute(select(Member.birth_date).where(
        Member.household_id == hh.id, Member.deleted_at.is_(None), Member.covered.is_(True))).scalars().all()
    return bool(births) and all(b is not None and (day.year - b.year - ((day.month, day.day) < (b.month, b.day))) < 18
                                for b in births)


def gongshi_end(step_day: date, period_days: int) -> date:
    """The last day of a 公示 of ``period_days`` calendar days starting on ``step_day``."""
    return step_day + timedelta(days=period_days - 1)


def checklist(session: Session, hh: Household, category: str, day: date, *,
              steps: list[str] | None = None, since: date | None = None) -> list[StepCheck]:
    """Each required step of a decision on ``day``: done (with what was recorded) or not."""
    since = hh.apply_date if since is None else since
    rows = _steps(session, hh, since, day)
    need_signers = rulesettings.get(session, "home_visit_min_signers")
    out = []
    for name in (required_steps(session, category) if steps is None else steps):
        found = [(s, d) for s, d in rows if s.kind == name]
        if name == "公示" and codes.is_tekun(category) and _all_minors(session, hh, day):
            out.append(StepCheck(name, True, None, "未成年人不公示（《特困人员认定办法》）"))
            continue
        if name == "受理":
            ok = [(s, d) for s, d in found if (s.outcome or "") != "不予受理"]
            out.append(StepCheck(name, bool(ok), ok[0][0].day if ok else None,
                                 f"{ok[0][0].day} {ok[0][0].handler}" if ok else "未受理"))
        elif name in ("家庭经济状况核对",):
            ok = [(s, d) for s, d in found if d is not None and d.report_number]
            out.append(StepCheck(name, bool(ok), ok[-1][0].day if ok else None,
                                 f"报告编号 {ok[-1][1].report_number}" if ok else RULE_REPORT))
        elif name == "入户调查":
            ok = [(s, d) for s, d in found if d is not None and d.signers
                  and len(d.signers.split("、")) >= need_signers]
            out.append(StepCheck(name, bool(ok), ok[-1][0].day if ok else None,
                                 f"签字：{ok[-1][1].signers}" if ok else RULE_SIGNERS.format(n=need_signers)))
        elif name == "民主评议":
            ok = [(s, d) for s, d in found if d is not None and d.attendee]
            out.append(StepCheck(name, bool(ok), ok[-1][0].day if ok else None,
                                 f"乡镇参加人员：{ok[-1][1].attendee}" if ok else RULE_ATTENDEE))
        else:  # 公示 / 终止公示
            out.append(_gongshi_check(session, name, found, day))
    return out


def _gongshi_check(session: Session, name: str, found: list, day: date) -> StepCheck:
    need = rulesettings.get(session, "gongshi_days")
    if not found:
        return StepCheck(name, False, None, f"未{name}（{RULE_PERIOD.format(n=need)}）")
    step, d = found[-1]
    period = d.period_days if d is not None and d.period_days else need
    end = gongshi_end(step.day, period)
    if period < need:
        return StepCheck(name, False, step.day, RULE_PERIOD.format(n=need))
    if d is not None and d.objection_date and d.objection_resolved is None:
        return StepCheck(name, False, step.day, f"{RULE_OBJECTION}（{d.objection_date} 异议：{d.objection}）")
    if day <= end:
        return StepCheck(name, False, step.day, RULE_FINISHED.format(end=end))
    return StepCheck(name, True, step.day, f"{step.day} 起 {period} 天，{end} 期满"
                     + ("，异议已复查" if d is not None and d.objection_resolved else "，无异议"))


def missing_for_grant(session: Session, hh: Household, category: str, day: date) -> list[Missing]:
    return [Missing(c.step, c.detail) for c in checklist(session, hh, category, day) if not c.done]


def missing_for_exit(session: Session, hh: Household, day: date) -> list[Missing]:
    steps = required_exit_steps(session, hh.category)
    since = hh.approve_date
    return [Missing(c.step, c.detail) for c in checklist(session, hh, hh.category, day, steps=steps,
                                                          since=since) if not c.done]


def gate(session: Session, actor: Actor, hh: Household, *, kind: str, category: str, day: date,
         proposal_id: str, override_reason: str | None) -> list[Missing]:
    """Refuse a grant or exit whose steps are incomplete, naming the missing step; with a written
    override reason (审核人 only: 先行救助) the approval goes through, audited, as a finding."""
    if kind == "纳入":
        missing = missing_for_grant(session, hh, category, day)
    elif kind == "退出":
        missing = missing_for_exit(session, hh, day)
    else:
        return []
    if not missing:
        return []
    what = "纳入保障" if kind == "纳入" else "停保/退出"
    text = "；".join(m.text for m in missing)
    reason = (override_reason or "").strip()
    if not reason:
        raise ValidationError("办理程序", f"{hh.head_name}户", f"{what}前须完成的环节未完成：{text}。"
                              "请补齐后再审核确认；紧急情况（先行救助）由审核人填写书面理由后批准")
    require(actor, "household.approve")
    o = ProcedureOverride(owner_office=hh.owner_office, household_id=hh.id, proposal_id=proposal_id,
                          day=day, missing=text, reason=reason, approved_by=actor.username,
                          updated_by=actor.username)
    session.add(o)
    audit.record_change(session, actor, "procedure.override", "procedure_override", o, None)
    casetasks.open_task(session, actor, hh, kind="补办程序", rule="first_aid_completion_working_days",
                        start=day, source_id=o.id, note=f"先行救助后补办：{text}")
    return missing


def missing_for_proposal(session: Session, proposal_id: str) -> list[Missing]:
    """What an approval of this proposal would miss (for the reviewer's screen)."""
    import json

    from db.assessment_models import Proposal

    p = session.get(Proposal, proposal_id)
    hh = session.get(Household, p.household_id)
    if p.kind == "纳入":
        return missing_for_grant(session, hh, json.loads(p.after).get("category", hh.category), p.day)
    if p.kind == "退出":
        return missing_for_exit(session, hh, p.day)
    return []


@dataclass(frozen=True)
class OverrideInfo:
    id: str
    household_id: str
    household: str
    day: date
    missing: str
    reason: str
    approved_by: str
    completed: bool


def overrides(session: Session, *, since: date | None = None) -> list[OverrideInfo]:
    """Approvals with steps missing (先行救助): findings for supervision, newest first."""
    from db.procedure_models import CaseTask

    stmt = select(ProcedureOverride, Household).join(Household, Household.id == ProcedureOverride.household_id)
    if since:
        stmt = stmt.where(ProcedureOverride.day >= since)
    out = []
    for o, hh in session.execute(stmt.order_by(ProcedureOverride.day.desc())):
        task = session.execute(select(CaseTask.state).where(CaseTask.source_id == o.id)).scalar_one_or_none()
        out.append(OverrideInfo(o.id, hh.id, f"{hh.head_name}户（{hh.number}）", o.day, o.missing, o.reason,
                                o.approved_by, task == casetasks.DONE))
    return out
