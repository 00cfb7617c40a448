"""Reading spreadsheets as the offices receive them: .xlsx, .xls (python-calamine) and .csv.

Real files are messy: title rows above the header, two-row headers with merged group cells,
household columns merged vertically over the member rows, footers (合计, 制表人 …), hidden and
empty sheets, numbers where text belongs. This module only turns a file into rows of cells with
their position (sheet, 1-based row and column as Excel shows them); which column means what is
:mod:`app.imports.mapping`'s job. A file that cannot be read raises :class:`ReadError` with a
Chinese message naming the file and the reason; nothing here writes anything.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from app.errors import ValidationError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ROWS = 1_000_000
HEADER_SCAN = 30  # header row searched among the first rows
FOOTER_WORDS = ("合计", "总计", "小计", "制表人", "填表人", "填报人", "审核人", "负责人", "制表日期",
                "填报日期", "注：", "注:", "说明：", "说明:", "备注：", "备注:")


class ReadError(ValidationError):
    """The file cannot be read at all (exit code 10, like any refused input)."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__("文件", Path(path).name, reason)


@dataclass
class Sheet:
    """One sheet's cells (values as calamine gives them: str, int, float, bool, date …)."""

    name: str
    rows: list[list[object]]
    hidden: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 (0-based)


@dataclass
class Book:
    path: Path
    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)  # sheets skipped and why


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sniff(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        raise ReadError(path, "文件不存在") from None
    except IsADirectoryError:
        raise ReadError(path, "这是一个文件夹，不是文件") from None
    except PermissionError:
        raise ReadError(path, "没有权限读取该文件（可能正被 Excel 等程序打开）；请关闭后重试") from None
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if path.suffix.lower() in (".csv", ".txt"):
        return "csv"
    if not head:
        raise ReadError(path, "文件是空的")
    raise ReadError(path, "不是 Excel（.xlsx/.xls）或 CSV 文件；请在 Excel 中“另存为” .xlsx 后再导入")


def read_book(path: str | Path) -> Book:
    """Read every sheet of a workbook or CSV file; raise :class:`ReadError` when impossible."""
    path = Path(path)
    kind = _sniff(path)
    if kind == "csv":
        return Book(path, [Sheet(path.stem, _read_csv(path))])
    if kind == "ole" and path.suffix.lower() == ".xlsx":
        raise ReadError(path, "文件设置了打开密码（已加密），程序不能读取；请在 Excel 中取消密码后另存再导入")
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise ReadError(path, "文件设置了打开密码（已加密），程序不能读取；请在 Excel 中取消密码后另存再导入") from None
    except python_calamine.CalamineError as exc:
        if kind == "ole":
            raise ReadError(path, "文件已加密或不是有效的 .xls 文件（可能设置了打开密码）；"
                            "请在 Excel 中打开、取消密码后另存为 .xlsx 再导入") from None
        raise ReadError(path, f"文件已损坏或不是有效的 Excel 文件（{type(exc).__name__}）") from None
    book = Book(path, [])
    try:
        for meta in wb.sheets_metadata:
            hidden = str(meta.visible).split(".")[-1] != "Visible"
            if str(meta.typ).split(".")[-1] != "WorkSheet":
                book.notes.append(f"工作表“{meta.name}”不是数据表，已跳过")
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            if sheet.height > MAX_ROWS:
                raise ReadError(path, f"工作表“{meta.name}”有 {sheet.height} 行，超过 {MAX_ROWS} 行的上限")
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            if hidden:
                book.notes.append(f"工作表“{meta.name}”是隐藏的，已跳过（如需导入请先在 Excel 中取消隐藏）")
                continue
            book.sheets.append(Sheet(meta.name, rows, hidden, merged))
    except python_calamine.CalamineError as exc:
        raise ReadError(path, f"读取工作表时出错，文件可能已损坏（{type(exc).__name__}）") from None
    finally:
        wb.close()
    return book


def _read_csv(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly any byte string
        raise ReadError(path, "文字编码无法识别（应为 UTF-8 或 GBK）")
    if "\x00" in text:
        raise ReadError(path, "不是文本格式的 CSV 文件")
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ReadError(path, f"CSV 格式错误：{exc}") from None
    if len(rows) > MAX_ROWS:
        raise ReadError(path, f"有 {len(rows)} 行，超过 {MAX_ROWS} 行的上限")
    return rows


def fill_merged(sheet: Sheet, first_row: int, columns: set[int]) -> None:
    """Give every cell of a vertically merged area in ``columns`` (at or below ``first_row``) the
    value of its top-left cell — a household column merged over its member rows."""
    rows = sheet.rows
    for r0, c0, r1, c1 in sheet.merged:
        if r1 <= r0 or r0 < first_row or c0 not in columns or r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if row[c] in ("", None):
                    row[c] = top


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def first_cells(row: list[object], n: int = 3) -> list[str]:
    """The first ``n`` non-blank cells of a row as stripped text ([] for an empty row)."""
    cells: list[str] = []
    for v in row:
        if v is None:
            continue
        text = (v if isinstance(v, str) else str(v)).strip()
        if text:
            cells.append(text)
            if len(cells) == n:
                break
    return cells


TOTALS = ("合计", "总计", "小计")


def is_footer(row: list[object], cells: list[str] | None = None) -> bool:
    """A total or signature row below the data (合计, 制表人, 注： …); ``cells`` are the row's
    :func:`first_cells` when the caller has them already."""
    cells = first_cells(row) if cells is None else cells
    if not cells:
        return True
    if cells[0].replace(" ", "").startswith(FOOTER_WORDS):
        return True
    return "计" in "".join(cells) and any(c.replace(" ", "") in TOTALS for c in cells)  # 合计 总计 小计
