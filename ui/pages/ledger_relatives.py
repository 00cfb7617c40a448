"""近亲属备案 page: the officials to file, their near relatives, and the check."""
from __future__ import annotations


from PySide6.QtWidgets import QLabel, QLineEdit, QSplitter, QWidget
from PySide6.QtCore import Qt

from app.idcard import mask_id
from app.ledgers import relatives as rl
from app.permissions import Actor
from app import clock
from ui import widgets
from ui.pages import ledger_common as lc

OFFICIAL_COLUMNS = [("姓名", lambda o: o.name), ("人员类别", lambda o: o.post_type),
                    ("身份证号", lambda o: mask_id(o.id_number)), ("单位及职务", lambda o: o.unit),
                    ("村（居）", lambda o: o.village), ("已备案近亲属", lambda o: len(o.relatives)),
                    ("在职", lambda o: "是" if o.active else "否")]
RELATIVE_COLUMNS = [("近亲属", lambda r: r.name), ("关系", lambda r: r.relation),
                    ("身份证号", lambda r: mask_id(r.id_number)), ("备案日期", lambda r: r.filed_date),
                    ("备注", lambda r: r.note)]
FINDING_COLUMNS = [("核查结果", lambda f: f.kind), ("成员", lambda f: f.member_name),
                   ("家庭", lambda f: f"{f.village} {f.head_name}户（{f.household_number}）"),
                   ("保障状态", lambda f: f.status), ("备案人员", lambda f: f"{f.official_name}（{f.post_type}）"),
                   ("关系", lambda f: f.relation or "待核实"),
                   ("问题台账", lambda f: (f.problem_number or "") + ("（新登记）" if f.new_problem else "")),
                   ("说明", lambda f: f.message)]


def _finding_alert(f: rl.Finding):  # noqa: ANN202
    return lc.LATE_COLOR if f.kind == rl.UNFILED else lc.PRIORITY_COLOR


class RelativesPage(lc.LedgerPage):
    title = "近亲属备案"
    export_kind = "relatives"

    def __init__(self, database, actor: Actor, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(database, actor, parent)
        self.officials = lc.RowsModel(OFFICIAL_COLUMNS, None, self)
        self.relatives = lc.RowsModel(RELATIVE_COLUMNS, None, self)
        self.findings = lc.RowsModel(FINDING_COLUMNS, _finding_alert, self)
        self.table = lc.table(self.officials)
        self.relative_table = lc.table(self.relatives)
        self.finding_table = lc.table(self.findings)
        self.post_type = widgets.combo(list(rl.POST_TYPES), first=widgets.ALL)
        self.village = widgets.combo([], first=widgets.ALL)  # filled by load_villages
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索姓名或身份证号")
        self.count = QLabel()
        self.post_type.currentIndexChanged.connect(lambda _i: self.refresh())
        self.village.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.show_relatives())
        edit = self.can("ledger.edit")
        self.buttons = {
            "official": lc.button("登记备案人员", self.official_dialog, edit),
            "relative": lc.button("备案近亲属", self.relative_dialog, edit),
            "check": lc.button("核查享受救助情况", self.check, edit),
            "export": lc.button("导出 Excel", self.export, self.can("export.personal")),
        }
        top = QSplitter()
        top.addWidget(self.table)
        top.addWidget(self.relative_table)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.finding_table)
        self.assemble([("人员类别", self.post_type), ("村（居）", self.village), (None, self.search)],
                      split)

    def filters(self) -> dict:
        return dict(post_type=widgets.value(self.post_type), text=self.search.text().strip() or None)

    export_filters = filters

    def refresh(self) -> None:
        filters = self.filters()
        self.load(lambda s: rl.list_officials(s, **filters), self.show_rows)

    def show_rows(self, rows: list[rl.OfficialInfo]) -> None:
        current = self.current()
        village = widgets.value(self.village)
        if village:
            rows = [o for o in rows if o.village == village]
        self.officials.set_rows(rows)
        self.count.setText(f"备案人员 {len(rows)} 人，近亲属 {sum(len(o.relatives) for o in rows)} 人")
        if current is not None:
            for i, o in enumerate(rows):
                if o.id == current.id:
                    self.table.selectRow(i)
        self.show_relatives()

    def current(self) -> rl.OfficialInfo | None:
        index = self.table.currentIndex()
        return self.officials.row_at(index.row()) if index.isValid() else None

    def show_relatives(self) -> None:
        o = self.current()
        self.relatives.set_rows(o.relatives if o else [])

    # -- actions (each runs off the UI thread; ``form`` stays open on a refusal)
    def add_official(self, form: lc.FormDialog | None = None, **values: object):  # noqa: ANN201
        actor = self.actor
        return self.run(lambda s: rl.add_official(s, actor, **values), done="已登记备案人员。", form=form)

    def add_relative(self, form: lc.FormDialog | None = None, **values: object):  # noqa: ANN201
        o, actor = self.current(), self.actor
        if o is None and "official" not in values:
            self.show_message("请先在左侧选择备案人员。", error=True)
            return None
        values.setdefault("official", o.id_number if o else None)
        return self.run(lambda s: rl.add_relative(s, actor, **values), done="已备案近亲属。", form=form)

    def check(self):  # noqa: ANN201
        """The whole-register check, off the UI thread; findings fill the lower table."""
        actor = self.actor

        def show(findings: list[rl.Finding]) -> None:
            self.findings.set_rows(findings)
            opened = sum(f.new_problem for f in findings)
            self.show_message(f"核查完毕：发现 {len(findings)} 条；新登记“近亲属未备案”问题 {opened} 个。"
                              if findings else "核查完毕：没有备案人员或其近亲属享受救助。")

        return self.run(lambda s: rl.check_all(s, actor=actor), then=show, label="正在核查……")

    # -- dialogs: they stay open until the service accepts what was typed
    def official_dialog(self) -> lc.FormDialog:
        def submit(v: dict, form: lc.FormDialog) -> None:
            v["village"] = v["village"].strip() or None
            self.add_official(form=form, **v)

        return lc.ask(self, "登记须备案近亲属的人员", [
            ("name", "姓名", "text"), ("id_number", "身份证号", "text"),
            ("post_type", "人员类别", "choice", rl.POST_TYPES), ("unit", "单位及职务", "text"),
            ("village", "所在村（居）（可空）", "text")], submit)

    def relative_dialog(self) -> None:
        """Load the relations off the UI thread, then open the form."""
        o = self.current()
        if o is None:
            self.show_message("请先在左侧选择备案人员。", error=True)
            return

        def open_form(relations: list[str]) -> None:
            self.relative_form = lc.ask(self, f"备案 {o.name} 的近亲属", [
                ("name", "姓名", "text"), ("id_number", "身份证号", "text"),
                ("relation", "关系", "choice", relations), ("filed_date", "备案日期", "date", clock.today())],
                lambda v, form: self.add_relative(form=form, **v))

        self.run(lambda s: rl.near_relative_relations(s), write=False, then=open_form)
