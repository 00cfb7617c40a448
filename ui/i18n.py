"""Qt's own texts in Chinese: OK/Cancel, Yes/No, the context menu of text fields, the file and
print dialogs come from ``qtbase_zh_CN.qm``, which PySide6 ships in its translations folder."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger("qingfeng.ui")
CATALOGS = ("qtbase_zh_CN",)


def translation_dirs() -> list[Path]:
    """Where the .qm files are: Qt's own idea first, then the PyInstaller bundle's copy."""
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs += [Path(bundle) / "PySide6" / "Qt" / "translations", Path(bundle) / "translations"]
    import PySide6

    dirs.append(Path(PySide6.__file__).parent / "Qt" / "translations")
    return dirs


def install(app: QApplication) -> list[QTranslator]:
    """Load the zh_CN catalogs into ``app`` (once); returns the translators installed."""
    existing = getattr(app, "_qf_translators", None)
    if existing is not None:
        return existing
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    installed = []
    for name in CATALOGS:
        translator = QTranslator(app)
        for folder in translation_dirs():
            if translator.load(name, str(folder)):
                app.installTranslator(translator)
                installed.append(translator)
                break
        else:
            log.warning("Qt translation %s not found; Qt's own buttons stay in English", name)
    app._qf_translators = installed
    return installed
