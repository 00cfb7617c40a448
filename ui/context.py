"""What every page shares: the open database, who is logged in, the office, change events."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.offices import OfficeInfo
from app.permissions import Actor, can


class AppContext(QObject):
    """``changed`` carries what changed ("households", "users", "office", "settings", "all"),
    so that pages refresh only what they show (Anki's OpChanges, in small)."""

    changed = Signal(str)

    def __init__(self, database, actor: Actor, office: OfficeInfo, *,  # noqa: ANN001
                 passphrase: str | None = None, demo: bool = False):
        super().__init__()
        self.database, self.actor, self.office = database, actor, office
        self.passphrase, self.demo = passphrase, demo

    @property
    def db_path(self) -> Path | None:
        return self.database.path

    def can(self, permission: str) -> bool:
        return can(self.actor, permission)
