"""个案公示 from the household window: the pending decision of one household, saved where the
clerk chooses and opened (the service masks the reason and refuses without office details)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from app import clock, publicity_service
from ui import dialogs, ops
from ui.context import AppContext


def print_case_gongshi(parent: QWidget, ctx: AppContext, household_id: str, label: str) -> ops.Op | None:
    path = dialogs.save_file(parent, "保存个案公示", str(Path.home() / f"个案公示-{label}.pdf"),
                             "PDF 文件 (*.pdf)")
    if not path:
        return None
    out = Path(path if path.lower().endswith(".pdf") else path + ".pdf")
    database, actor, today = ctx.database, ctx.actor, clock.today()

    def work(_progress, _cancelled):  # noqa: ANN001, ANN202
        with database.session() as s:
            return publicity_service.make_case_gongshi(s, actor, out, household=household_id,
                                                       start=today, today=today)

    def done(result) -> None:  # noqa: ANN001
        if result.warnings:
            dialogs.info(parent, "个案公示已生成，请注意：\n" + "\n".join(result.warnings))
        dialogs.open_path(str(out))

    return ops.run_op(parent, work, label="正在生成个案公示……", on_success=done, cancellable=False)
