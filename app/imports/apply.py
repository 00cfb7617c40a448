"""Apply a roster plan: one transaction, audited; a plan without changes writes nothing (so
importing the same file twice changes nothing).

New households are written in bulk (one flush, one batch of audit entries continuing the hash
chain, search terms in one insert) so that a district roster of 100,000 members goes in within
seconds. They take the status 在保: a roster records decisions already taken (in the provincial
system or on paper); a ``其他`` step records the import and the file. Updates of existing
households go through :func:`app.households.apply_changes` (audited field by field).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, clock, search
from app import households as hs
from app.errors import ValidationError
from app import bulk
from app.imports.roster import HouseholdPlan, RosterPlan
from app.permissions import Actor, require
from app.reviews import next_review_date
from db.models import Household, Member, SearchTerm, Step, utcnow

MAX_LISTED = 8


@dataclass
class ApplyResult:
    households_added: int = 0
    households_updated: int = 0
    persons_added: int = 0
    persons_updated: int = 0
    skipped_refused: int = 0
    household_ids: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.households_added or self.households_updated or self.persons_added
                    or self.persons_updated)

    def summary(self) -> str:
        """What the import did, for the clerk (CLI and 数据比对 alike)."""
        skipped = f"跳过有误 {self.skipped_refused} 处" if self.skipped_refused else ""
        if not self.changed:
            return (f"未写入任何数据：{skipped}，其余内容与系统一致。" if skipped
                    else "无变化：文件中的内容与系统一致，未写入任何数据。")
        return (f"已导入：新增 {self.households_added} 户 {self.persons_added} 人，更新 {self.households_updated} 户、"
                f"{self.persons_updated} 人" + (f"；{skipped}" if skipped else "") + "。")


def refusal_error(plan: RosterPlan) -> ValidationError:
    """The Chinese message naming sheet, row and column of the first refused rows."""
    shown = "\n".join(i.text() for i in plan.refused[:MAX_LISTED])
    more = f"\n……另有 {len(plan.refused) - MAX_LISTED} 处" if len(plan.refused) > MAX_LISTED else ""
    return ValidationError("导入文件", "、".join(plan.files),
                           f"有 {len(plan.refused)} 处错误，未写入任何数据：\n{shown}{more}\n"
                           "请改正后重新导入（或选择跳过有误的行，只导入其余的户）")


def apply_roster(session: Session, actor: Actor, plan: RosterPlan, *, skip_refused: bool = False,
                 today: date | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ApplyResult:
    """Write the plan in the caller's transaction. Refused rows stop the import unless
    ``skip_refused`` (then only the households without errors are written, and the audit entry
    says how many rows were skipped)."""
    require(actor, "import.roster")
    today = today or clock.today()
    if plan.refused and not skip_refused:
        raise refusal_error(plan)
    result = ApplyResult(skipped_refused=len(plan.refused))
    if not plan.has_changes:
        return result
    new = [h for h in plan.households if h.action == "add"]
    with bulk.large_cache(session), bulk.gc_paused():
        _add_households(session, actor, new, result, today, progress)
    for hp in plan.households:
        if hp.action == "add" or (hp.action == "same" and all(p.action == "same" for p in hp.members)):
            continue  # added above, or nothing to write (not even read: a roster of 100,000 again)
        hh = session.get(Household, hp.household_id)
        touched = False
        if hp.changes:
            changes = {("village" if k == "village_id" else k): (hp.village if k == "village_id" else new_v)
                       for k, (_old, new_v) in hp.changes.items()}
            hs.apply_changes(session, actor, hh, changes)
            result.households_updated += 1
            touched = True
        for p in hp.members:
            if p.action == "add":
                m = Member(owner_office=hh.owner_office, household_id=hh.id, name=p.name,
                           id_number=p.id_number, gender=p.gender, birth_date=p.birth_date,
                           relation=p.relation, work_ability=p.work_ability, health=p.health,
                           disability=p.disability, updated_by=actor.username)
                session.add(m)
                audit.record_change(session, actor, "member.import", "member", m, None)
                result.persons_added += 1
                touched = True
            elif p.action == "update":
                m = session.get(Member, p.member_id)
                before = audit.state(m)
                for key, (_old, value) in p.changes.items():
                    setattr(m, key, value)
                m.updated_at, m.updated_by = utcnow(), actor.username
                audit.record_change(session, actor, "member.update", "member", m, before)
                result.persons_updated += 1
                touched = True
        if touched:
            search.reindex_household(session, hh)
            result.household_ids.append(hh.id)
    audit.record(session, actor, "import.roster", "import", "、".join(plan.files)[:60], None,
                 {"files": plan.files, **plan.summary(), "skipped_refused": result.skipped_refused})
    return result


def _blank(model) -> dict:  # noqa: ANN001
    """Every column of ``model`` with None, as :func:`app.audit.state` lists them."""
    return {c.key: None for c in model.__table__.columns}


def _add_households(session: Session, actor: Actor, new: list, result: ApplyResult, today: date,
                    progress: Callable[[int, int], None] | None) -> None:
    if not new:
        return
    office = actor.office_code
    count = session.execute(select(func.count()).select_from(Household)
                            .where(Household.owner_office == office)).scalar_one()
    now = utcnow()
    stamp = {"owner_office": office, "version": 1, "created_at": now, "updated_at": now,
             "updated_by": actor.username}
    hh_blank, m_blank, st_blank = _blank(Household), _blank(Member), _blank(Step)
    m_blank.update(stamp, lives_together=True, covered=True)
    st_blank.update(stamp, kind="其他", handler=actor.display_name, outcome="花名册导入")
    households, members, steps, terms = [], [], [], []
    audited: list[tuple[str, str, dict]] = []
    rank = search.rank_of("在保")
    cent = Decimal("0.01")
    # ids in ascending order: each index keyed by an id (or a household id) grows at its end, pages
    # stay in the cache instead of being read and written all over the B-tree
    ids = iter(sorted(bulk.fresh_ids(len(new) * 2 + sum(len(hp.members) for hp in new))))
    for i, hp in enumerate(new):
        count += 1
        hh = {**hh_blank, **stamp, "id": next(ids), "number": f"{office}-{count:06d}",
              "village_id": hp.village_id, "head_name": hp.head_name, "urban_rural": hp.urban_rural,
              "category": hp.category, "status": "在保",
              "monthly_amount": Decimal(hp.monthly_amount or 0).quantize(cent),
              "approve_date": hp.approve_date, "last_review_date": hp.approve_date,
              **{k: v for k, v in hp.values.items() if v is not None}}
        if hp.approve_date:
            hh["next_review_date"] = next_review_date(session, hh["classification"], hp.approve_date)
        hid = hh["id"]
        ms = [{**m_blank, "id": next(ids), "household_id": hid, "name": p.name, "id_number": p.id_number,
               "gender": p.gender, "birth_date": p.birth_date, "relation": p.relation,
               "work_ability": p.work_ability, "health": p.health, "disability": p.disability}
              for p in hp.members]
        step = {**st_blank, "id": next(ids), "household_id": hid, "day": hp.approve_date or today,
                "note": f"由花名册导入（工作表“{hp.sheet}”第 {hp.row} 行{_figures(hp)}）"}
        households.append(hh)
        members.extend(ms)
        steps.append(step)
        audited.append(("household.import", "household", hh))
        audited.extend(("member.import", "member", m) for m in ms)
        audited.append(("step.create", "step", step))
        terms.extend((hid, t, rank) for t in _terms(hh, ms, hp.village))
        result.households_added += 1
        result.persons_added += len(ms)
        result.household_ids.append(hid)
        if progress and (i + 1) % 2000 == 0:
            progress(i + 1, len(new))
    session.flush()
    for model, rows in ((Household, households), (Member, members), (Step, steps)):
        bulk.insert_rows(session, model.__table__, rows)
    bulk.insert_rows(session, SearchTerm.__table__, terms, columns=("household_id", "term", "rank"))
    # each entity's states in the order of its list, which is the order it is audited in
    after = {e: iter(bulk.state_jsons(m.__table__, rows)) for e, m, rows in (
        ("household", Household, households), ("member", Member, members), ("step", Step, steps))}
    bulk.audit_new(session, actor, ((a, e, row["id"], next(after[e])) for a, e, row in audited))


def _figures(hp: HouseholdPlan) -> str:
    """家庭人口/保障人口 as the file states them (no column of their own: kept in the step's note)."""
    parts = [f"{label} {n} 人" for label, n in (("家庭人口", hp.family_size), ("保障人口", hp.covered_count))
             if n is not None]
    return "；文件载" + "、".join(parts) if parts else ""


def _terms(hh: dict, members: list[dict], village: str) -> set[str]:
    return search.terms_of(hh["head_name"], hh["number"], village,
                           [(m["name"], m["id_number"]) for m in members])
