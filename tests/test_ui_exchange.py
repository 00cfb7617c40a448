"""数据交换 page: cards with fingerprint confirmation, export to a folder (size and counts), import
with the dry-run summary then confirmation, the exchange log, and the district's status table."""
from __future__ import annotations

from pathlib import Path

import pytest

from datetime import date

from app import clock, offices
from test_ui_support import make_ctx
from tests.sync_support import actor_of, add_households, build_district_template, open_copy, Office
from ui import dialogs, ops
from ui.context import AppContext


@pytest.fixture
def prompts(monkeypatch):  # noqa: ANN001, ANN201
    p = {"errors": [], "infos": [], "confirms": []}
    monkeypatch.setattr(dialogs, "error", lambda _w, text, details=None: p["errors"].append(text))
    monkeypatch.setattr(dialogs, "info", lambda _w, text: p["infos"].append(text))
    monkeypatch.setattr(dialogs, "confirm", lambda _w, text: p["confirms"].append(text) or True)
    yield p
    ops.wait_idle()


def _idle(qtbot) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: ops.wait_idle(50) and not ops._running, timeout=20000)


def test_exchange_page_card_export_import_and_district_status(qtbot, env, prompts, tmp_path):
    from ui.pages.exchange import ExchangePage

    build_district_template(tmp_path / "dt.qfdb")
    dist_db = open_copy(tmp_path / "dt.qfdb", tmp_path / "district.qfdb")
    with dist_db.session(write=False) as s:
        dist_ctx = AppContext(dist_db, actor_of(dist_db), offices.own_office(s))
    package_households = add_households(Office(env.database, env.admin, "640424100"), 3)
    town_page, dist_page = ExchangePage(make_ctx(env, env.admin)), ExchangePage(dist_ctx)
    for w in (town_page, dist_page):
        qtbot.addWidget(w)
        w.resize(1100, 680)
        w.show()
    assert dist_page.status_table is not None and town_page.status_table is None

    town_page.export_card(str(tmp_path / "town.json"))
    _idle(qtbot)
    assert "指纹" in town_page.own_card.text()
    fingerprint = town_page.own_card.text().split("指纹：")[1]
    dist_page.import_card(str(tmp_path / "town.json"))
    _idle(qtbot)
    assert fingerprint in prompts["confirms"][-1]  # shown to be read out by phone before import
    dist_page.export_card(str(tmp_path / "district.json"))
    _idle(qtbot)
    town_page.import_card(str(tmp_path / "district.json"))
    _idle(qtbot)
    town_page.refresh()
    _idle(qtbot)
    assert town_page.recipient.count() == 1 and dist_page.cards_table.rowCount() == 1

    period = town_page.period_edit.text()
    town_page.period_edit.setText("12月")  # refused before any folder is asked for
    town_page.export_package(str(tmp_path / "usb"))
    assert "报送月份“12月”应写成 年-月" in prompts["errors"][-1] and not (tmp_path / "usb").exists()
    town_page.period_edit.setText(period)
    town_page.export_package(str(tmp_path / "usb"))
    _idle(qtbot)
    text = town_page.export_result.text()
    assert "第 1 号完整数据包" in text and "KB" in text and "家庭 3" in text
    package = town_page.last_export.paths[0]
    assert package.exists() and package.parent == tmp_path / "usb"

    dist_page.preview_package(str(package))
    _idle(qtbot)
    assert dist_page.apply_button.isEnabled() and "预览" in dist_page.import_summary.text()
    assert "随包：报表 1 份" in dist_page.import_summary.text()  # the month's report PDF it carries
    rows = {dist_page.summary_table.item(r, 0).text(): dist_page.summary_table.item(r, 1).text()
            for r in range(dist_page.summary_table.rowCount())}
    assert rows["家庭"] == "3"
    dist_page.apply_package()
    _idle(qtbot)
    dist_page.refresh()
    _idle(qtbot)
    assert "已导入" in dist_page.import_summary.text() and "回执" in dist_page.import_summary.text()
    assert dist_page.log_table.rowCount() == 2  # the package in, the 回执 out
    def sent_row(page):  # noqa: ANN001, ANN202 - the exchange log's row of the package sent
        t = page.log_table
        return next([t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())
                    if t.item(r, 1).text() == "发出")
    town_page.refresh()
    _idle(qtbot)
    assert sent_row(town_page)[3] == "泾源县民政局（640424）" and sent_row(town_page)[7] == "待回执"
    ack = next(p for p in (tmp_path / "usb").iterdir() if "回执" in p.name)
    town_page.preview_package(str(ack))
    _idle(qtbot)
    assert "点“确认导入”登记该回执" in town_page.import_summary.text() and town_page.apply_button.isEnabled()
    town_page.apply_package()
    _idle(qtbot)
    assert "已登记该回执" in town_page.import_summary.text()
    _idle(qtbot)
    assert sent_row(town_page)[7] == "已回执"
    assert dist_page.status_table.item(0, 0).text() == "640424100"
    assert dist_page.status_table.item(0, 5).text() == "正常"

    # the district's copy of a township household opens read-only (DESIGN §4 ownership)
    from ui.household_window import HouseholdWindow

    win = HouseholdWindow(dist_ctx, package_households[0])  # deletes itself on close
    win.show()
    qtbot.waitUntil(lambda: win.loaded, timeout=5000)
    assert win.read_only and "只读副本" in win.header.text()
    assert not win.form.isEnabled() and not win.status_button.isEnabled() and not win.save_button.isEnabled()
    win.close()

    # a damaged package: refused with the reason, nothing offered to confirm
    bad = tmp_path / "bad.qfp"
    bad.write_bytes(package.read_bytes()[:-100])
    dist_page.preview_package(str(bad))
    _idle(qtbot)
    assert "未导入" in dist_page.import_summary.text() and not dist_page.apply_button.isEnabled()
    assert prompts["errors"] and "数据包" in prompts["errors"][-1]
    # the district assigns a problem; it travels down; the township answers it
    with clock.frozen(date(2026, 12, 1)):
        dist_page.new_assignment(("640424100", "核查低保金额", "请核查三户的保障金额", "2027-01-15"))
        _idle(qtbot)
        dist_page.refresh()
        _idle(qtbot)
        assert dist_page.assignments_table.item(0, 4).text() == "整改中"
        dist_page.export_package(str(tmp_path / "down"))
        _idle(qtbot)
        town_page.preview_package(str(dist_page.last_export.paths[0]))
        _idle(qtbot)
        town_page.apply_package()
        _idle(qtbot)
        town_page.refresh()
        _idle(qtbot)
        town_page.assignments_table.selectRow(0)
        town_page.answer_assignment("已逐户核查并调整", True)
        _idle(qtbot)
        town_page.refresh()
        _idle(qtbot)
    assert town_page.assignments_table.item(0, 4).text() == "已整改"
    assert town_page.assignments_table.item(0, 5).text() == "已逐户核查并调整"
    town_page.tabs.setCurrentIndex(town_page.tabs.count() - 1)
    town_page.grab().save(str(Path("/tmp") / "qf-exchange-assignments.png"))
    dist_page.tabs.setCurrentIndex(2)
    dist_page.grab().save(str(Path("/tmp") / "qf-exchange-import.png"))
    dist_page.tabs.setCurrentIndex(4)
    dist_page.grab().save(str(Path("/tmp") / "qf-exchange-status.png"))
    dist_page.close()
    town_page.close()
    _idle(qtbot)
    dist_db.dispose()


def test_district_imports_several_packages_from_the_page(qtbot, env, prompts, tmp_path):
    from tests.sync_support import DISTRICT, exchange_cards, export_to
    from ui.pages.exchange import ExchangePage

    build_district_template(tmp_path / "dt.qfdb")
    dist_db = open_copy(tmp_path / "dt.qfdb", tmp_path / "district.qfdb")
    with dist_db.session(write=False) as s:
        dist_ctx = AppContext(dist_db, actor_of(dist_db), offices.own_office(s))
    town = Office(env.database, env.admin, "640424100")
    exchange_cards(town, Office(dist_db, dist_ctx.actor, DISTRICT))
    add_households(town, 2)
    package = export_to(town, DISTRICT, tmp_path / "month").paths[0]
    bad = tmp_path / "month" / "bad.qfp"
    bad.write_bytes(package.read_bytes()[:-100])
    page = ExchangePage(dist_ctx)
    qtbot.addWidget(page)
    page.show()
    page.import_many([str(bad), str(package)])
    _idle(qtbot)
    assert "2 个数据包" in prompts["confirms"][-1]
    assert "导入 1 个" in page.import_summary.text() and "拒收 1 个" in page.import_summary.text()
    lines = [page.refused_list.item(i).text() for i in range(page.refused_list.count())]
    assert lines[0].startswith("✗ bad.qfp：") and lines[1].startswith(f"✓ {package.name}：已导入")
    page.refresh()
    _idle(qtbot)
    assert page.status_table.item(0, 2).text() == "1"
    page.import_many([str(package)])  # picked again: skipped, not counted as imported
    _idle(qtbot)
    assert "导入 0 个，以前已导入、跳过 1 个，拒收 0 个" in page.import_summary.text()
    assert page.refused_list.item(0).text().startswith(f"– {package.name}：跳过")
    dist_db.dispose()


def test_a_refused_import_shows_the_chinese_reason_never_the_sql(qtbot, env):
    """A database busy in another window: the page's summary says so in Chinese (the dialog's
    text), not the driver's "(sqlcipher3.dbapi2.OperationalError) … [SQL: BEGIN IMMEDIATE]"."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from ui.pages.exchange import ExchangePage

    with env.database.session(write=False) as s:
        ctx = AppContext(env.database, env.admin, offices.own_office(s))
    page = ExchangePage(ctx)
    qtbot.addWidget(page)
    _idle(qtbot)
    page._refused(OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")))
    text = page.import_summary.text()
    assert text.startswith("未导入：") and "忙" in text and "SQL" not in text and "Error" not in text


def test_assignment_form_keeps_what_was_typed_until_it_is_complete(qtbot):
    """交办问题 is one form: the township from the enrolled cards, a deadline from a date picker
    (not before today); a missing title or content is named and nothing typed is lost."""
    from PySide6.QtCore import QDate

    from ui.pages.assignment_dialog import AssignmentDialog

    with clock.frozen(date(2026, 12, 7)):
        dlg = AssignmentDialog([("640424100", "香水镇人民政府"), ("640424101", "新民乡人民政府")])
    qtbot.addWidget(dlg)
    assert dlg.township.itemText(1) == "新民乡人民政府（640424101）"
    assert dlg.deadline.date().toPython() == date(2027, 1, 6) and dlg.deadline.minimumDate() == QDate(2026, 12, 7)
    dlg.township.setCurrentIndex(1)
    dlg.text.setPlainText("请核查三户的保障金额")
    dlg.check_and_accept()
    assert dlg.result() != dlg.DialogCode.Accepted and dlg.error.text() == "请填写问题标题。"
    assert dlg.text.toPlainText() == "请核查三户的保障金额"  # kept
    dlg.title.setText(" 核查低保金额 ")
    dlg.check_and_accept()
    assert dlg.result() == dlg.DialogCode.Accepted
    assert dlg.values() == ("640424101", "核查低保金额", "请核查三户的保障金额", date(2027, 1, 6))
