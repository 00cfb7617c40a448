"""花名册导入 — the plan (preview) before anything is written.

From one roster file (a row per member, household columns merged over the member rows or
repeated on every row, or a row per household) or from the provincial system's paired exports
(a family file and a person file joined on the head's ID number), the plan lists households and
persons to add, to update (with the field changes), unchanged, and every refused row with sheet,
row, column and reason. Nothing is guessed: a person whose head is not in the family file is
refused; a household with a refused row is refused whole; an ID number damaged by Excel is
reported with candidates by name and birth date (:mod:`app.imports.values`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from app import clock
from app.bulk import gc_paused
from app.jobs import raise_if_cancelled
from app.imports import mapping as mp
from app.imports import values as val
from app.imports.compare import Existing as _Existing
from app.imports.compare import compare_household
from app.imports.layouts import household_layout, stated_birth_and_gender
from app.imports.readers import ReadError, is_blank, read_book

HH_COMPARED = ("head_name", "village_id", "address", "phone", "bank_account", "classification",
               "poverty_cause", "urban_rural", "category", "monthly_amount")
MEMBER_COMPARED = ("name", "relation", "work_ability", "health", "disability")
LABELS = {"head_name": "户主姓名", "village_id": "村（居）", "address": "家庭住址", "phone": "联系电话",
          "bank_account": "银行账号", "classification": "分类", "poverty_cause": "致贫原因",
          "urban_rural": "城乡", "category": "保障类别", "monthly_amount": "月保障金额",
          "name": "姓名", "relation": "与户主关系", "work_ability": "劳动能力", "health": "健康状况",
          "disability": "残疾情况"}


@dataclass
class Issue:
    sheet: str
    row: int | None
    column: str
    reason: str
    candidates: list[str] = field(default_factory=list)
    damaged: bool = False

    def text(self) -> str:
        where = f"工作表“{self.sheet}”" + (f"第 {self.row} 行" if self.row else "") + \
            (f" {self.column}" if self.column else "")
        more = f"；可能是：{'；'.join(self.candidates)}" if self.candidates else ""
        return f"{where}：{self.reason}{more}"


@dataclass
class PersonPlan:
    sheet: str
    row: int
    name: str
    id_number: str
    gender: str
    birth_date: date
    relation: str
    work_ability: str | None = None
    health: str | None = None
    disability: str | None = None
    action: str = "add"  # add | update | same
    member_id: str | None = None
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)


@dataclass
class HouseholdPlan:
    sheet: str
    row: int
    head_id: str
    head_name: str
    village: str
    village_id: str
    category: str | None
    urban_rural: str
    monthly_amount: Decimal | None
    values: dict[str, object] = field(default_factory=dict)  # address, phone, … as in the file
    approve_date: date | None = None
    members: list[PersonPlan] = field(default_factory=list)
    action: str = "add"
    household_id: str | None = None
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    gated: list[str] = field(default_factory=list)  # differences only a proposal may change
    family_size: int | None = None  # 家庭人口, 保障人口 as the file states them (kept as figures)
    covered_count: int | None = None


@dataclass
class RosterPlan:
    files: list[str]
    households: list[HouseholdPlan] = field(default_factory=list)
    refused: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[mp.Table] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for h in self.households if h.action == action)

    def persons(self, action: str) -> int:
        return sum(1 for h in self.households for p in h.members if p.action == action)

    @property
    def has_changes(self) -> bool:
        return any(h.action != "same" or any(p.action != "same" for p in h.members) for h in self.households)

    def summary(self) -> dict:
        return {"households_add": self.count("add"), "households_update": self.count("update"),
                "households_same": self.count("same"), "persons_add": self.persons("add"),
                "persons_update": self.persons("update"), "persons_same": self.persons("same"),
                "refused": len(self.refused), "damaged": sum(1 for i in self.refused if i.damaged),
                "warnings": len(self.warnings)}


@dataclass
class _Row:
    sheet: str
    row: int
    cells: dict[str, tuple[object, str]]  # field -> (value, column name)

    def get(self, fld: str) -> object:
        cell = self.cells.get(fld)
        return None if cell is None else cell[0]

    def col(self, fld: str) -> str:
        return self.cells.get(fld, (None, mp.label_of(fld)))[1] or mp.label_of(fld)


class _Group:
    def __init__(self, key: str, first: _Row):
        self.key, self.first = key, first
        self.family: dict[str, tuple[object, str]] = {}
        self.rows: list[_Row] = []
        self.refused = False


def _tables(session: Session | None, path: Path, corrections: dict[int, str | None] | None,
            plan: RosterPlan) -> list[mp.Table]:
    book = read_book(path)
    plan.notes.extend(f"{path.name}：{n}" for n in book.notes)
    found = []
    for sheet in book.sheets:
        table = mp.find_table(sheet, mp.ROSTER_FIELDS, household_columns=mp.HOUSEHOLD_FIELDS)
        if table is None:
            if any(not is_blank(v) for r in sheet.rows[:50] for v in r):
                plan.notes.append(f"{path.name}：工作表“{sheet.name}”中找不到可识别的表头，已跳过")
            continue
        if session is not None:
            mp.apply_saved(session, table, mp.ROSTER_FIELDS)
        if corrections and not found:
            mp.correct(table, corrections, mp.ROSTER_FIELDS)
        plan.notes.extend(f"工作表“{table.sheet}”第 {r} 行：{why}，已跳过" for r, why in table.skipped)
        found.append(table)
    if not found:
        raise ReadError(path, "找不到表头：没有一个工作表含有“姓名”“身份证号”等可识别的列名；"
                        "请检查文件，或在预览中手工指定各列")
    plan.tables.extend(found)
    return found


def _rows(table: mp.Table) -> list[_Row]:
    out = []
    hh_cols = [c for c, f in table.mapping.items() if f in mp.HOUSEHOLD_FIELDS]
    previous: dict[int, object] = {}
    relation_col = table.column_of("relation")
    names = {c: table.column_name(c) for c in table.mapping}
    spec = [(c, f, names[c]) for c, f in table.mapping.items()]
    width = max(table.mapping, default=-1) + 1
    for number, cells in table.rows:
        row = list(cells)
        if len(row) < width:
            row.extend([None] * (width - len(row)))
        is_head = relation_col is not None and relation_col < len(row) and \
            "".join(str(row[relation_col]).split()) in ("户主", "本人", "户主本人")
        if hh_cols and relation_col is not None and not is_head and \
                all(c >= len(row) or is_blank(row[c]) for c in hh_cols):
            for c in hh_cols:  # a member row under its household, household columns left blank
                while len(row) <= c:
                    row.append("")
                row[c] = previous.get(c, "")
        else:
            previous = {c: row[c] if c < len(row) else "" for c in hh_cols}
        out.append(_Row(table.sheet, number, {f: (row[c], name) for c, f, name in spec}))
    return out


def _missing(table: mp.Table, needed: tuple[str, ...], plan: RosterPlan) -> bool:
    lost = [mp.label_of(f) for f in needed if f not in table.mapping.values()]
    if lost:
        plan.refused.append(Issue(table.sheet, table.header_row, "", f"缺少必需的列：{'、'.join(lost)}"
                                  "（请在预览中为相应的列指定项目）"))
    return bool(lost)


def plan_roster(session: Session, path: str | Path, *, persons_path: str | Path | None = None,
                category: str | None = None, village: str | None = None,
                corrections: dict[int, str | None] | None = None, today: date | None = None,
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> RosterPlan:
    """Read, validate and compare a roster (or a family file with its person file).
    ``progress(done, total)`` is told every 1,000 households; ``cancelled()`` stops the work
    (app.jobs.Cancelled)."""
    with gc_paused():
        return _plan_roster(session, path, persons_path=persons_path, category=category, village=village,
                            corrections=corrections, today=today, progress=progress, cancelled=cancelled)


def _plan_roster(session: Session, path: str | Path, *, persons_path: str | Path | None,
                 category: str | None, village: str | None, corrections: dict[int, str | None] | None,
                 today: date | None, progress: Callable[[int, int], None] | None,
                 cancelled: Callable[[], bool] | None) -> RosterPlan:
    today = today or clock.today()
    path = Path(path)
    plan = RosterPlan([path.name] + ([Path(persons_path).name] if persons_path else []))
    groups: dict[str, _Group] = {}
    order: list[str] = []
    ids = val.IdMemo(today)
    if category is None:
        category = _category_from_name(path.name, plan)
    if persons_path is not None:
        for table in _tables(session, path, corrections, plan):
            if _missing(table, ("head_name", "head_id"), plan):
                continue
            for r in _rows(table):
                key = _head_key(r, "head_id", plan, ids)
                if key is None:
                    continue
                if key in groups:
                    plan.refused.append(Issue(r.sheet, r.row, r.col("head_id"), f"户主身份证号与第 "
                                              f"{groups[key].first.row} 行重复"))
                    continue
                g = groups[key] = _Group(key, r)
                g.family = {f: v for f, v in r.cells.items() if f in mp.HOUSEHOLD_FIELDS}
                order.append(key)
        for table in _tables(session, Path(persons_path), None, plan):
            if _missing(table, ("name", "id_number", "head_id", "relation"), plan):
                continue
            for r in _rows(table):
                key = _head_key(r, "head_id", plan, ids)
                if key is None:
                    continue
                if key not in groups:
                    plan.refused.append(Issue(r.sheet, r.row, r.col("head_id"),
                                              f"户主身份证号 {key} 在家庭文件中找不到，此人未导入（不作猜测）"))
                    continue
                groups[key].rows.append(r)
    else:
        for table in _tables(session, path, corrections, plan):
            household_layout(table, plan)
            if "id_number" not in table.mapping.values() and "head_id" in table.mapping.values():
                needed: tuple[str, ...] = ("head_name", "head_id")
            else:
                needed = ("name", "id_number")
            if _missing(table, needed, plan):
                continue
            _group_rows(table, _rows(table), groups, order, plan, ids)
    existing = _Existing(session)
    for i, key in enumerate(order):
        if i % 1000 == 0:
            raise_if_cancelled(cancelled)
            if progress:
                progress(i, len(order))
        g = groups[key]
        if not g.refused:
            _plan_household(session, g, plan, existing, category=category, village=village, ids=ids)
    return plan


def _category_from_name(file_name: str, plan: RosterPlan) -> str | None:
    from app import codes

    for c in sorted(codes.values("categories"), key=len, reverse=True):
        if c in file_name:
            plan.notes.append(f"文件中没有“保障类别”列时，保障类别取自文件名：{c}")
            return c
    return None


def _head_key(r: _Row, fld: str, plan: RosterPlan, ids: val.IdMemo) -> str | None:
    try:
        res = ids(r.get(fld))
    except val.CellError as exc:
        plan.refused.append(_id_issue(r, fld, exc, None))
        return None
    return res.info.number


def _group_rows(table: mp.Table, rows: list[_Row], groups: dict[str, _Group], order: list[str],
                plan: RosterPlan, ids: val.IdMemo) -> None:
    by_head = "head_id" in table.mapping.values()
    has_relation = "relation" in table.mapping.values()
    has_persons = "id_number" in table.mapping.values()
    family_fields = [f for f in table.mapping.values() if f in mp.HOUSEHOLD_FIELDS]
    current: _Group | None = None
    for r in rows:
        if by_head:
            key = _head_key(r, "head_id", plan, ids)
            if key is None:
                continue
        elif not has_relation or "".join(str(r.get("relation") or "").split()) in ("户主", "本人", "户主本人"):
            key = f"{r.sheet}:{r.row}"
        elif current is None:
            plan.refused.append(Issue(r.sheet, r.row, r.col("relation"), "在第一个户主行之前，无法确定属于哪一户"))
            continue
        else:
            key = current.key
        if key not in groups:
            groups[key] = _Group(key, r)
            order.append(key)
        current = groups[key]
        family = current.family
        if len(family) < len(family_fields):
            for f in family_fields:
                if f not in family and not is_blank(r.cells[f][0]):
                    family[f] = r.cells[f]
        if has_persons:
            current.rows.append(r)


def _id_issue(r: _Row, fld: str, exc: val.CellError, existing: _Existing | None) -> Issue:
    cands = existing.candidates(r.get("name") if fld == "id_number" else r.get("head_name"), exc.birth) \
        if exc.damaged and existing else []
    return Issue(r.sheet, r.row, r.col(fld), exc.reason, cands, exc.damaged)


def _plan_household(session: Session, g: _Group, plan: RosterPlan, ex: _Existing, *,
                    category: str | None, village: str | None, ids: val.IdMemo) -> None:
    issues: list[Issue] = []
    fam = _Row(g.first.sheet, g.first.row, g.family)

    def cell(fn, fld: str, *args):  # noqa: ANN001, ANN202
        try:
            return fn(fam.get(fld), *args)
        except val.CellError as exc:
            issues.append(Issue(fam.sheet, fam.row, fam.col(fld), exc.reason))
            return None

    persons: list[PersonPlan] = []
    seen: dict[str, int] = {}
    for r in g.rows:
        try:
            res = ids(r.get("id_number"))
            pname = val.name(r.get("name"))
            relation = val.relation(r.get("relation")) if "relation" in r.cells else "户主"
            p = PersonPlan(r.sheet, r.row, pname, res.info.number, res.info.gender, res.info.birth_date,
                           relation, val.choice(r.get("work_ability"), "work_abilities", "劳动能力"),
                           val.text(r.get("health"), max_len=100), val.text(r.get("disability"), max_len=100))
        except val.CellError as exc:
            fld = _failed_field(r, ids)
            issues.append(_id_issue(r, fld, exc, ex) if fld == "id_number" else
                          Issue(r.sheet, r.row, r.col(fld), exc.reason))
            continue
        if res.fixes:
            plan.warnings.extend(Issue(r.sheet, r.row, r.col("id_number"), f"{pname}的身份证号：{fix}")
                                 for fix in res.fixes)
        if p.id_number in seen:
            issues.append(Issue(r.sheet, r.row, r.col("id_number"), f"与第 {seen[p.id_number]} 行是同一个人（身份证号重复）"))
            continue
        seen[p.id_number] = r.row
        stated_birth_and_gender(r, p, plan)
        persons.append(p)
    head_id = g.key if len(g.key) == 18 and ":" not in g.key else None
    heads = [p for p in persons if p.relation == "户主"]
    if not heads and head_id and not is_blank(fam.get("head_name")):
        try:
            res = ids(head_id)
            heads = [PersonPlan(fam.sheet, fam.row, val.name(fam.get("head_name")), head_id, res.info.gender,
                                res.info.birth_date, "户主")]
            persons.insert(0, heads[0])
        except val.CellError as exc:
            issues.append(Issue(fam.sheet, fam.row, fam.col("head_name"), exc.reason))
    if len(heads) != 1:
        issues.append(Issue(g.first.sheet, g.first.row, fam.col("relation") if "relation" in fam.cells else "",
                            "这一户没有与户主关系为“户主”的成员" if not heads else
                            f"这一户有 {len(heads)} 名“户主”（第 {'、'.join(str(h.row) for h in heads)} 行）"))
    elif head_id and heads[0].id_number != head_id:
        issues.append(Issue(heads[0].sheet, heads[0].row, "", f"户主身份证号与“户主身份证号”列（{head_id}）不一致"))
    vname = fam.get("village") if not is_blank(fam.get("village")) else village
    village_hit = ex.village(vname) if not is_blank(vname) else None
    if village_hit is None:
        issues.append(Issue(fam.sheet, fam.row, fam.col("village"),
                            (f"“{vname}”不是本单位的村（居）" if not is_blank(vname) else "村（居）不能为空")
                            + f"；现有：{'、'.join(ex.villages) or '无'}"))
    cat = cell(val.category, "category") if not is_blank(fam.get("category")) else category
    hp = HouseholdPlan(fam.sheet, fam.row, heads[0].id_number if len(heads) == 1 else g.key,
                       heads[0].name if heads else "", village_hit[0] if village_hit else "",
                       village_hit[1] if village_hit else "", cat,
                       cell(val.choice, "urban_rural", "urban_rural", "城乡") or
                       ("城市" if cat == "城市低保" else "农村"), cell(val.amount, "amount"),
                       members=persons, approve_date=cell(val.day, "approve_date"))
    for fld, kind in (("address", None), ("phone", None), ("bank_account", None),
                      ("classification", "classifications"), ("poverty_cause", "poverty_causes")):
        if fld in fam.cells and not is_blank(fam.get(fld)):
            hp.values[fld] = cell(val.choice, fld, kind, mp.label_of(fld)) if kind else cell(val.text, fld)
    hp.family_size = size = cell(val.integer, "family_size")
    hp.covered_count = covered = cell(val.integer, "covered_count")
    if g.rows and size is not None and size != len(persons):  # a household-level row lists the head only
        plan.warnings.append(Issue(fam.sheet, fam.row, fam.col("family_size"),
                                   f"家庭人口填 {size} 人，文件中列出 {len(persons)} 人"))
    if size is not None and covered is not None and covered > size:
        plan.warnings.append(Issue(fam.sheet, fam.row, fam.col("covered_count"),
                                   f"保障人口填 {covered} 人，多于家庭人口 {size} 人"))
    if not issues:
        issues = compare_household(session, hp, ex, plan)
    if issues:
        plan.refused.extend(issues)
        rows = sorted({p.row for p in persons} | {fam.row} - {i.row for i in issues if i.sheet == fam.sheet})
        if rows:
            plan.refused.append(Issue(fam.sheet, None, "", f"因上述错误，第 {'、'.join(map(str, rows))} 行"
                                      f"所在的这一户（户主 {hp.head_name or g.key}）整户未导入"))
        return
    plan.households.append(hp)


def _failed_field(r: _Row, ids: val.IdMemo) -> str:
    checks = [("id_number", ids), ("name", val.name)]
    if "relation" in r.cells:
        checks.append(("relation", val.relation))
    for fld, fn in checks:
        try:
            fn(r.get(fld))
        except val.CellError:
            return fld
    return "work_ability"


