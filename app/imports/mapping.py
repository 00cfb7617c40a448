"""Which column means what: Chinese column names with their synonyms, the header row found
below title rows (also a two-row header with merged group cells), and the mapping the clerk
corrects and saves per file layout (keyed by a signature of the header).

A column is never guessed from its content: it is mapped by its name, or by the clerk.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.errors import ValidationError
from app.imports.readers import HEADER_SCAN, Sheet, column_letter, fill_merged, first_cells, is_blank, is_footer
from app.permissions import Actor, require
from db.check_models import ImportLayout

# field -> (Chinese label, synonyms as they appear in headers). Compared after normalising
# (spaces, brackets and line breaks removed, full-width folded).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    # household
    "village": ("所属村（居）", ("所属村居", "村居", "村", "所在村", "所属村", "村社区", "村（社区）",
                              "所属社区", "社区", "村居委会", "所属村居委会", "村组")),
    "head_name": ("户主姓名", ("户主姓名", "户主")),
    "head_id": ("户主身份证号", ("户主身份证号", "户主身份证号码", "户主公民身份号码", "户主证件号码")),
    "category": ("保障类别", ("保障类别", "救助类别", "保障类型", "类别", "对象类别", "供养类别")),
    "urban_rural": ("城乡", ("城乡", "城乡类别", "城乡属性")),
    "amount": ("月保障金额", ("月保障金", "月保障金额", "保障金额元", "保障金额", "户月保障金额",
                            "月发放金额", "月救助金额", "保障金", "月供养金额", "供养金额")),
    "address": ("家庭住址", ("家庭住址", "住址", "地址", "家庭地址", "居住地址", "现住址")),
    "phone": ("联系电话", ("联系电话", "电话", "手机号码", "手机号", "联系方式")),
    "bank_account": ("银行账号", ("银行账号", "账号", "银行卡号", "一卡通账号", "社保卡号", "发放账号")),
    "classification": ("分类", ("分类", "分类管理类别", "管理类别", "家庭分类")),
    "poverty_cause": ("致贫原因", ("致贫原因", "主要致贫原因", "困难原因")),
    "approve_date": ("批准日期", ("批准日期", "审批日期", "纳入时间", "纳入日期", "保障起始日期", "审批时间")),
    "family_size": ("家庭人口", ("家庭人口", "家庭人口数", "家庭人数", "户人口")),
    "covered_count": ("保障人口", ("保障人口", "保障人数", "享受人数", "保障人口数")),
    # person
    "name": ("姓名", ("姓名", "成员姓名", "家庭成员姓名", "人员姓名", "死者姓名", "逝者姓名")),
    "id_number": ("身份证号", ("公民身份号码", "身份证号", "身份证号码", "证件号码", "身份证件号码",
                             "成员身份证号", "死者身份证号", "逝者身份证号")),
    "relation": ("与户主关系", ("与户主关系", "与户主的关系", "关系", "家庭关系")),
    "gender": ("性别", ("性别",)),
    "birth_date": ("出生日期", ("出生日期", "出生年月")),
    "work_ability": ("劳动能力", ("劳动能力", "劳动能力状况")),
    "health": ("健康状况", ("健康状况", "健康情况", "患病情况")),
    "disability": ("残疾情况", ("残疾情况", "残疾类别", "残疾等级", "残疾类别等级", "残疾状况")),
    # external lists (data sources)
    "event_date": ("日期", ("死亡日期", "死亡时间", "火化日期", "火化时间", "注销日期", "登记日期",
                          "发证日期", "认定日期", "纳入监测日期", "参保日期")),
    "detail": ("内容", ("工作单位", "单位名称", "单位", "车牌号", "车牌号码", "号牌号码", "房屋坐落",
                      "不动产坐落", "房产地址", "企业名称", "市场主体名称", "残疾等级", "残疾类别",
                      "病种", "疾病名称", "监测类型", "险种", "参保险种", "情况说明")),
}
IGNORED = ("序号", "编号", "备注", "户编号", "家庭编号")
HOUSEHOLD_FIELDS = ("village", "head_name", "head_id", "category", "urban_rural", "amount", "address",
                    "phone", "bank_account", "classification", "poverty_cause", "approve_date",
                    "family_size", "covered_count")
ROSTER_FIELDS = HOUSEHOLD_FIELDS + ("name", "id_number", "relation", "gender", "birth_date",
                                    "work_ability", "health", "disability")
SOURCE_FIELDS = ("name", "id_number", "event_date", "detail", "address", "village")
_NOISE = re.compile(r"[\s()（）\[\]【】:：*＊/、·.．]")


def norm(text: object) -> str:
    """Header text as compared: full-width folded, spaces, brackets and punctuation removed."""
    s = "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in str(text or ""))
    return _NOISE.sub("", s).strip()


_LOOKUP: dict[str, list[str]] = {}
for _key, (_label, _syns) in FIELDS.items():
    for _s in (_label, *_syns):
        if _key not in _LOOKUP.setdefault(norm(_s), []):
            _LOOKUP[norm(_s)].append(_key)


def field_for(label: str, allowed: tuple[str, ...]) -> str | None:
    """The field a header label names, or None. "户主" in a group label makes 姓名/身份证号 the
    head's (two-row header: 户主信息 | 姓名, 身份证号)."""
    key = norm(label)
    if not key:
        return None
    hits = _LOOKUP.get(key) or _LOOKUP.get(re.sub(r"元$", "", key)) or []
    return next((h for h in hits if h in allowed), None)


@dataclass
class Table:
    """The data region of one sheet: header labels, column → field, data rows with row numbers."""

    sheet: str
    header_row: int  # 1-based row of the (last) header row
    labels: list[str]
    mapping: dict[int, str]  # 0-based column -> field
    rows: list[tuple[int, list[object]]]  # (1-based row number, cells)
    signature: str = ""
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why) footers

    def column_name(self, index: int) -> str:
        label = (self.labels[index] if index < len(self.labels) else "").replace("|", "/")
        return f"{column_letter(index)}列“{label}”" if label else f"{column_letter(index)}列"

    def column_of(self, fld: str) -> int | None:
        for col, f in self.mapping.items():
            if f == fld:
                return col
        return None


def _labels(rows: list[list[object]], r: int, two: bool) -> list[str]:
    top = [str(v).strip() if not is_blank(v) else "" for v in rows[r]]
    if not two:
        return top
    sub = [str(v).strip() if not is_blank(v) else "" for v in rows[r + 1]]
    width = max(len(top), len(sub))
    top += [""] * (width - len(top))
    sub += [""] * (width - len(sub))
    out, group = [], ""
    for c in range(width):
        if top[c]:
            group = top[c]
        elif not sub[c]:
            group = ""
        if sub[c]:
            out.append(f"{group}|{sub[c]}" if group and group != sub[c] else sub[c])
        else:
            out.append(top[c])
    return out


def _map_labels(labels: list[str], allowed: tuple[str, ...]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for c, label in enumerate(labels):
        group, _, own = label.rpartition("|")
        fld = field_for(own, allowed) or (field_for(group + own, allowed) if group else None)
        if fld in ("name", "id_number") and "户主" in group:
            fld = "head_name" if fld == "name" else "head_id"
        if fld == "name" and "户主" in group:
            fld = "head_name"
        if fld and fld not in used:
            mapping[c] = fld
            used.add(fld)
    return mapping


def signature(labels: list[str]) -> str:
    """A short stable key of a file layout: the normalised header labels in order."""
    return hashlib.sha256("|".join(norm(x) for x in labels).encode("utf-8")).hexdigest()[:32]


def find_table(sheet: Sheet, allowed: tuple[str, ...], *, household_columns: tuple[str, ...] = ()) -> Table | None:
    """Find the header below any title rows, map the columns, and return the data rows (merged
    household columns filled down, footers and empty rows skipped). None when no header is found."""
    rows = sheet.rows
    best: tuple[int, int, bool] | None = None  # (matches, row, two-row)
    for r in range(min(HEADER_SCAN, len(rows))):
        if sum(1 for v in rows[r] if not is_blank(v)) < 2:
            continue
        for two in (False, True):
            if two and r + 1 >= len(rows):
                continue
            found = len(_map_labels(_labels(rows, r, two), allowed))
            if found >= 2 and (best is None or found > best[0]):
                best = (found, r, two)
    if best is None:
        return None
    _, r, two = best
    labels = _labels(rows, r, two)
    mapping = _map_labels(labels, allowed)
    last = r + 1 if two else r
    fill_cols = {c for c, f in mapping.items() if f in household_columns}
    fill_merged(sheet, last + 1, fill_cols)
    table = Table(sheet.name, last + 1, labels, mapping, [], signature(labels))
    for i in range(last + 1, len(rows)):
        row = rows[i]
        cells = first_cells(row)
        if not cells:
            continue
        if is_footer(row, cells):
            table.skipped.append((i + 1, "合计或落款行"))
            continue
        table.rows.append((i + 1, row))
    return table


def apply_saved(session: Session, table: Table, allowed: tuple[str, ...]) -> bool:
    """Use the mapping saved for this layout (True when there was one)."""
    saved = session.execute(select(ImportLayout).where(
        ImportLayout.signature == table.signature, ImportLayout.deleted_at.is_(None))).scalars().first()
    if saved is None:
        return False
    table.mapping = {int(c): f for c, f in json.loads(saved.mapping).items() if f in allowed}
    return True


def correct(table: Table, corrections: dict[int, str | None], allowed: tuple[str, ...]) -> None:
    """The clerk's corrections: column → field (None or "" to ignore the column)."""
    for col, fld in corrections.items():
        if fld and fld not in allowed:
            raise ValidationError(table.column_name(col), fld, "不是可以导入的项目")
        if col < 0 or col >= len(table.labels):
            raise ValidationError("列", column_letter(col) if col >= 0 else col, "文件中没有这一列")
        table.mapping.pop(col, None)
        if fld:
            for other, f in list(table.mapping.items()):
                if f == fld:
                    del table.mapping[other]
            table.mapping[col] = fld


def save_layout(session: Session, actor: Actor, table: Table, *, kind: str) -> None:
    """Remember the clerk's mapping for files with this header (audited)."""
    require(actor, "import.source")
    value = json.dumps({str(c): f for c, f in sorted(table.mapping.items())}, ensure_ascii=False)
    row = session.execute(select(ImportLayout).where(
        ImportLayout.signature == table.signature, ImportLayout.deleted_at.is_(None))).scalars().first()
    if row is None:
        row = ImportLayout(owner_office=actor.office_code, signature=table.signature, kind=kind,
                           labels=json.dumps(table.labels, ensure_ascii=False), mapping=value,
                           updated_by=actor.username)
        session.add(row)
        audit.record_change(session, actor, "import.layout", "import_layout", row, None)
    elif row.mapping != value:
        before = audit.state(row)
        row.mapping, row.kind, row.updated_by = value, kind, actor.username
        audit.record_change(session, actor, "import.layout", "import_layout", row, before)


def label_of(fld: str) -> str:
    return FIELDS[fld][0]
