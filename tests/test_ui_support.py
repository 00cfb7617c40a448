"""Shared helpers for the UI tests (imported by tests/test_ui_*.py; holds no tests itself)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from app import households as hs
from app import offices
from app.idcard import make_valid_id
from ui import dialogs, ops


@dataclass
class Dialogs:
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    answers: dict = field(default_factory=dict)  # ask_text/ask_password/save_file/open_file/confirm


@pytest.fixture
def ui_dialogs(monkeypatch):  # noqa: ANN001, ANN201
    d = Dialogs()
    monkeypatch.setattr(dialogs, "error", lambda _p, text, details=None: d.errors.append(text))
    monkeypatch.setattr(dialogs, "info", lambda _p, text: d.infos.append(text))
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t: d.answers.get("confirm", True))
    monkeypatch.setattr(dialogs, "ask_text", lambda *_a, **_k: d.answers.get("ask_text"))
    monkeypatch.setattr(dialogs, "ask_password", lambda *_a, **_k: d.answers.get("ask_password"))
    monkeypatch.setattr(dialogs, "save_file", lambda *_a, **_k: d.answers.get("save_file"))
    monkeypatch.setattr(dialogs, "open_file", lambda *_a, **_k: d.answers.get("open_file"))
    monkeypatch.setattr(dialogs, "open_path", lambda _p: None)
    yield d
    ops.wait_idle()


def make_ctx(env, actor):  # noqa: ANN001, ANN201
    from ui.context import AppContext

    with env.database.session(write=False) as s:
        office = offices.own_office(s)
    return AppContext(env.database, actor, office)


def add_household(env, actor=None, *, name="张三", seq=11, village="香水村",  # noqa: ANN001, ANN201
                  category="农村低保", extra=()) -> str:
    members = [hs.MemberInput(name=name, id_number=make_valid_id("640424", date(1960, 1, 2), seq),
                              relation="户主")]
    members += list(extra)
    with env.database.session() as s:
        return hs.create_household(s, actor or env.admin, village=village, category=category,
                                   members=members, monthly_amount=500).id

