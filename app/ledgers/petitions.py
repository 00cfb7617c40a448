"""信访举报台账: every petition and complaint, its time limits, handling, reply and repeats.

Time limits (《信访工作条例》2022, settings ``petition_*``; calendar days): accepted (受理, 登记转送)
and told within 15 days of receipt; concluded within 60 days of 受理 (not of receipt), extendable
once by at most 30 days with a 审核人's approval and a reason told to the petitioner; review (复查)
may be asked within 30 days of the reply and is answered within 30 days; re-review (复核)
likewise. A calendar-day limit whose last day is a holiday ends on the next working day (民法典
第二百零三条). A named (实名) report's acceptance is told within 15 working days. Petitions are the
same matter when linked explicitly or from the same petitioner (ID number) on the same subject —
never merely because they concern the same household; a matter raised
``petition_repeat_priority`` (3) or more times by any route is marked 重点.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import audit, clock, inputs, rulesettings, timelimits, workdays
from app.errors import ValidationError
from app.idcard import IdNumberError, validate_id
from app.ledgers import common as c
from app.ledgers import problems as pr
from app.permissions import Actor, require
from db.ledger_models import Petition, PetitionLink
from db.models import new_id

CHANNELS = ("来信", "来访", "网上", "电话", "12345热线", "码上监督")
OPEN, CONCLUDED = "办理中", "已办结"
STATES = (OPEN, CONCLUDED)
OUTCOMES = ("属实", "部分属实", "不属实", "解释说明")
SATISFACTION = ("满意", "基本满意", "不满意", "未评价")
REVIEW_STAGES = ("复查", "复核")


@dataclass(frozen=True)
class PetitionDeadlines:
    sort_due: date
    conclude_due: date
    review_request_due: date | None
    review_answer_due: date | None
    rereview_request_due: date | None
    rereview_answer_due: date | None
    accept_notice_due: date | None = None  # 实名举报: acceptance told within N working days


@dataclass(frozen=True)
class PetitionInfo:
    id: str
    number: str
    channel: str
    anonymous: bool
    petitioner: str
    id_number: str | None
    phone: str | None
    content: str
    received_date: date
    village: str | None
    state: str
    sorted_date: date | None
    handler: str | None
    reply: str | None
    reply_date: date | None
    outcome: str | None
    satisfaction: str | None
    extension_days: int
    extension_reason: str | None
    review_requested: date | None
    review_replied: date | None
    rereview_requested: date | None
    rereview_replied: date | None
    deadlines: PetitionDeadlines
    sort_late: bool
    conclude_late: bool
    repeat_count: int
    priority: bool
    matter_id: str
    problem_id: str | None
    note: str | None
    version: int
    households: list[pr.LinkedHousehold] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # numbers of the other petitions of the matter
    subject: str | None = None  # 反映事项

    @property
    def overdue(self) -> bool:
        return self.sort_late or self.conclude_late


def deadlines(session: Session, p: Petition) -> PetitionDeadlines:
    """The time limits of 《信访工作条例》 for one petition (calendar days, from settings; a last
    day on a holiday moves to the next working day). The 60 days run from 受理 (the sorting
    date), or, before it, from the last day it may be accepted."""
    def limit(start: date | None, key: str, extra: int = 0) -> date | None:
        if start is None:
            return None
        return timelimits.calendar_limit(session, start, rulesettings.get(session, key) + extra).day

    sort_due = limit(p.received_date, "petition_sort_days")
    accepted = p.sorted_date or sort_due
    return PetitionDeadlines(
        sort_due=sort_due,
        conclude_due=limit(accepted, "petition_conclude_days", p.extension_days or 0),
        review_request_due=limit(p.reply_date, "petition_review_request_days"),
        review_answer_due=limit(p.review_requested, "petition_review_answer_days"),
        rereview_request_due=limit(p.review_replied, "petition_review_request_days"),
        rereview_answer_due=limit(p.rereview_requested, "petition_review_answer_days"),
        accept_notice_due=None if p.anonymous else workdays.add_working_days(
            session, p.received_date, rulesettings.get(session, "petition_accept_notice_working_days")).day)


def petition_infos(session: Session, petitions: list[Petition], today: date) -> list[PetitionInfo]:
    """Plain rows for many petitions with a fixed number of queries."""
    if not petitions:
        return []
    ids = [p.id for p in petitions]
    links: dict[str, list[str]] = {}
    for pid, hid in session.execute(select(PetitionLink.petition_id, PetitionLink.household_id).where(
            PetitionLink.petition_id.in_(ids), PetitionLink.deleted_at.is_(None))):
        links.setdefault(pid, []).append(hid)
    labels = c.household_labels(session, list({h for group in links.values() for h in group}))
    matters: dict[str, list[tuple[str, str]]] = {}
    for pid, number, matter in session.execute(select(Petition.id, Petition.number, Petition.matter_id).where(
            Petition.matter_id.in_({p.matter_id for p in petitions}), Petition.deleted_at.is_(None))
            .order_by(Petition.received_date, Petition.number)):
        matters.setdefault(matter, []).append((pid, number))
    villages = c.village_names(session)
    out = []
    for p in petitions:
        d = deadlines(session, p)
        matter = matters.get(p.matter_id, [(p.id, p.number)])
        out.append(PetitionInfo(
            p.id, p.number, p.channel, p.anonymous, "匿名" if p.anonymous else (p.petitioner or ""),
            p.id_number, p.phone, p.content, p.received_date, villages.get(p.village_id), p.state,
            p.sorted_date, p.handler, p.reply, p.reply_date, p.outcome, p.satisfaction,
            p.extension_days, p.extension_reason, p.review_requested, p.review_replied,
            p.rereview_requested, p.rereview_replied, d,
            sort_late=(p.sorted_date or (p.reply_date if p.state == CONCLUDED else None) or today) > d.sort_due,
            conclude_late=(p.reply_date or today) > d.conclude_due,
            repeat_count=len(matter), priority=p.priority, matter_id=p.matter_id,
            problem_id=p.problem_id, note=p.note, version=p.version,
            households=[pr.LinkedHousehold(h, *labels.get(h, ("?", "?", "?"))) for h in links.get(p.id, [])],
            related=[number for pid, number in matter if pid != p.id], subject=p.subject))
    return out


def _info(session: Session, p: Petition, today: date) -> PetitionInfo:
    session.flush()
    return petition_infos(session, [p], today)[0]


def get_petition(session: Session, ref: str, *, today: date | None = None) -> PetitionInfo:
    return _info(session, c.by_number(session, Petition, ref, "信访件"), today or clock.today())


def list_petitions(session: Session, *, state: str | None = None, channel: str | None = None,
                   village: str | None = None, handler: str | None = None,
                   priority_only: bool = False, overdue_only: bool = False,
                   text: str | None = None, today: date | None = None) -> list[PetitionInfo]:
    today = today or clock.today()
    stmt = select(Petition).where(Petition.deleted_at.is_(None))
    if state:
        stmt = stmt.where(Petition.state == state)
    if channel:
        stmt = stmt.where(Petition.channel == channel)
    if handler:
        stmt = stmt.where(Petition.handler.contains(handler.strip()))
    if priority_only:
        stmt = stmt.where(Petition.priority.is_(True))
    if text:
        stmt = stmt.where(Petition.content.contains(text.strip()) | (Petition.number == text.strip()))
    rows = petition_infos(session, list(session.execute(
        stmt.order_by(Petition.received_date.desc(), Petition.number.desc())).scalars()), today)
    if village:
        rows = [r for r in rows if r.village == village or any(h.village == village for h in r.households)]
    if overdue_only:
        rows = [r for r in rows if r.overdue]
    return rows


# ---------------------------------------------------------------- repeats (重点标注)

def _subject_key(subject: str | None, content: str | None) -> str:
    """What a petition is about: its subject (反映事项), or else its content, spaces ignored."""
    return "".join((subject or content or "").split())


def is_same_matter(a_id: str | None, a_households: set[str], a_subject: str,
                   b_id: str | None, b_households: set[str], b_subject: str) -> bool:
    """Same matter (absent an explicit link): the same subject raised by the same petitioner
    (ID number), or about the same households. A different matter about the same household is
    not the same matter, and the same petitioner on another subject neither."""
    if not a_subject or a_subject != b_subject:
        return False
    return bool(a_id and a_id == b_id) or bool(a_households and a_households == b_households)


def _join_matter(session: Session, actor: Actor, p: Petition, household_ids: list[str],
                 related: Petition | None) -> None:
    """Put ``p`` in the matter of any petition explicitly related, or of the same subject from
    the same petitioner or about the same households, merging matters into the earliest; mark
    every petition of a matter raised N+ times 重点."""
    matters = set()
    if related is not None:
        matters.add(related.matter_id)
    key, mine = _subject_key(p.subject, p.content), set(household_ids)
    candidates = select(Petition).where(Petition.deleted_at.is_(None), Petition.id != p.id)
    near = []
    if p.id_number:
        near.append(Petition.id_number == p.id_number)
    if mine:
        near.append(Petition.id.in_(select(PetitionLink.petition_id).where(
            PetitionLink.household_id.in_(mine), PetitionLink.deleted_at.is_(None))))
    for other in (session.execute(candidates.where(or_(*near))).scalars() if near else ()):
        theirs = set(session.execute(select(PetitionLink.household_id).where(
            PetitionLink.petition_id == other.id, PetitionLink.deleted_at.is_(None))).scalars())
        if is_same_matter(p.id_number, mine, key, other.id_number, theirs,
                          _subject_key(other.subject, other.content)):
            matters.add(other.matter_id)
    members = session.execute(select(Petition).where(
        Petition.matter_id.in_(matters), Petition.deleted_at.is_(None))).scalars().all() if matters else []
    group = sorted([*members, p], key=lambda x: (x.received_date, x.number))
    matter_id, threshold = group[0].id, rulesettings.get(session, "petition_repeat_priority")
    for x in group:
        priority = x.priority or len(group) >= threshold
        if (x.matter_id, x.priority) != (matter_id, priority):
            before = None if x is p else audit.state(x)
            x.matter_id, x.priority = matter_id, priority
            if x is not p:
                c.stamp(x, actor)
                audit.record_change(session, actor, "petition.repeat", "petition", x, before)


def is_repeat_priority(count: int, threshold: int) -> bool:
    """重点标注: the same matter raised ``petition_repeat_priority`` (3) or more times by any route."""
    return count >= threshold


# ---------------------------------------------------------------- writing

def create_petition(session: Session, actor: Actor, *, channel: str, content: str,
                    received_date: date, petitioner: str | None = None, anonymous: bool = False,
                    id_number: str | None = None, phone: str | None = None,
                    households: list[str] = (), related_to: str | None = None,
                    village: str | None = None, handler: str | None = None,
                    note: str | None = None, subject: str | None = None,
                    today: date | None = None) -> PetitionInfo:
    require(actor, "ledger.edit")
    today = today or clock.today()
    channel = c.choice("来源渠道", channel, CHANNELS)
    content = c.text("反映内容", content)
    received_date = c.past_date("收到日期", received_date, today)
    name = c.text("信访人", petitioner, required=not anonymous, max_len=60)
    if id_number:
        try:
            id_number = validate_id(id_number, today=today).number
        except IdNumberError as exc:
            raise ValidationError("信访人身份证号", id_number, exc.rule) from None
    linked = c.households(session, actor, households)
    related = c.by_number(session, Petition, related_to, "相关信访件") if related_to else None
    vid = c.village_id(session, actor, village) or (linked[0].village_id if linked else None)
    p = Petition(number=c.next_number(session, Petition, actor.office_code, "XF", received_date.year),
                 channel=channel, anonymous=bool(anonymous), petitioner=None if anonymous else name,
                 id_number=None if anonymous else id_number,
                 phone=inputs.phone("联系电话", phone), content=content,
                 received_date=received_date, village_id=vid, state=OPEN,
                 handler=c.text("承办人", handler, required=False, max_len=60),
                 extension_days=0, priority=False, note=c.text("备注", note, required=False),
                 subject=c.text("反映事项", subject, required=False, max_len=100))
    p.matter_id = p.id = new_id()
    _join_matter(session, actor, p, [h.id for h in linked], related)
    c.add(session, actor, p, "petition", "petition.create")
    for h in linked:
        c.add(session, actor, PetitionLink(petition_id=p.id, household_id=h.id), "petition_link",
              "petition.link")
    return _info(session, p, today)


def _open(session: Session, ref: str, version: int | None) -> Petition:
    p = c.by_number(session, Petition, ref, "信访件")
    c.check_version(p, version, f"信访件 {p.number}")
    return p


def sort_petition(session: Session, actor: Actor, ref: str, *, day: date, handler: str,
                  version: int | None = None, today: date | None = None) -> PetitionInfo:
    """登记转送 (register and send to the handler): due within ``petition_sort_days``."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    p = _open(session, ref, version)
    before = audit.state(p)
    p.sorted_date = c.past_date("转送日期", day, today)
    c.not_before("转送日期", day, "收到日期", p.received_date)
    p.handler = c.text("承办人", handler, max_len=60)
    c.stamp(p, actor)
    audit.record_change(session, actor, "petition.sort", "petition", p, before)
    return _info(session, p, today)


def extend_petition(session: Session, actor: Actor, ref: str, *, days: int, reason: str,
                    version: int | None = None, today: date | None = None) -> PetitionInfo:
    """One extension of the conclusion limit, at most ``petition_extension_max_days``, with reason,
    approved by the office's leader (a 审核人: 《信访工作条例》第三十五条)."""
    require(actor, "ledger.extend")
    today = today or clock.today()
    p = _open(session, ref, version)
    limit = rulesettings.get(session, "petition_extension_max_days")
    reason = c.text("延期理由", reason)
    if p.state == CONCLUDED:
        raise ValidationError("延期", p.number, "已办结的信访件不能延期")
    if p.extension_days:
        raise ValidationError("延期", p.number, f"已延期 {p.extension_days} 日，办理期限只能延长一次")
    if not isinstance(days, int) or not 1 <= days <= limit:
        raise ValidationError("延期天数", days, f"应为 1 到 {limit} 日")
    if today > deadlines(session, p).conclude_due:
        raise ValidationError("延期", p.number, f"办结期限 {deadlines(session, p).conclude_due} 已过，"
                              "延期须在期限届满前决定")
    before = audit.state(p)
    p.extension_days, p.extension_reason = days, reason
    c.stamp(p, actor)
    audit.record_change(session, actor, "petition.extend", "petition", p, before)
    return _info(session, p, today)


def reply_petition(session: Session, actor: Actor, ref: str, *, reply: str, outcome: str,
                   day: date | None = None, satisfaction: str | None = None,
                   handler: str | None = None, version: int | None = None,
                   today: date | None = None) -> PetitionInfo:
    """Conclude with a written reply (答复) and the outcome; satisfaction may follow later."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    p = _open(session, ref, version)
    if p.state == CONCLUDED:
        raise ValidationError("答复", p.number, f"已于 {p.reply_date} 办结答复")
    day = c.past_date("答复日期", day or today, today)
    c.not_before("答复日期", day, "收到日期", p.received_date)
    before = audit.state(p)
    p.reply = c.text("答复内容", reply)
    p.outcome = c.choice("办理结果", outcome, OUTCOMES)
    p.satisfaction = c.choice("满意度", satisfaction, SATISFACTION, required=False)
    p.handler = c.text("承办人", handler, required=False, max_len=60) or p.handler or actor.display_name
    p.reply_date, p.state = day, CONCLUDED
    c.stamp(p, actor)
    audit.record_change(session, actor, "petition.reply", "petition", p, before)
    return _info(session, p, today)


def record_feedback(session: Session, actor: Actor, ref: str, *, satisfaction: str | None = None,
                    stage: str | None = None, requested: date | None = None,
                    replied: date | None = None, today: date | None = None) -> PetitionInfo:
    """回访 satisfaction, and the dates of a 复查/复核 request and its answer, in order."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    p = _open(session, ref, None)
    if p.state != CONCLUDED:
        raise ValidationError("信访件状态", p.state, "答复办结后才能登记满意度或复查复核")
    before = audit.state(p)
    if satisfaction is not None:
        p.satisfaction = c.choice("满意度", satisfaction, SATISFACTION)
    if stage is not None:
        c.choice("阶段", stage, REVIEW_STAGES)
        d = deadlines(session, p)
        start, ask_due, req_field, rep_field = (
            (p.reply_date, d.review_request_due, "review_requested", "review_replied") if stage == "复查"
            else (p.review_replied, d.rereview_request_due, "rereview_requested", "rereview_replied"))
        if start is None:
            raise ValidationError("阶段", stage, "复核须在复查答复之后申请")
        if requested is not None:
            c.past_date(f"{stage}申请日期", requested, today)
            c.not_before(f"{stage}申请日期", requested, "上一次答复日期", start)
            if requested > ask_due:
                raise ValidationError(f"{stage}申请日期", requested.isoformat(),
                                      f"超过申请期限（{ask_due}，应在答复后 "
                                      f"{rulesettings.get(session, 'petition_review_request_days')} 日内），不予受理")
            setattr(p, req_field, requested)
        if replied is not None:
            c.past_date(f"{stage}答复日期", replied, today)
            c.not_before(f"{stage}答复日期", replied, f"{stage}申请日期", getattr(p, req_field))
            if getattr(p, req_field) is None:
                raise ValidationError(f"{stage}答复日期", replied.isoformat(), f"尚未登记{stage}申请")
            setattr(p, rep_field, replied)
    c.stamp(p, actor)
    audit.record_change(session, actor, "petition.feedback", "petition", p, before)
    return _info(session, p, today)


def open_problem(session: Session, actor: Actor, ref: str, *, category: str, responsible: str,
                 description: str | None = None, found_date: date | None = None,
                 deadline: date | None = None, measures: str | None = None,
                 is_clue: bool = False, today: date | None = None) -> pr.ProblemInfo:
    """A petition found true opens a problem in the problem ledger (来源 信访举报)."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    p = _open(session, ref, None)
    if p.problem_id:
        existing = session.get(pr.Problem, p.problem_id)
        raise ValidationError("转问题台账", p.number, f"已转为问题 {existing.number if existing else p.problem_id}")
    links = session.execute(select(PetitionLink.household_id).where(
        PetitionLink.petition_id == p.id, PetitionLink.deleted_at.is_(None))).scalars().all()
    village = c.village_names(session).get(p.village_id) if p.village_id else None
    info = pr.create_problem(session, actor, source="信访举报", category=category,
                             description=description or f"信访件 {p.number}：{p.content}",
                             found_date=found_date or today, responsible=responsible,
                             measures=measures, deadline=deadline, households=list(links),
                             village=village if not links else None, is_clue=is_clue,
                             petition_id=p.id, today=today)
    before = audit.state(p)
    p.problem_id = info.id
    c.stamp(p, actor)
    audit.record_change(session, actor, "petition.problem", "petition", p, before)
    return info
