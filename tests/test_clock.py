"""One clock: only db/clock.py reads the wall clock (app/, db/, ui/ and the tests themselves,
which use fixed dates or ``clock.frozen``); no module hides a failed import.

A rule, report or screen that reads the wall clock itself escapes ``clock.frozen`` in tests and
``faketime`` in CI, and drifts with the real date; a swallowed ImportError turns a missing
module into a report that silently says "nothing found".
"""
import ast
from datetime import date, datetime
from pathlib import Path

import pytest

from app import clock

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {"db/clock.py"}
# (object, attribute) calls that read the wall clock
WALL = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
        ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
        ("time", "ctime"), ("time", "asctime"), ("QDate", "currentDate"),
        ("QDateTime", "currentDateTime"), ("QDateTime", "currentDateTimeUtc"),
        ("QDateTime", "currentMSecsSinceEpoch"), ("QTime", "currentTime")}
WALL_NAMES = {"localtime", "gmtime", "ctime", "asctime", "time_ns"}  # from time import ...
SWALLOWED = {"ImportError", "ModuleNotFoundError"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return _dotted(node.value) + "." + node.attr
    return ""


def offences(source: str) -> list[str]:
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            parts = name.split(".")
            if len(parts) >= 2 and (parts[-2], parts[-1]) in WALL:
                found.append(f"{node.lineno}: {name}()")
            elif len(parts) == 1 and parts[0] in WALL_NAMES:
                found.append(f"{node.lineno}: {name}()")
        elif isinstance(node, ast.ExceptHandler):
            if node.type is None:
                found.append(f"{node.lineno}: bare except")
                continue
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            for t in types:
                if _dotted(t).split(".")[-1] in SWALLOWED:
                    found.append(f"{node.lineno}: except {_dotted(t)}")
    return found


def _files():
    for package in ("app", "db", "ui", "tests"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel not in ALLOWED and "/migrations/" not in rel:
                yield rel, path


def test_no_module_reads_the_wall_clock_or_swallows_imports():
    bad = {rel: found for rel, path in _files() if (found := offences(path.read_text(encoding="utf-8")))}
    assert bad == {}


@pytest.mark.parametrize("snippet", [
    "from datetime import date\nx = date.today()",
    "import datetime\nx = datetime.datetime.now()",
    "import time\nx = time.time()",
    "from time import localtime\nx = localtime()",
    "d.setDate(QDate.currentDate())",
    "try:\n    import foo\nexcept ImportError:\n    foo = None",
    "try:\n    import foo\nexcept (ValueError, ModuleNotFoundError):\n    pass",
    "try:\n    x = 1\nexcept:\n    pass",
])
def test_the_check_catches(snippet):
    assert offences(snippet)


def test_the_check_allows_the_clock_and_timers():
    assert offences("import time\nfrom app import clock\nx = clock.today()\n"
                    "t = time.perf_counter()\ny = time.monotonic()") == []


def test_frozen_clock_reaches_today_now_and_utc():
    with clock.frozen(date(2026, 11, 20)):
        assert clock.today() == date(2026, 11, 20)
        assert clock.now() == datetime(2026, 11, 20, 9, 0)
        assert clock.utcnow().date() in (date(2026, 11, 19), date(2026, 11, 20))
    with clock.frozen(datetime(2030, 1, 2, 23, 30)):
        assert clock.today() == date(2030, 1, 2)
