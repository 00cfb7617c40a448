"""问题台账 (problem list / rectification ledger) and 移交纪检监察 of clues.

Each problem has a measure, a deadline and a person responsible; it moves 待整改 → 整改中 →
已整改(待核验) → 已销号, every step dated, signed and audited (立行立改、即知即改; 对账销号).
Only a 审核人 or 管理员 closes (销号), and only with a verification note. A clue of a violation of
discipline or law is transferred (移交) to the discipline inspection / supervision organ within
``transfer_working_days`` working days of discovery.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, clock, inputs, rulesettings, workdays
from app.errors import ValidationError
from app.households import require_own
from app.ledgers import common as c
from app.permissions import Actor, require
from db.ledger_models import Problem, ProblemLink, ProblemTransfer, ProblemTransition
from db.models import Member

SOURCES = ("自查", "督导检查", "信访举报", "大数据比对", "媒体曝光", "上级交办", "第三方评估")
CATEGORIES = ("人情保", "关系保", "错保", "漏保", "拆户保", "违规保", "不按标施保", "死亡未及时停保",
              "死亡对象上报不及时", "虚报冒领", "截留私分", "挤占挪用", "吃拿卡要/优亲厚友", "吃拿卡要",
              "优亲厚友", "索贿受贿", "作风问题", "公示不规范", "近亲属未备案", "民主评议无乡镇人员参加",
              "未及时告知", "专项资金未专款专用", "照料护理资金未配套", "其他")
TO_FIX, FIXING, FIXED, CLOSED = "待整改", "整改中", "已整改(待核验)", "已销号"
STATES = (TO_FIX, FIXING, FIXED, CLOSED)
OPEN_STATES = (TO_FIX, FIXING)
# from -> allowed targets through move_problem (销号 only through close_problem)
MOVES = {TO_FIX: (FIXING,), FIXING: (FIXED,), FIXED: (FIXING,)}


@dataclass(frozen=True)
class LinkedHousehold:
    household_id: str
    number: str
    head_name: str
    village: str
    member_name: str | None = None


@dataclass(frozen=True)
class TransitionInfo:
    from_state: str | None
    to_state: str
    day: date
    username: str
    signer: str
    note: str | None


@dataclass(frozen=True)
class TransferInfo:
    found_date: date
    due_date: date
    due_covered: bool
    transferred_date: date | None
    organ: str | None
    doc_number: str | None
    handler: str | None
    note: str | None
    late: bool
    warning: str | None


@dataclass(frozen=True)
class ProblemInfo:
    id: str
    number: str
    source: str
    category: str
    village: str | None
    description: str
    found_date: date
    responsible: str
    measures: str | None
    deadline: date | None
    state: str
    overdue: bool
    is_clue: bool
    petition_id: str | None
    rectified_date: date | None
    closed_date: date | None
    closed_by: str | None
    verification_note: str | None
    note: str | None
    version: int
    households: list[LinkedHousehold] = field(default_factory=list)
    transitions: list[TransitionInfo] = field(default_factory=list)
    transfer: TransferInfo | None = None

    @property
    def households_text(self) -> str:
        return "、".join(f"{h.village}{h.member_name or h.head_name}（{h.number}）" for h in self.households)


# ---------------------------------------------------------------- the rules

def is_overdue(state: str, deadline: date | None, today: date) -> bool:
    """整改逾期: still 待整改 or 整改中 after the rectification deadline (立行立改、即知即改)."""
    return state in OPEN_STATES and deadline is not None and today > deadline


def transfer_due(session: Session, found: date) -> workdays.Deadline:
    """移交时限: ``transfer_working_days`` (default 5) working days from discovery.

    Source: the district special-campaign plan ("发现问题线索 5 个工作日内移交纪检监察机关").
    """
    return workdays.add_working_days(session, found, rulesettings.get(session, "transfer_working_days"))


def transfer_is_late(due: date, transferred: date | None, today: date) -> bool:
    """Late: transferred after the due day, or not transferred and the due day has passed."""
    return (transferred or today) > due


# ---------------------------------------------------------------- reading

def _infos(session: Session, problems: list[Problem], today: date) -> list[ProblemInfo]:
    """Plain rows for many problems with a fixed number of queries (not one set per row)."""
    ids = [p.id for p in problems]
    if not ids:
        return []
    links: dict[str, list[ProblemLink]] = {}
    for link in session.execute(select(ProblemLink).where(
            ProblemLink.problem_id.in_(ids), ProblemLink.deleted_at.is_(None))).scalars():
        links.setdefault(link.problem_id, []).append(link)
    every = [x for group in links.values() for x in group]
    labels = c.household_labels(session, list({x.household_id for x in every}))
    names = c.member_names(session, [x.member_id for x in every])
    steps: dict[str, list[TransitionInfo]] = {}
    for t in session.execute(select(ProblemTransition).where(ProblemTransition.problem_id.in_(ids))
                             .order_by(ProblemTransition.created_at, ProblemTransition.day)).scalars():
        steps.setdefault(t.problem_id, []).append(
            TransitionInfo(t.from_state, t.to_state, t.day, t.username, t.signer, t.note))
    transfers: dict[str, TransferInfo] = {}
    for t in session.execute(select(ProblemTransfer).where(
            ProblemTransfer.problem_id.in_(ids), ProblemTransfer.deleted_at.is_(None))).scalars():
        transfers[t.problem_id] = TransferInfo(
            t.found_date, t.due_date, t.due_covered, t.transferred_date, t.organ, t.doc_number,
            t.handler, t.note, transfer_is_late(t.due_date, t.transferred_date, today),
            None if t.due_covered else workdays.uncovered_warning([t.due_date.year]))
    villages = c.village_names(session)
    return [ProblemInfo(
        p.id, p.number, p.source, p.category, villages.get(p.village_id), p.description,
        p.found_date, p.responsible, p.measures, p.deadline, p.state,
        is_overdue(p.state, p.deadline, today), p.is_clue, p.petition_id, p.rectified_date,
        p.closed_date, p.closed_by, p.verification_note, p.note, p.version,
        [LinkedHousehold(x.household_id, *labels.get(x.household_id, ("?", "?", "?")),
                         member_name=names.get(x.member_id)) for x in links.get(p.id, [])],
        steps.get(p.id, []), transfers.get(p.id)) for p in problems]


def _info(session: Session, p: Problem, today: date) -> ProblemInfo:
    session.flush()
    return _infos(session, [p], today)[0]


def get_problem(session: Session, ref: str, *, today: date | None = None) -> ProblemInfo:
    return _info(session, c.by_number(session, Problem, ref, "问题"), today or clock.today())


def list_problems(session: Session, *, state: str | None = None, category: str | None = None,
                  source: str | None = None, village: str | None = None,
                  responsible: str | None = None, overdue_only: bool = False,
                  text: str | None = None, today: date | None = None) -> list[ProblemInfo]:
    """The ledger, newest first, with the page's filters (village by name)."""
    today = today or clock.today()
    stmt = select(Problem).where(Problem.deleted_at.is_(None))
    if state:
        stmt = stmt.where(Problem.state == state)
    if category:
        stmt = stmt.where(Problem.category == category)
    if source:
        stmt = stmt.where(Problem.source == source)
    if responsible:
        stmt = stmt.where(Problem.responsible.contains(responsible.strip()))
    if text:
        stmt = stmt.where(Problem.description.contains(text.strip()) | (Problem.number == text.strip()))
    if overdue_only:
        stmt = stmt.where(Problem.state.in_(OPEN_STATES), Problem.deadline < today)
    rows = _infos(session, list(session.execute(
        stmt.order_by(Problem.found_date.desc(), Problem.number.desc())).scalars()), today)
    if village:
        rows = [r for r in rows if r.village == village or any(h.village == village for h in r.households)]
    return rows


def overdue_problems(session: Session, *, today: date | None = None) -> list[ProblemInfo]:
    rows = list_problems(session, overdue_only=True, today=today)
    return sorted(rows, key=lambda r: (r.deadline, r.number))


# ---------------------------------------------------------------- writing

def _transition(session: Session, actor: Actor, p: Problem, frm: str | None, to: str, day: date,
                note: str | None) -> None:
    t = ProblemTransition(problem_id=p.id, from_state=frm, to_state=to, day=day, username=actor.username, signer=actor.display_name,
                          note=note)
    c.add(session, actor, t, "problem_transition", "problem.transition")


def _open_transfer(session: Session, actor: Actor, p: Problem) -> ProblemTransfer:
    due = transfer_due(session, p.found_date)
    t = ProblemTransfer(problem_id=p.id, found_date=p.found_date, due_date=due.day,
                        due_covered=due.covered)
    c.add(session, actor, t, "problem_transfer", "problem.clue")
    return t


def create_problem(session: Session, actor: Actor, *, source: str, category: str, description: str,
                   found_date: date, responsible: str, measures: str | None = None,
                   deadline: date | None = None, households: list[str] = (),
                   member_id: str | None = None, village: str | None = None,
                   is_clue: bool = False, petition_id: str | None = None, note: str | None = None,
                   auto_key: str | None = None, today: date | None = None) -> ProblemInfo:
    """Register a problem (状态 待整改); a clue also opens its 移交 record with the due day."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    source = c.choice("问题来源", source, SOURCES)
    category = c.choice("问题类别", category, CATEGORIES)
    description = c.text("问题描述", description)
    responsible = c.text("责任人", responsible, max_len=60)
    found_date = c.past_date("发现日期", found_date, today)
    deadline = inputs.day("整改时限", deadline, future=True, today=today)
    c.not_before("整改时限", deadline, "发现日期", found_date)
    linked = c.households(session, actor, households)
    member = session.get(Member, member_id) if member_id else None
    if member_id and (member is None or member.household_id not in {h.id for h in linked}):
        raise ValidationError("关联成员", member_id, "不是所关联家庭的成员")
    vid = c.village_id(session, actor, village) or (linked[0].village_id if linked else None)
    workdays.ensure_seeded(session, actor)
    p = Problem(number=c.next_number(session, Problem, actor.office_code, "WT", found_date.year),
                source=source, category=category, village_id=vid, description=description,
                found_date=found_date, responsible=responsible,
                measures=c.text("整改措施", measures, required=False), deadline=deadline,
                state=TO_FIX, is_clue=bool(is_clue), petition_id=petition_id,
                note=c.text("备注", note, required=False), auto_key=auto_key)
    c.add(session, actor, p, "problem", "problem.create")
    for h in linked:
        c.add(session, actor, ProblemLink(problem_id=p.id, household_id=h.id,
                                          member_id=member_id if member_id and len(linked) == 1 else None),
              "problem_link", "problem.link")
    _transition(session, actor, p, None, TO_FIX, found_date, "登记")
    if is_clue:
        _open_transfer(session, actor, p)
    return _info(session, p, today)


def edit_problem(session: Session, actor: Actor, ref: str, *, version: int | None = None,
                 today: date | None = None, **changes: object) -> ProblemInfo:
    """Change description, responsible, measures, deadline, category or note (not once closed)."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    p = c.by_number(session, Problem, ref, "问题")
    require_own(actor, p, "问题")  # the district's 督导检查 findings are read-only copies here
    c.check_version(p, version, f"问题 {p.number}")
    if p.state == CLOSED:
        raise ValidationError("问题状态", p.state, "已销号的问题不能再修改")
    allowed = {"description", "responsible", "measures", "deadline", "category", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError("修改项", "、".join(sorted(unknown)), f"只能修改：{'、'.join(sorted(allowed))}")
    before = audit.state(p)
    if "description" in changes:
        p.description = c.text("问题描述", changes["description"])
    if "responsible" in changes:
        p.responsible = c.text("责任人", changes["responsible"], max_len=60)
    if "measures" in changes:
        p.measures = c.text("整改措施", changes["measures"], required=False)
    if "category" in changes:
        p.category = c.choice("问题类别", changes["category"], CATEGORIES)
    if "note" in changes:
        p.note = c.text("备注", changes["note"], required=False)
    if "deadline" in changes:
        changes = dict(changes, deadline=inputs.day("整改时限", changes["deadline"], future=True))
        c.not_before("整改时限", changes["deadline"], "发现日期", p.found_date)
        p.deadline = changes["deadline"]
    c.stamp(p, actor)
    audit.record_change(session, actor, "problem.update", "problem", p, before)
    return _info(session, p, today)


def _last_day(session: Session, p: Problem) -> date:
    days = session.execute(select(ProblemTransition.day).where(
        ProblemTransition.problem_id == p.id)).scalars().all()
    return max([p.found_date, *days])


def move_problem(session: Session, actor: Actor, ref: str, *, to: str, day: date | None = None,
                 note: str | None = None, measures: str | None = None, version: int | None = None,
                 today: date | None = None) -> ProblemInfo:
    """One step of the rectification, in order; 已整改(待核验) may go back to 整改中 (核验未通过)."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    day = c.past_date("日期", day or today, today)
    p = c.by_number(session, Problem, ref, "问题")
    require_own(actor, p, "问题")  # the district's 督导检查 findings are read-only copies here
    c.check_version(p, version, f"问题 {p.number}")
    c.choice("目标状态", to, STATES)
    if to == CLOSED:
        raise ValidationError("目标状态", to, "销号须由审核人核验后办理（销号功能），并填写核验意见")
    allowed = MOVES.get(p.state, ())
    if to not in allowed:
        raise ValidationError("目标状态", to, f"问题 {p.number} 当前为“{p.state}”，"
                              + (f"只能转为：{'、'.join(allowed)}" if allowed else "不能再变更状态"))
    c.not_before("日期", day, "上一环节日期", _last_day(session, p))
    before = audit.state(p)
    if measures is not None:
        p.measures = c.text("整改措施", measures, required=False)
    if to == FIXED and not p.measures:
        raise ValidationError("整改措施", None, "标记为已整改前须填写整改措施")
    if p.state == FIXED and to == FIXING:
        require(actor, "ledger.close")
        note = c.text("退回理由（核验未通过的情况）", note)
        p.rectified_date = None
    if to == FIXED:
        p.rectified_date = day
    _transition(session, actor, p, p.state, to, day, c.text("说明", note, required=False))
    p.state = to
    c.stamp(p, actor)
    audit.record_change(session, actor, "problem.move", "problem", p, before)
    return _info(session, p, today)


def close_problem(session: Session, actor: Actor, ref: str, *, verification_note: str,
                  day: date | None = None, version: int | None = None,
                  today: date | None = None) -> ProblemInfo:
    """销号: only a 审核人 or 管理员, only after 已整改(待核验), only with a verification note."""
    require(actor, "ledger.close")
    today = today or clock.today()
    p = c.by_number(session, Problem, ref, "问题")
    require_own(actor, p, "问题")  # the district's 督导检查 findings are read-only copies here
    c.check_version(p, version, f"问题 {p.number}")
    verification_note = c.text("核验意见", verification_note)
    if p.state != FIXED:
        raise ValidationError("问题状态", p.state, f"只有“{FIXED}”的问题才能核验销号；"
                              f"问题 {p.number} 还须先整改到位")
    day = c.past_date("销号日期", day or today, today)
    c.not_before("销号日期", day, "上一环节日期", _last_day(session, p))
    before = audit.state(p)
    _transition(session, actor, p, p.state, CLOSED, day, verification_note)
    p.state, p.closed_date, p.closed_by = CLOSED, day, actor.display_name
    p.verification_note = verification_note
    c.stamp(p, actor)
    audit.record_change(session, actor, "problem.close", "problem", p, before)
    return _info(session, p, today)


def mark_clue(session: Session, actor: Actor, ref: str, *, today: date | None = None) -> ProblemInfo:
    """Flag a problem as a clue of violation: its 移交 becomes due (counted from discovery)."""
    require(actor, "ledger.edit")
    p = c.by_number(session, Problem, ref, "问题")
    require_own(actor, p, "问题")  # the district's 督导检查 findings are read-only copies here
    if not p.is_clue:
        before = audit.state(p)
        p.is_clue = True
        c.stamp(p, actor)
        audit.record_change(session, actor, "problem.update", "problem", p, before)
    if session.execute(select(ProblemTransfer.id).where(
            ProblemTransfer.problem_id == p.id, ProblemTransfer.deleted_at.is_(None))).first() is None:
        workdays.ensure_seeded(session, actor)
        _open_transfer(session, actor, p)
    return _info(session, p, today or clock.today())


def transfer_problem(session: Session, actor: Actor, ref: str, *, day: date, organ: str,
                     doc_number: str | None = None, note: str | None = None,
                     today: date | None = None) -> ProblemInfo:
    """Record the 移交 of a clue to the discipline inspection / supervision organ."""
    require(actor, "ledger.transfer")
    today = today or clock.today()
    p = c.by_number(session, Problem, ref, "问题")
    require_own(actor, p, "问题")  # the district's 督导检查 findings are read-only copies here
    organ = c.text("接收机关", organ, max_len=100)
    day = c.past_date("移交日期", day, today)
    c.not_before("移交日期", day, "发现日期", p.found_date)
    mark_clue(session, actor, p.id, today=today)
    t = session.execute(select(ProblemTransfer).where(
        ProblemTransfer.problem_id == p.id, ProblemTransfer.deleted_at.is_(None))).scalars().one()
    if t.transferred_date is not None:
        raise ValidationError("移交", p.number, f"已于 {t.transferred_date} 移交{t.organ}，不能重复移交")
    before = audit.state(t)
    t.transferred_date, t.organ, t.handler = day, organ, actor.display_name
    t.doc_number = c.text("移交文号", doc_number, required=False, max_len=60)
    t.note = c.text("备注", note, required=False)
    c.stamp(t, actor)
    audit.record_change(session, actor, "problem.transfer", "problem_transfer", t, before)
    return _info(session, p, today)


def late_transfers(session: Session, *, today: date | None = None) -> list[ProblemInfo]:
    """移交 that are late: due day passed without transfer, or transferred after it."""
    today = today or clock.today()
    ids = session.execute(select(ProblemTransfer.problem_id).join(
        Problem, Problem.id == ProblemTransfer.problem_id).where(
        ProblemTransfer.deleted_at.is_(None), Problem.deleted_at.is_(None))).scalars().all()
    rows = _infos(session, [session.get(Problem, pid) for pid in ids], today)
    return sorted((r for r in rows if r.transfer and r.transfer.late),
                  key=lambda r: (r.transfer.due_date, r.number))
