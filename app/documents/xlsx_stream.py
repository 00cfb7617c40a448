"""Fast bulk rows for openpyxl workbooks.

openpyxl serialises every cell through an element tree: ~35 s for 100,000
styled rows × 12 columns on the office PCs' class of machine (write-only mode,
measured; lxml does not change the order of magnitude).  The 排查统计表 must be
written in seconds, so the bulk data rows are streamed as SpreadsheetML text
straight into the package that openpyxl wrote:

1. openpyxl builds the whole workbook — styles, titles, header rows, merges,
   column widths, print setup, frozen panes — with ONE styled *prototype row*
   in each bulk sheet where the data begins;
2. this module reads the prototype's style ids (``s=``), replaces the
   prototype row by the generated rows and fixes ``<dimension>``.

Everything except the ``<row>`` elements of the data stays openpyxl's.  Text
cells are inline strings (``t="inlineStr"``), numbers ``<v>``, dates Excel
serial numbers with the prototype's date format.  The caller neutralises
formula injection (:func:`app.documents.excel.safe_text`) before this point;
characters XML 1.0 forbids (C0 controls other than tab/newline) are dropped.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = date(1899, 12, 30)
_CHUNK_ROWS = 2000


@dataclass
class BulkRows:
    """Rows to stream into ``sheet`` in place of its prototype row."""

    sheet: str  # worksheet title
    prototype_row: int  # 1-based row holding one styled cell per column
    kinds: Sequence[str]  # per column: text | id | int | money | date
    rows: Iterable[Sequence]  # values, one sequence per row
    written: int = 0  # filled in: rows written


def _esc(text: str) -> str:
    text = _ILLEGAL.sub("", text)
    # A bare \r is normalised away by XML readers, as with openpyxl's own writer.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_xml(ref: str, style: str, kind: str, v) -> str:
    if v is None or v == "":
        return f'<c r="{ref}"{style}/>'
    if kind in ("int", "money") and isinstance(v, (int, float, Decimal)) \
            and not isinstance(v, bool):
        return f'<c r="{ref}"{style}><v>{v!r}</v></c>' if isinstance(v, float) else \
            f'<c r="{ref}"{style}><v>{v}</v></c>'
    if kind == "date" and isinstance(v, (date, datetime)):
        d = v.date() if isinstance(v, datetime) else v
        return f'<c r="{ref}"{style}><v>{(d - _EPOCH).days}</v></c>'
    text = _esc(v if isinstance(v, str) else str(v))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _prototype_styles(xml: str, row_no: int, ncols: int) -> list[str]:
    root = ET.fromstring(xml)
    styles = [""] * ncols
    for row in root.iter(f"{NS}row"):
        if row.get("r") == str(row_no):
            for c in row.iter(f"{NS}c"):
                col = re.match(r"[A-Z]+", c.get("r", "")).group(0)
                idx = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(col))) - 1
                if 0 <= idx < ncols and c.get("s"):
                    styles[idx] = f' s="{c.get("s")}"'
            return styles
    raise ValueError(f"第 {row_no} 行没有样式原型")


def _splice(xml: str, bulk: BulkRows, spool) -> tuple[str, str]:
    """Stream the generated rows into ``spool``; return the XML before and
    after the prototype row."""
    start = xml.find(f'<row r="{bulk.prototype_row}"')
    end = xml.find("</row>", start) + len("</row>")
    if start < 0 or end < len("</row>"):
        raise ValueError(f"{bulk.sheet}: 找不到第 {bulk.prototype_row} 行")
    ncols = len(bulk.kinds)
    styles = _prototype_styles(xml, bulk.prototype_row, ncols)
    letters = [get_column_letter(i + 1) for i in range(ncols)]
    r = bulk.prototype_row
    buf: list[str] = []
    for values in bulk.rows:
        rs = str(r)
        buf.append(f'<row r="{rs}">')
        for letter, style, kind, v in zip(letters, styles, bulk.kinds, values):
            buf.append(_cell_xml(letter + rs, style, kind, v))
        buf.append("</row>")
        r += 1
        if len(buf) > _CHUNK_ROWS * (ncols + 2):
            spool.write("".join(buf).encode("utf-8"))
            buf.clear()
    spool.write("".join(buf).encode("utf-8"))
    bulk.written = r - bulk.prototype_row
    return xml[:start], xml[end:]


def _fix_dimension(xml: str, last_col: str, last_row: int) -> str:
    return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last_col}{last_row}"/>',
                  xml, count=1)


def save_with_bulk_rows(wb: Workbook, path, bulks: Sequence[BulkRows]) -> None:
    """Save ``wb`` (openpyxl, normal mode) to ``path`` with each bulk's rows
    streamed in place of its prototype row.  Rows after the prototype in the
    same sheet are not allowed (they would be overwritten)."""
    by_title = {b.sheet: b for b in bulks}
    paths = {}
    for ws in wb.worksheets:
        if ws.title in by_title:
            b = by_title[ws.title]
            if ws.max_row != b.prototype_row:
                raise ValueError(f"{ws.title}: 原型行必须是最后一行")
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=os.path.dirname(os.path.abspath(path)))
    os.close(fd)
    try:
        wb.save(tmp)
        for ws in wb.worksheets:
            if ws.title in by_title:
                paths[ws.path.lstrip("/")] = by_title[ws.title]
        out_tmp = tmp + ".part"
        with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(
                out_tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                bulk = paths.get(info.filename)
                if bulk is None:
                    zout.writestr(info, data)
                    continue
                xml = data.decode("utf-8")
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                with tempfile.TemporaryFile() as spool:
                    head, tail = _splice(xml, bulk, spool)
                    last = bulk.prototype_row + max(bulk.written, 1) - 1
                    head = _fix_dimension(head, get_column_letter(len(bulk.kinds)), last)
                    spool.seek(0)
                    with zout.open(zi, "w", force_zip64=True) as out:
                        out.write(head.encode("utf-8"))
                        shutil.copyfileobj(spool, out, 1 << 20)
                        out.write(tail.encode("utf-8"))
        os.replace(out_tmp, path)
    finally:
        for p in (tmp, tmp + ".part"):
            if os.path.exists(p):
                os.remove(p)
