"""Pages that later issues fill: a clear description of what each will hold."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.widgets import page_title

PLANNED = {
    "问题台账": ("问题清单和整改台账",
             ["每个问题：类别（人情保、错保、漏保、死亡未及时停保……）、来源（自查自纠、督导检查、"
              "信访举报、大数据比对、上级交办）、涉及家庭", "整改措施、时限、责任人，立行立改；复核后对账销号",
              "违纪违法线索移交纪检监察机关，按工作日计算移交时限并提醒"]),
    "信访举报": ("信访举报台账",
             ["来信、来访、网上、电话、热线、扫码监督等渠道的登记和办理", "登记转送 15 日、办结 60 日的时限提醒，延期和复查复核",
              "同一事项反映 3 次及以上自动标注为重点，重复信访逐件对账销号"]),
    "近亲属备案": ("经办人员和村（居）干部近亲属备案",
              ["经办、审核人员和村（居）委会成员近亲属申请或享受救助的备案", "按设置中的近亲属范围自动比对救助对象，提示未备案的情况",
               "备案对象逐户复查，记录县级入户核查"]),
    "数据比对": ("大数据比对",
             ["导入户籍、殡葬、车辆、不动产、社保、公积金、工商、财政供养人员等数据", "与救助对象逐人比对，列出疑点（死亡未停保、有车有房、公职人员等）",
              "疑点核实结果一键转入问题台账"]),
    "报表打印": ("报表和公示打印",
             ["公示名单（不显示完整身份证号、银行账号、电话和病残细节）", "动态管理月报（含零报告）、排查统计表、自查自纠报告",
              "打印预览、打印和导出 PDF/Excel"]),
    "数据交换": ("与区县民政局交换数据",
             ["生成加密、签名的数据包（U 盘或电子邮件报送）", "导入区县下发的标准、交办问题和回执，导入前先预览变更",
              "交换单位名片，核对指纹"]),
}


class PlaceholderPage(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        title, items = PLANNED[name]
        lay = QVBoxLayout(self)
        lay.addWidget(page_title(name))
        box = QLabel()
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setWordWrap(True)
        box.setStyleSheet("background: #f5f7fa; border: 1px dashed #b0bccb; border-radius: 6px; "
                          "padding: 16px; color: #37474f;")
        bullets = "".join(f"<li style='margin-bottom:6px'>{i}</li>" for i in items)
        box.setText(f"<p style='font-size:12pt'><b>{title}</b>　（此功能将在后续版本提供）</p>"
                    f"<p>本页将包括：</p><ul>{bullets}</ul>")
        lay.addWidget(box)
        lay.addStretch(1)
