"""救助对象 page: search as you type, filters, sorting, lazy blocks, export, new household."""
from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.idcard import make_valid_id
from app.queries import HouseholdRow
from db.models import AuditEntry, Household
from test_ui_support import add_household, make_ctx, ui_dialogs  # noqa: F401 - fixture
from ui.household_model import BLOCK, COLUMNS, HouseholdTableModel
from ui.members_editor import IDNO, NAME


def _page(qtbot, env, actor=None):  # noqa: ANN001, ANN202
    from ui.pages.households import HouseholdsPage

    page = HouseholdsPage(make_ctx(env, actor or env.clerk))
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    return page


def test_search_as_you_type_filters_rows_and_count(qtbot, env, ui_dialogs):  # noqa: F811
    add_household(env, name="张三", seq=11)
    add_household(env, name="李四", seq=13, village="泾河村")
    add_household(env, name="王五", seq=15, category="城市低保")
    page = _page(qtbot, env)
    qtbot.waitUntil(lambda: page.count_label.text() == "共 3 户", timeout=5000)
    qtbot.keyClicks(page.search, "zs")
    qtbot.waitUntil(lambda: page.count_label.text() == "共 1 户", timeout=5000)
    assert page.model.rowCount() == 1 and page.model.row_at(0).head_name == "张三"
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    page.village.setCurrentIndex(page.village.findData("泾河村"))
    qtbot.waitUntil(lambda: page.count_label.text() == "共 1 户", timeout=5000)
    assert page.model.row_at(0).head_name == "李四"
    page.village.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    head = [k for k, _ in COLUMNS].index("head_name")
    page.table.sortByColumn(head, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: page.loader.order == "head_name" and not page.loader.busy, timeout=5000)
    names = [page.model.row_at(i).head_name for i in range(3)]
    assert names == sorted(names, reverse=True)


def test_model_is_fed_blocks_and_asks_for_missing_ones(qtbot):  # noqa: ANN001
    model = HouseholdTableModel()
    rows = [HouseholdRow(str(i), f"N{i:05d}", "香水村", f"户{i}", "农村低保", "在保", "A", 100, 2, None)
            for i in range(BLOCK)]
    model.reset(1, BLOCK * 5, rows)
    asked = []
    model.blockNeeded.connect(asked.append)
    assert model.rowCount() == BLOCK * 5
    assert model.data(model.index(3, 0)) == "N00003"
    assert model.data(model.index(BLOCK * 3 + 1, 0)) == "……"
    model.data(model.index(BLOCK * 3 + 2, 0))  # asked once per block
    assert asked == [3]
    model.set_block(0, 3, rows)  # stale generation: ignored
    assert model.data(model.index(BLOCK * 3 + 1, 2)) == ""
    model.set_block(1, 3, rows)
    assert model.data(model.index(BLOCK * 3 + 1, 2)) == "户1"


def test_export_current_view_ids_as_text_formulas_neutralised_and_audited(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    add_household(env, name="张三", seq=11)
    add_household(env, name="=1+2", seq=13)
    page = _page(qtbot, env)
    qtbot.waitUntil(lambda: page.count_label.text() == "共 2 户", timeout=5000)
    out = tmp_path / "view.xlsx"
    done = []
    page.export_to(str(out), on_done=done.append)
    qtbot.waitUntil(lambda: done == [2], timeout=10000)
    ws = load_workbook(out).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    ids = {r[3]: r[4] for r in rows}
    assert ids["张三"] == make_valid_id("640424", date(1960, 1, 2), 11)
    assert isinstance(ids["张三"], str)
    assert "'=1+2" in ids
    with env.database.session(write=False) as s:
        e = s.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalars().one()
        assert e.username == "clerk" and "view.xlsx" in e.after


def test_new_household_dialog_checks_inline_then_registers(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.new_household import NewHouseholdDialog

    created = []
    dlg = NewHouseholdDialog(make_ctx(env, env.clerk), ["香水村", "泾河村"])
    qtbot.addWidget(dlg)
    dlg.created.connect(created.append)
    dlg.show()
    dlg.form.monthly_amount.setText("12.345")
    dlg.members.table.item(0, NAME).setText("")
    dlg.submit()
    assert "两位小数" in dlg.form.errors["monthly_amount"].text()
    assert "姓名必须填写" in dlg.members.error.text()
    dlg.form.monthly_amount.setText("620")
    dlg.members.table.item(0, NAME).setText("赵六")
    dlg.members.table.item(0, IDNO).setText(make_valid_id("640424", date(1980, 2, 3), 41))
    dlg.submit()
    qtbot.waitUntil(lambda: bool(created), timeout=5000)
    with env.database.session(write=False) as s:
        hh = s.get(Household, created[0])
        assert hh.head_name == "赵六" and hh.status == "申请中"
        assert s.execute(select(func.count()).select_from(Household)).scalar_one() == 1


def test_model_roles_colours_alignment_tooltip_and_id(qtbot):  # noqa: ANN001
    """What the table asks for at every repaint: text, right-aligned amounts, status and overdue
    colours, the member hint as a tooltip, the household id; other roles nothing."""
    from decimal import Decimal

    from PySide6.QtCore import Qt

    day = date
    model = HouseholdTableModel()
    model.today = day(2026, 11, 20)
    rows = [HouseholdRow("h1", "640424100-000001", "香水村", "张三", "农村低保", "在保", "A",
                         Decimal("1246.5"), 3, day(2026, 10, 1), "李梅"),
            HouseholdRow("h2", "640424100-000002", "泾河村", "李四", "农村低保", "已退出", None,
                         Decimal("0"), 1, None)]
    model.reset(1, 2, rows)
    col = {k: i for i, (k, _label) in enumerate(COLUMNS)}
    at = model.index
    assert model.data(at(0, col["head_name"])) == "张三（经成员 李梅）"
    assert model.data(at(0, col["monthly_amount"])) == "1,246.50"
    assert model.data(at(0, col["monthly_amount"]), Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.data(at(0, col["village"]), Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.data(at(0, col["status"]), Qt.ItemDataRole.ForegroundRole).name() == "#1b5e20"
    assert model.data(at(1, col["status"]), Qt.ItemDataRole.ForegroundRole).name() == "#757575"
    assert model.data(at(0, col["next_review_date"]), Qt.ItemDataRole.ForegroundRole).name() == "#c62828"
    assert model.data(at(1, col["next_review_date"]), Qt.ItemDataRole.ForegroundRole) is None
    assert "李梅" in model.data(at(0, col["head_name"]), Qt.ItemDataRole.ToolTipRole)
    assert model.data(at(1, col["head_name"]), Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(at(1, 0), Qt.ItemDataRole.UserRole) == "h2"
    assert model.data(at(0, 0), Qt.ItemDataRole.FontRole) is None
    assert model.headerData(col["status"], Qt.Orientation.Horizontal) == "保障状态"
    assert model.headerData(1, Qt.Orientation.Vertical) == "2"
