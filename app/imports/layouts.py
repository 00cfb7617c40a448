"""Roster layouts and stated values beside the ID number: a roster with one row per household,
and 出生日期/性别 columns checked against what the ID number says (warnings only)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from app.imports import mapping as mp
from app.imports import values as val
from app.imports.readers import is_blank

if TYPE_CHECKING:
    from app.imports.roster import PersonPlan, RosterPlan


class Row(Protocol):
    """A roster row as app.imports.roster reads it (sheet, row number, field → (value, column))."""

    sheet: str
    row: int
    cells: dict[str, tuple[object, str]]

    def get(self, fld: str) -> object: ...

    def col(self, fld: str) -> str: ...


def household_layout(table: mp.Table, plan: "RosterPlan") -> None:
    """A roster with one row per household: 户主姓名 and an ID column named plainly 身份证号
    (no 姓名 column, no 户主身份证号 column). The ID column is the head's: each row becomes a
    household with its head as its member (家庭人口/保障人口 are kept as figures)."""
    fields = set(table.mapping.values())
    if "head_name" in fields and "id_number" in fields and not fields & {"name", "head_id", "relation"}:
        col = table.column_of("id_number")
        table.mapping[col] = "head_id"
        plan.notes.append(f"工作表“{table.sheet}”只有户主姓名、没有成员姓名列：{table.column_name(col)}"
                          "按户主身份证号读取")
        fields = set(table.mapping.values())
    if "head_id" in fields and "id_number" not in fields:
        plan.notes.append(f"工作表“{table.sheet}”每行一户（没有家庭成员行）：户主作为该户的成员导入，其他成员请另行"
                          "补录；文件中的家庭人口、保障人口作为数字记入该户的导入环节")


def stated_birth_and_gender(r: Row, p: "PersonPlan", plan: "RosterPlan") -> None:
    """出生日期/性别 columns are read from the ID number; what the file states is only checked
    (a warning naming row, column, value and rule — the ID number decides)."""
    if "birth_date" in r.cells and not is_blank(r.get("birth_date")):
        try:
            stated = val.day(r.get("birth_date"))
        except val.CellError as exc:
            plan.warnings.append(_issue(r.sheet, r.row, r.col("birth_date"), f"{p.name}：{exc.reason}；"
                                        f"出生日期以身份证号为准（{p.birth_date}）"))
        else:
            if stated != p.birth_date:
                plan.warnings.append(_issue(r.sheet, r.row, r.col("birth_date"),
                                            f"{p.name}的出生日期填 {stated}，与身份证号（{p.birth_date}）不符，"
                                            "以身份证号为准"))
    if "gender" in r.cells and not is_blank(r.get("gender")):
        stated = "".join(str(r.get("gender")).split())
        if stated not in ("男", "女"):
            plan.warnings.append(_issue(r.sheet, r.row, r.col("gender"), f"{p.name}的性别“{stated}”应为“男”或“女”；"
                                        f"性别以身份证号为准（{p.gender}）"))
        elif stated != p.gender:
            plan.warnings.append(_issue(r.sheet, r.row, r.col("gender"), f"{p.name}的性别填“{stated}”，与身份证号"
                                        f"（{p.gender}）不符，以身份证号为准"))


def _issue(*args: object):  # noqa: ANN202
    from app.imports.roster import Issue

    return Issue(*args)
