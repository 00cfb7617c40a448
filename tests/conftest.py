"""Shared fixtures: an in-memory keyring, and a fresh encrypted database per test copied from
a template built once (key derivation and set-up per test would be slow)."""
from __future__ import annotations

import gc
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
OFFICE = "640424100"
PASSWORD = "test-pass-123"


class MemoryKeyring(KeyringBackend):
    """A secure-enough stand-in for the Windows Credential Manager, in memory."""

    priority = 10

    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):  # noqa: ANN001, ANN201
        return self.store.get((service, username))

    def set_password(self, service, username, password):  # noqa: ANN001, ANN201
        self.store[(service, username)] = password

    def delete_password(self, service, username):  # noqa: ANN001, ANN201
        self.store.pop((service, username), None)


_KEYRING = MemoryKeyring()


@pytest.fixture(scope="session", autouse=True)
def gc_on_main_thread():
    """As in the app (ui.gc_guard): no automatic collection, which could run in a worker thread
    and destroy Qt objects there; collect on the main thread after every test instead."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def collect_after_test():
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch):  # noqa: ANN001, ANN201
    keyring.set_keyring(_KEYRING)
    monkeypatch.delenv("QINGFENG_PASSPHRASE", raising=False)
    monkeypatch.delenv("QINGFENG_DB", raising=False)
    yield _KEYRING


@dataclass
class Env:
    path: Path
    database: object
    admin: object
    clerk: object
    reviewer: object


def _build_template(path: Path) -> None:
    from app import offices, users
    from db.engine import create_sqlcipher

    database, _key = create_sqlcipher(path)
    with database.session() as s:
        admin = offices.init_office(s, code=OFFICE, name="香水镇人民政府", level="township",
                                    parent=None, admin="admin", admin_password=PASSWORD,
                                    admin_name="管理员", villages=["香水村", "泾河村", "东峡村"])
        users.create_user(s, admin, username="clerk", display_name="马晓梅", role="经办人",
                          password=PASSWORD)
        users.create_user(s, admin, username="reviewer", display_name="李建军", role="审核人",
                          password=PASSWORD)
    database.engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):  # noqa: ANN001, ANN201
    keyring.set_keyring(_KEYRING)
    path = tmp_path_factory.mktemp("template") / "template.qfdb"
    _build_template(path)
    return path


@pytest.fixture
def env(template_db, tmp_path):  # noqa: ANN001, ANN201
    from app import users
    from db.engine import open_sqlcipher

    path = tmp_path / "office.qfdb"
    shutil.copyfile(template_db, path)
    shutil.copyfile(str(template_db) + ".qfkey", str(path) + ".qfkey")
    database = open_sqlcipher(path)
    with database.session(write=False) as s:
        actors = {name: users.actor_for(s, name) for name in ("admin", "clerk", "reviewer")}
    yield Env(path=path, database=database, **actors)
    database.dispose()
