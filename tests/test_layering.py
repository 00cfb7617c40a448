"""ui → app → db: app/ and db/ never import Qt; db/ never imports app/ or ui/."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "shiboken6", "pytestqt", "PyQt5", "PyQt6")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package,forbidden", [("app", QT + ("ui",)), ("db", QT + ("app", "ui"))])
def test_layers_do_not_import_upwards(package, forbidden):
    files = list((ROOT / package).rglob("*.py"))
    assert files
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & set(forbidden)) for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}
