"""The recovery sheet: one A4 page with the database recovery code, to print and keep in the
office safe. Uses the shipped AR PL UMing font (registered by :mod:`app.documents.fonts`)."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from app.documents.fonts import get_fonts
from app import clock


def write_recovery_sheet(path: Path | str, *, code: str, office_code: str, office_name: str,
                         db_path: str, created: datetime | None = None) -> Path:
    """Write the PDF to ``path`` (via a temporary file) and return the path."""
    path = Path(path)
    font = get_fonts(None).fallback.name
    created = created or clock.now()
    tmp = path.with_name(path.name + ".part")
    c = canvas.Canvas(str(tmp), pagesize=A4)
    c.setTitle("清风台账 数据库恢复码")
    c.setAuthor(office_name)
    width, height = A4
    y = height - 40 * mm
    c.setFont(font, 22)
    c.drawCentredString(width / 2, y, "清风台账 数据库恢复码")
    y -= 16 * mm
    c.setFont(font, 12)
    for line in (f"单位：{office_code} {office_name}",
                 f"数据库：{db_path}",
                 f"生成时间：{created:%Y年%m月%d日 %H:%M}"):
        c.drawString(25 * mm, y, line)
        y -= 8 * mm
    y -= 6 * mm
    groups = code.split("-")
    c.setFont("Courier-Bold", 20)
    for i in range(0, len(groups), 5):
        c.drawCentredString(width / 2, y, "  ".join(groups[i:i + 5]))
        y -= 11 * mm
    y -= 6 * mm
    c.setFont(font, 11)
    notes = ["说明：",
             "1. 恢复码就是数据库的密钥。换电脑、重装系统或系统凭据丢失时，凭它才能打开数据库。",
             "2. 请将本页打印后加盖公章，存放在单位保险柜；不要拍照、不要发送到网络、不要存放在电脑上。",
             "3. 打开数据库时选择“使用恢复码”，按组输入上面的 52 位字母和数字（不区分大小写）。",
             "4. 恢复码丢失且本机密钥损坏时，数据将无法恢复。"]
    for note in notes:
        for line in simpleSplit(note, font, 11, width - 50 * mm):
            c.drawString(25 * mm, y, line)
            y -= 7 * mm
    y -= 12 * mm
    c.drawString(25 * mm, y, "保管人签字：____________        监督人签字：____________")
    c.showPage()
    c.save()
    os.replace(tmp, path)
    return path
