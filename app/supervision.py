"""督导检查 and 公示栏 records.

A supervision visit records its date, inspectors, methods (入户抽查, 随机暗访, 查阅档案, 查看公示栏,
与干部群众访谈), the households visited and its findings; each finding is a problem in the problem
ledger with source 督导检查. Each village's 公示栏 has a person responsible and is inspected
(present, undamaged, all items shown, updated on time); a missing, damaged, incomplete or stale
board opens one 公示不规范 problem (not a second while the first is open).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, clock, procedure, rulesettings, workdays
from app.errors import ValidationError
from app.ledgers import common as c
from app.ledgers import problems as pr
from app.permissions import Actor, require
from db.ledger_models import Problem
from db.models import Village
from db.procedure_models import BoardInspection, NoticeBoard, SupervisionHousehold, SupervisionVisit

METHODS = ("入户抽查", "随机暗访", "查阅档案", "查看公示栏", "与干部群众访谈")
BOARD_PROBLEM = "公示不规范"


@dataclass(frozen=True)
class Finding:
    category: str
    description: str
    responsible: str
    households: tuple[str, ...] = ()
    deadline: date | None = None
    measures: str | None = None


@dataclass(frozen=True)
class VisitInfo:
    id: str
    number: str
    day: date
    inspectors: str
    unit: str | None
    methods: list[str]
    summary: str | None
    households: list[str]  # "村 户主（户编号）"
    problems: list[str]  # problem numbers of the findings


@dataclass(frozen=True)
class BoardInfo:
    village: str
    board_id: str | None
    location: str | None
    responsible: str | None
    last_inspection: date | None
    last_update: date | None
    faults: list[str] = field(default_factory=list)  # why it is not in order today (empty: in order)


def _names(value: object) -> str:
    names = procedure.split_names(value)
    if not names:
        raise ValidationError("检查人员", value, "必须填写（姓名，用顿号分隔）")
    return "、".join(dict.fromkeys(names))[:200]


def _methods(value: object) -> str:
    methods = procedure.split_names(value)
    bad = [m for m in methods if m not in METHODS]
    if not methods or bad:
        raise ValidationError("检查方式", "、".join(bad) or value, f"应为以下一种或几种：{'、'.join(METHODS)}")
    return "、".join(dict.fromkeys(methods))


def _visit_info(session: Session, v: SupervisionVisit) -> VisitInfo:
    hids = session.execute(select(SupervisionHousehold.household_id).where(
        SupervisionHousehold.visit_id == v.id, SupervisionHousehold.deleted_at.is_(None))).scalars().all()
    labels = c.household_labels(session, list(hids))
    problems = session.execute(select(Problem.number).where(
        Problem.auto_key.like(f"supervision:{v.id}:%"), Problem.deleted_at.is_(None))
        .order_by(Problem.number)).scalars().all()
    return VisitInfo(v.id, v.number, v.day, v.inspectors, v.unit, v.methods.split("、"), v.summary,
                     [f"{labels[h][2]} {labels[h][1]}（{labels[h][0]}）" for h in hids if h in labels],
                     list(problems))


def add_finding(session: Session, actor: Actor, visit_ref: str, finding: Finding, *,
                today: date | None = None) -> pr.ProblemInfo:
    """A finding of a visit: a problem with source 督导检查, found on the visit's day."""
    require(actor, "supervision.edit")
    v = c.by_number(session, SupervisionVisit, visit_ref, "督导检查")
    n = session.execute(select(Problem.id).where(Problem.auto_key.like(f"supervision:{v.id}:%"))).all()
    return pr.create_problem(session, actor, source="督导检查", category=finding.category,
                             description=f"督导检查 {v.number}（{v.inspectors}）发现：{finding.description}",
                             found_date=v.day, responsible=finding.responsible, measures=finding.measures,
                             deadline=finding.deadline, households=list(finding.households),
                             auto_key=f"supervision:{v.id}:{len(n) + 1}", today=today or clock.today())


def record_visit(session: Session, actor: Actor, *, day: date, inspectors: object, methods: object,
                 unit: str | None = None, households: list[str] = (), summary: str | None = None,
                 findings: list[Finding] = (), today: date | None = None) -> VisitInfo:
    """Record a supervision visit, the households visited and its findings (one transaction)."""
    require(actor, "supervision.edit")
    today = today or clock.today()
    v = SupervisionVisit(number=c.next_number(session, SupervisionVisit, actor.office_code, "DD",
                                              c.past_date("检查日期", day, today).year),
                         day=day, inspectors=_names(inspectors), methods=_methods(methods),
                         unit=c.text("检查单位", unit, required=False, max_len=100),
                         summary=c.text("检查情况", summary, required=False))
    linked = c.households(session, actor, households)
    c.add(session, actor, v, "supervision_visit", "supervision.create")
    for h in linked:
        c.add(session, actor, SupervisionHousehold(visit_id=v.id, household_id=h.id),
              "supervision_household", "supervision.household")
    for f in findings:
        add_finding(session, actor, v.id, f, today=today)
    return _visit_info(session, v)


def list_visits(session: Session, *, since: date | None = None) -> list[VisitInfo]:
    stmt = select(SupervisionVisit).where(SupervisionVisit.deleted_at.is_(None))
    if since:
        stmt = stmt.where(SupervisionVisit.day >= since)
    return [_visit_info(session, v) for v in session.execute(
        stmt.order_by(SupervisionVisit.day.desc(), SupervisionVisit.number.desc())).scalars()]


# ---------------------------------------------------------------- 公示栏

def _board(session: Session, actor: Actor, village: str) -> NoticeBoard | None:
    vid = c.village_id(session, actor, village)
    return session.execute(select(NoticeBoard).where(NoticeBoard.village_id == vid,
                                                     NoticeBoard.deleted_at.is_(None))).scalars().first()


def set_board(session: Session, actor: Actor, *, village: str, responsible: str,
              location: str | None = None, phone: str | None = None) -> BoardInfo:
    """Register (or update) the 公示栏 of a village and its person responsible, audited."""
    require(actor, "supervision.edit")
    vid = c.village_id(session, actor, village)
    if vid is None:
        raise ValidationError("村（居）", village, "必须填写")
    board = _board(session, actor, village)
    responsible = c.text("公示栏责任人", responsible, max_len=60)
    if board is None:
        board = NoticeBoard(village_id=vid, responsible=responsible,
                            location=c.text("位置", location, required=False, max_len=100),
                            phone=c.text("电话", phone, required=False, max_len=40))
        c.add(session, actor, board, "notice_board", "board.create")
    else:
        before = audit.state(board)
        board.responsible = responsible
        board.location = c.text("位置", location, required=False, max_len=100) or board.location
        board.phone = c.text("电话", phone, required=False, max_len=40) or board.phone
        c.stamp(board, actor)
        audit.record_change(session, actor, "board.update", "notice_board", board, before)
    return board_status(session, today=clock.today(), village_id=vid)[0]


def faults(session: Session, *, present: bool, damaged: bool, items_complete: bool,
           last_update: date | None, day: date) -> list[str]:
    """What makes a board 公示不规范 on ``day``: missing, damaged, items missing, or not updated
    within ``board_update_days`` (the village updates monthly)."""
    out = []
    if not present:
        out.append("公示栏缺失")
    if damaged:
        out.append("公示栏破损")
    if not items_complete:
        out.append("公示内容不全（户主姓名、家庭人口、保障类别、保障金额）")
    limit = rulesettings.get(session, "board_update_days")
    if present and (last_update is None or (day - last_update).days > limit):
        out.append(f"未按时更新（最近更新 {last_update or '不详'}，应每 {limit} 日内更新）")
    return out


def _open_board_problem(session: Session, actor: Actor, village_id: str, key: str, text: str,
                        day: date, source: str, responsible: str, today: date) -> str | None:
    """One open 公示不规范 problem per board (or missing board) at a time."""
    existing = session.execute(select(Problem).where(
        Problem.auto_key == key, Problem.state.in_(pr.OPEN_STATES), Problem.deleted_at.is_(None))).scalars().first()
    if existing is not None:
        return existing.id
    village = c.village_names(session).get(village_id)
    info = pr.create_problem(session, actor, source=source, category=BOARD_PROBLEM,
                             description=f"{village}公示栏：{text}", found_date=day, responsible=responsible,
                             village=village, auto_key=key, today=today)
    return info.id


def inspect_board(session: Session, actor: Actor, *, village: str, day: date, inspector: str,
                  present: bool = True, damaged: bool = False, items_complete: bool = True,
                  last_update: date | None = None, visit: str | None = None, note: str | None = None,
                  today: date | None = None) -> BoardInfo:
    """Record an inspection of a village's 公示栏; a fault opens a 公示不规范 problem."""
    require(actor, "supervision.edit")
    today = today or clock.today()
    c.past_date("检查日期", day, today)
    if last_update is not None:
        c.past_date("最近更新日期", last_update, day)
    board = _board(session, actor, village)
    if board is None:
        raise ValidationError("公示栏", village, "该村（居）尚未登记公示栏：请先登记公示栏及其责任人")
    v = c.by_number(session, SupervisionVisit, visit, "督导检查") if visit else None
    found = faults(session, present=present, damaged=damaged, items_complete=items_complete,
                   last_update=last_update, day=day)
    ins = BoardInspection(board_id=board.id, day=day, inspector=c.text("检查人", inspector, max_len=60),
                          present=bool(present), damaged=bool(damaged), items_complete=bool(items_complete),
                          last_update=last_update, visit_id=v.id if v else None,
                          note=c.text("备注", note, required=False))
    c.add(session, actor, ins, "board_inspection", "board.inspect")
    if found:
        workdays.ensure_seeded(session, actor)
        ins.problem_id = _open_board_problem(session, actor, board.village_id, f"board:{board.id}",
                                             "；".join(found), day, "督导检查" if v else "自查",
                                             board.responsible, today)
    return board_status(session, today=day, village_id=board.village_id)[0]


def board_status(session: Session, *, today: date, village_id: str | None = None) -> list[BoardInfo]:
    """Every village's 公示栏 and whether it is in order today (by its last inspection)."""
    stmt = select(Village).where(Village.deleted_at.is_(None))
    if village_id:
        stmt = stmt.where(Village.id == village_id)
    out = []
    for v in session.execute(stmt.order_by(Village.sort_order, Village.name)).scalars():
        board = session.execute(select(NoticeBoard).where(NoticeBoard.village_id == v.id,
                                                          NoticeBoard.deleted_at.is_(None))).scalars().first()
        if board is None:
            out.append(BoardInfo(v.name, None, None, None, None, None, ["未登记公示栏"]))
            continue
        last = session.execute(select(BoardInspection).where(BoardInspection.board_id == board.id)
                               .order_by(BoardInspection.day.desc(), BoardInspection.created_at.desc())
                               ).scalars().first()
        if last is None:
            out.append(BoardInfo(v.name, board.id, board.location, board.responsible, None, None, ["尚未检查"]))
            continue
        out.append(BoardInfo(v.name, board.id, board.location, board.responsible, last.day, last.last_update,
                             faults(session, present=last.present, damaged=last.damaged,
                                    items_complete=last.items_complete, last_update=last.last_update,
                                    day=today)))
    return out


def check_boards(session: Session, actor: Actor, *, today: date | None = None) -> list[str]:
    """Open a 公示不规范 problem for each village without a board and each board now stale or
    faulty by its last inspection (idempotent); the problem numbers opened or still open."""
    require(actor, "supervision.edit")
    today = today or clock.today()
    workdays.ensure_seeded(session, actor)
    out = []
    for b in board_status(session, today=today):
        if not b.faults or b.faults == ["尚未检查"]:
            continue
        vid = c.village_id(session, actor, b.village)
        key = f"board:{b.board_id}" if b.board_id else f"board-missing:{vid}"
        pid = _open_board_problem(session, actor, vid, key, "；".join(b.faults), today, "自查",
                                  b.responsible or "村（居）委会主任", today)
        out.append(session.get(Problem, pid).number)
    return out


def findings_for_supervision(session: Session, *, since: date | None = None) -> list[procedure.OverrideInfo]:
    """What supervision should look at first: approvals that overrode missing steps (先行救助)."""
    return procedure.overrides(session, since=since)
