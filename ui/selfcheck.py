"""``qingfeng --self-check``: the checks of :mod:`app.selfcheck` plus what only the GUI needs
(the Qt platform plugin, the Chinese Qt translations, a CJK font for the screens). Prints the
lines (works offscreen) and returns non-zero when a check fails."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

from app import selfcheck
from ui import i18n


def gui_checks(report: selfcheck.Report, app: QApplication) -> None:
    platform = QGuiApplication.platformName()
    label = QLabel("清风台账")
    label.adjustSize()
    report.add("界面", selfcheck.OK if label.width() > 0 else selfcheck.FAIL,
               f"Qt 平台插件 {platform} 已加载", "请重新安装程序（Qt 插件缺失）")
    report.add("界面翻译", selfcheck.OK if i18n.install(app) else selfcheck.WARN,
               "Qt 中文翻译已加载" if i18n.install(app) else "没有找到 Qt 中文翻译（qtbase_zh_CN.qm）",
               "对话框按钮会显示为英文；请重新安装程序")
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    report.add("界面字体", selfcheck.OK if families else selfcheck.FAIL,
               f"{len(families)} 种中文字体可用于界面" if families else "没有可显示中文的字体",
               "请安装中文字体（Windows 自带微软雅黑）")


def main(db_path: Path, app: QApplication) -> int:
    report = selfcheck.run(db_path, passphrase=os.environ.get("QINGFENG_PASSPHRASE"))
    gui_checks(report, app)
    if sys.stdout is None:  # the windowed program on Windows has no console: show the lines
        from ui import dialogs

        (dialogs.info if report.ok else dialogs.error)(None, "\n".join(report.lines()))
        return 0 if report.ok else report.exit_code
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    for line in report.lines():
        print(line, flush=True)
    return 0 if report.ok else report.exit_code
