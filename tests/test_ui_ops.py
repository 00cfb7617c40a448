"""Background work: a cancelled long write leaves nothing behind; errors are shown in Chinese."""
from __future__ import annotations

import time

from sqlalchemy import func, select

from app import demo
from app.jobs import raise_if_cancelled
from db.models import AuditEntry, Household
from test_ui_support import ui_dialogs  # noqa: F401 - fixture
from ui import ops
from PySide6.QtWidgets import QPushButton


def _counts(env):  # noqa: ANN001, ANN202
    with env.database.session(write=False) as s:
        return (s.execute(select(func.count()).select_from(Household)).scalar_one(),
                s.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def test_cancelled_long_task_leaves_no_partial_write(qtbot, env, ui_dialogs):  # noqa: F811
    before = _counts(env)
    state = {"cancelled": False, "success": False}

    def work(progress, cancelled):  # noqa: ANN001, ANN202
        with env.database.session() as s:
            def step(done, total):  # noqa: ANN001, ANN202
                progress.update(done, total)
            demo.generate(s, env.admin, households=400, progress=step, cancelled=cancelled)
            raise_if_cancelled(cancelled)  # inside the unit of work: rolls back

    op = ops.run_op(None, work, label="生成中……", on_success=lambda _r: state.update(success=True),
                    on_cancelled=lambda: state.update(cancelled=True))
    qtbot.waitUntil(lambda: op.progress.snapshot()[0] >= 50, timeout=20000)
    qtbot.waitUntil(lambda: op.dialog is not None, timeout=3000)  # shown after ~300 ms
    op.dialog.findChild(QPushButton).click()  # the user presses 取消
    qtbot.waitUntil(lambda: state["cancelled"], timeout=20000)
    assert not state["success"]
    assert _counts(env) == before
    assert ui_dialogs.errors == []


def test_errors_reach_one_dialog_in_chinese(qtbot, env, ui_dialogs):  # noqa: F811
    from app.errors import ValidationError

    def bad(_p, _c):  # noqa: ANN001, ANN202
        raise ValidationError("月保障金额", "abc", "应为金额数字")

    def crash(_p, _c):  # noqa: ANN001, ANN202
        return 1 / 0

    ops.run_op(None, bad, label="x")
    ops.run_op(None, crash, label="y")
    qtbot.waitUntil(lambda: len(ui_dialogs.errors) == 2, timeout=5000)
    assert "月保障金额" in ui_dialogs.errors[0]
    assert "意外错误" in ui_dialogs.errors[1] and "Traceback" not in ui_dialogs.errors[1]


def test_quick_op_shows_no_dialog(qtbot, ui_dialogs):  # noqa: F811
    results = []
    op = ops.run_op(None, lambda _p, _c: 42, label="快", on_success=results.append)
    qtbot.waitUntil(lambda: results == [42], timeout=3000)
    assert op.dialog is None
    time.sleep(0.01)


def test_gc_guard_collects_on_the_gui_thread(qtbot):
    import gc

    from PySide6.QtCore import QObject

    from ui import gc_guard

    parent = QObject()
    was = gc.isenabled()
    guard = gc_guard.GcGuard(parent, interval_ms=10)
    try:
        assert not gc.isenabled() and guard.timer.isActive()

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        del a, b
        assert guard.collect() >= 2  # the cycle is found by the guard's collection
    finally:
        guard.timer.stop()
        if was:
            gc.enable()


def test_wait_for_runs_in_the_worker_and_hands_back_result_or_error(qtbot, ui_dialogs):  # noqa: F811
    import threading

    import pytest

    from app.errors import WrongKey

    seen = []

    def unlock() -> str:
        seen.append(threading.current_thread())
        time.sleep(0.05)
        return "opened"

    assert ops.wait_for(None, unlock, label="正在解锁并检查数据库……") == "opened"
    assert seen and seen[0] is not threading.main_thread()

    def wrong() -> None:
        raise WrongKey("口令不正确")

    with pytest.raises(WrongKey, match="口令不正确"):
        ops.wait_for(None, wrong, label="正在解锁并检查数据库……")
    assert not ui_dialogs.errors  # the caller shows it, not the op wrapper
