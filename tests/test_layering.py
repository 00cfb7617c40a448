"""ui → app → db: app/ and db/ never import Qt; db/ never imports app/ or ui/; ui/ never imports
db/ or SQLAlchemy (it calls app/ services; errors come from app.errors); no module uses another
module's private names (``from x import _y`` or ``x._y``)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "shiboken6", "pytestqt", "PyQt5", "PyQt6")
OURS = ("app", "db", "ui", "bench")


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package,forbidden", [("app", QT + ("ui",)), ("db", QT + ("app", "ui")),
                                               ("ui", ("db", "sqlalchemy"))])
def test_layers_do_not_import_upwards(package, forbidden):
    files = list((ROOT / package).rglob("*.py"))
    assert files
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & set(forbidden)) for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def _private_uses(path: Path) -> list[str]:
    """``from our.module import _name`` and ``alias._name`` where alias is one of our modules."""
    tree = _tree(path)
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in OURS:
            for a in node.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    found.append(f"from {node.module} import {a.name}")
                else:
                    modules.add(a.asname or a.name)  # may be a module (from app import households as hs)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in OURS:
                    modules.add(a.asname or a.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in modules and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    return found




@pytest.mark.parametrize("package", ["app", "db", "ui"])
def test_no_private_names_of_other_modules(package):
    offenders = {}
    for p in (ROOT / package).rglob("*.py"):
        name = str(p.relative_to(ROOT))
        uses = _private_uses(p)
        if uses:
            offenders[name] = uses
    assert offenders == {}


def test_the_checks_see_what_they_forbid(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from db.models import Household\nfrom app import households as hs\n"
                   "from app.x import _y\nhs._check_version(1, 2, 3)\n", encoding="utf-8")
    assert "db" in _imports(bad)
    assert _private_uses(bad) == ["from app.x import _y", "hs._check_version (line 4)"]
