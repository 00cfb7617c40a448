"""The program, started for real, exits cleanly: PySide's clean-up at exit used to delete the
windows left in no fixed order and crashed about one exit in two (SIGSEGV / SIGABRT after
"shared QObject was deleted directly"). Two runs of the screenshot tour of the demo."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ui import main as ui_main  # the program under test (and a UI test: not run under faketime)


def test_screenshot_tour_exits_cleanly_every_time(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    root = Path(__file__).resolve().parent.parent
    for run in range(2):
        out = tmp_path / f"shots{run}"
        r = subprocess.run([sys.executable, "-m", ui_main.__name__, "--demo", "--screenshot", str(out)],
                           cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, (run, r.returncode, r.stderr[-2000:])
        assert (out / "20-家庭窗口.png").is_file() and "shared QObject" not in r.stderr
