"""数据比对 page (pytest-qt, offscreen): choose a file, preview, correct the mapping, confirm,
import a death list, run the checks, confirm and dismiss findings, export 名单推送."""
from __future__ import annotations

import openpyxl
from sqlalchemy import func, select

from app import findings
from db.models import Household
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture
from tests.test_checks import list_xlsx
from tests.test_imports_roster import H2, S1, roster_xlsx, sample_rows


def _wait_plan(qtbot, panel):  # noqa: ANN001, ANN202
    panel.plan = None
    panel.preview()
    qtbot.waitUntil(lambda: panel.plan is not None, timeout=20000)
    return panel.plan


def test_import_preview_correct_mapping_confirm_then_check(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    from ui.pages.compare import ComparePage

    page = ComparePage(make_ctx(env, env.reviewer))
    qtbot.addWidget(page)
    page.resize(1300, 850)
    page.show()
    panel = page.importer
    rows = sample_rows()
    rows[3][5] = 6.4042419550708e17  # 王五's number stored by Excel as a number
    ui_dialogs.answers["open_file"] = str(roster_xlsx(tmp_path / "花名册.xlsx", rows))
    panel.choose_file()
    plan = _wait_plan(qtbot, panel)
    page.grab().save(str(tmp_path / "import.png"))
    assert panel.refused_table.rowCount() >= 1
    assert "Excel" in panel.refused_table.item(0, 3).text()
    assert panel.add_table.rowCount() == 1 and panel.add_table.item(0, 2).text() == "张三"
    # refused rows: confirming without "skip" is refused and writes nothing
    panel.apply()
    assert ui_dialogs.errors and "未导入" in ui_dialogs.errors[-1]
    # the mapping table offers one combo per column; ignoring the member ID column is a correction
    labels = [panel.mapping.item(r, 1).text() for r in range(panel.mapping.rowCount())]
    id_row = next(r for r, t in enumerate(labels) if "公民身份号码" in t)
    assert panel.mapping.cellWidget(id_row, 2).currentData() == "id_number"
    assert plan.tables[0].header_row == 3
    panel.skip.setChecked(True)
    panel.apply()
    qtbot.waitUntil(lambda: any("已导入" in t for t in ui_dialogs.infos), timeout=20000)
    with env.database.session(write=False) as s:
        assert s.execute(select(func.count()).select_from(Household)).scalar_one() == 1

    # a death list as a data source, through the same panel
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("deaths"))
    ui_dialogs.answers["open_file"] = str(list_xlsx(tmp_path / "死亡.xlsx", ["姓名", "身份证号", "死亡日期"],
                                                    [["李梅", S1, "2026-09-30"]]))
    panel.choose_file()
    panel.origin.setText("县殡葬管理所")
    _wait_plan(qtbot, panel)
    assert panel.add_table.item(0, 1).text() == "李梅" and "*" in panel.add_table.item(0, 2).text()
    assert panel.apply_btn.isEnabled()
    panel.apply()
    qtbot.waitUntil(lambda: any("已导入数据源" in t for t in ui_dialogs.infos), timeout=20000)

    sp = page.sources
    page.tabs.setCurrentWidget(sp)
    qtbot.waitUntil(lambda: len(sp.rows) == 1, timeout=20000)
    assert sp.table.item(0, 1).text() == "县殡葬管理所" and sp.table.item(0, 5).text() == "1"
    fp = page.findings
    page.tabs.setCurrentIndex(1)
    fp.run_checks()
    qtbot.waitUntil(lambda: any("比对完成" in t for t in ui_dialogs.infos), timeout=30000)
    qtbot.waitUntil(lambda: any(f.rule == "deaths" for f in fp.rows), timeout=20000)
    page.grab().save(str(tmp_path / "compare.png"))
    row = next(i for i, f in enumerate(fp.rows) if f.rule == "deaths")
    fp.table.selectRow(row)
    fp.confirm()
    qtbot.waitUntil(lambda: "问题" in fp.message.text(), timeout=20000)
    with env.database.session(write=False) as s:
        states = {f.rule: f.state for f in findings.list_findings(s)}
    assert states["deaths"] == "已确认"
    out = tmp_path / "push.xlsx"
    ui_dialogs.answers["save_file"] = str(out)
    fp.export_push()
    qtbot.waitUntil(lambda: any("已导出" in t for t in ui_dialogs.infos), timeout=20000)
    ids = [c.value for c in openpyxl.load_workbook(out).active["C"][1:]]
    assert S1 in ids


def test_dismiss_needs_a_reason(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    from app import clock, sources
    from app.imports import apply as ap
    from app.imports import roster as ro
    from ui.pages.compare import ComparePage

    with env.database.session() as s:
        ap.apply_roster(s, env.reviewer, ro.plan_roster(s, roster_xlsx(tmp_path / "r.xlsx", sample_rows())))
        plan = sources.plan_source(s, list_xlsx(tmp_path / "v.xlsx", ["姓名", "身份证号", "车牌号"],
                                                [["王五", H2, "宁D1"]]), kind="vehicles")
        sources.apply_source(s, env.clerk, plan, origin="交警大队", list_date=clock.today())
        findings.run_checks(s, env.clerk, rule="vehicles")
    page = ComparePage(make_ctx(env, env.clerk))
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentIndex(1)
    fp = page.findings
    qtbot.waitUntil(lambda: len(fp.rows) == 1, timeout=20000)
    fp.table.selectRow(0)
    ui_dialogs.answers["ask_text"] = "经核实车辆已报废注销"
    fp.dismiss()
    qtbot.waitUntil(lambda: "已排除" in fp.message.text(), timeout=20000)
    with env.database.session(write=False) as s:
        f = findings.list_findings(s)[0]
    assert f.state == "已排除" and f.reason == "经核实车辆已报废注销"


def test_a_household_level_roster_previews_without_a_mapping(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    from tests.test_imports_layouts import ROWS, household_xlsx
    from ui.pages.compare import ComparePage

    page = ComparePage(make_ctx(env, env.reviewer))
    qtbot.addWidget(page)
    panel = page.importer
    header = ["序号", "村居", "户主姓名", "身份证号", "家庭人口", "保障人口", "月保障金", "保障类别"]
    ui_dialogs.answers["open_file"] = str(household_xlsx(tmp_path / "低保户.xlsx", header, ROWS))
    panel.choose_file()
    plan = _wait_plan(qtbot, panel)
    assert plan.refused == [] and panel.refused_table.rowCount() == 0
    assert [panel.add_table.item(r, 2).text() for r in range(panel.add_table.rowCount())] == ["张三", "王五"]
    assert panel.add_table.item(0, 5).text() == "1（文件载家庭人口 4）" and panel.add_table.item(1, 5).text() == "1"
