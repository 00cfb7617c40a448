"""Benchmark of the document builders (run by hand; prints figures, no asserts).

    .venv/bin/python bench/bench_documents.py [--households 3000] [--screening 100000]

1. 3,000-household township 公示 PDF with reportlab, and beside it the same
   table written to xlsx with openpyxl and converted by LibreOffice headless
   (``soffice --headless --convert-to pdf``); LibreOffice Calc is installed for the benchmark
   when absent (Debian, root). Then ``qingfeng-cli report gongshi`` end to end on an encrypted
   database of as many households.
2. 排查统计表 for 100,000 在保 rows (+5% 退出, +2% 未通过): the default engine
   (openpyxl workbook, data rows streamed by app.documents.xlsx_stream) and,
   with --reference, openpyxl write-only mode for every cell.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from app.documents import build_gongshi_pdf, build_screening_xlsx, public_rows  # noqa: E402
from app.documents.excel import (  # noqa: E402
    BODY_FONT, BORDER, CENTER, HEADER_FILL, HEADER_FONT, TITLE_FONT, print_setup,
)
from app.documents.samples import sample_households, sample_office  # noqa: E402

TODAY = date(2026, 11, 23)


def gongshi_xlsx(path: Path, households) -> None:
    """The 公示 table as a styled xlsx (what a clerk would otherwise print via Calc)."""
    rows = public_rows(households, today=TODAY)
    wb = Workbook()
    ws = wb.active
    ws.title = "公示"
    headers = ["序号", "村(居)", "户主姓名", "家庭人口", "保障类别", "致贫原因", "月保障金额(元)"]
    for col, w in zip("ABCDEFG", (6, 12, 10, 8, 18, 16, 14)):
        ws.column_dimensions[col].width = w
    ws.merge_cells("A1:G1")
    ws["A1"] = "香山镇人民政府2026年第四季度最低生活保障等救助对象公示"
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTER
    for i, h in enumerate(headers, 1):
        c = ws.cell(2, i, h)
        c.font, c.fill, c.border, c.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER
    for r, row in enumerate(rows, 3):
        values = [r - 2, row.village, row.head_name, row.household_size, row.category,
                  row.poverty_cause, float(row.monthly_amount)]
        for i, v in enumerate(values, 1):
            c = ws.cell(r, i, v)
            c.font, c.border, c.alignment = BODY_FONT, BORDER, CENTER
    print_setup(ws, header_row=2, landscape=False)
    wb.save(path)


def timed(fn, *a, **kw):
    t = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - t


def bench_gongshi(n: int, work: Path) -> None:
    hh = sample_households(n, seed=42, villages=12)
    pdf = work / "gongshi.pdf"
    t_rls = []
    for _ in range(5):  # the first includes registering the fonts
        res, t = timed(build_gongshi_pdf, pdf, office=sample_office(), households=hh,
                       period_label="2026年第四季度", scope="township", start=date(2026, 10, 1),
                       days=7, today=TODAY)
        t_rls.append(t)
    rl_best, rl_median = min(t_rls), statistics.median(t_rls)
    print(f"公示 PDF (reportlab), {n} households: {res.rows} rows listed, {res.pages} pages, "
          f"{pdf.stat().st_size / 1e6:.2f} MB; first {t_rls[0]:.3f} s (with font registration), "
          f"best {rl_best:.3f} s, median of 5 {rl_median:.3f} s")
    xlsx = work / "gongshi.xlsx"
    _, t_x = timed(gongshi_xlsx, xlsx, hh)
    print(f"  same table as xlsx (openpyxl):             {t_x:.2f} s")
    soffice = shutil.which("soffice") or shutil.which("libreoffice") or _install_libreoffice()
    if not soffice:
        print("  LibreOffice: soffice not on PATH and could not be installed — comparison skipped "
              "(apt-get install libreoffice-calc-nogui to measure)")
        return
    profile = work / "lo-profile"
    cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
           "--convert-to", "pdf", "--outdir", str(work / "lo"), str(xlsx)]
    t_los = []
    for label in ("first run (cold profile)", "warm run 1", "warm run 2", "warm run 3"):
        _, t_lo = timed(subprocess.run, cmd, check=True, capture_output=True)
        out = work / "lo" / "gongshi.pdf"
        pages = _pages(out)
        if label.startswith("warm"):
            t_los.append(t_lo)
        print(f"  LibreOffice xlsx→pdf, {label}: {pages} pages, {t_lo:.2f} s; "
              f"incl. xlsx writing {t_lo + t_x:.2f} s")
    lo_best, lo_median = min(t_los) + t_x, statistics.median(t_los) + t_x
    print(f"  ratio LibreOffice (warm, incl. xlsx) / reportlab: best vs best {lo_best / rl_best:.1f}×, "
          f"median vs median {lo_median / rl_median:.1f}×")


def _install_libreoffice() -> str | None:
    """The benchmark (never the program) installs LibreOffice Calc when it is absent (Debian, root)."""
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return None
    print("  LibreOffice absent: apt-get install libreoffice-calc-nogui …", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "libreoffice-calc-nogui"],
                   check=False, env=env, capture_output=True)
    return shutil.which("soffice") or shutil.which("libreoffice")


def bench_cli(n: int, work: Path) -> None:
    """``qingfeng-cli report gongshi`` end to end (new process: start-up, unlock, password,
    query, PDF) on an encrypted database of ``n`` households."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from district import ADMIN_PASSWORD, OFFICE, generate_rows, load

    from app import offices, users
    from db.engine import create_sqlcipher

    path = work / "cli.qfdb"
    database, _ = create_sqlcipher(path, passphrase="bench-passphrase")
    with database.session() as s:
        offices.init_office(s, code=OFFICE, name="香水镇人民政府", level="township", parent="640424",
                            admin="admin", admin_password=ADMIN_PASSWORD)
    load(database.engine, generate_rows(n, 1))
    with database.session() as s:
        offices.update_office(s, users.actor_for(s, "admin"), phone="0954-5011234",
                              district_phone="0954-5012345", doc_prefix="香民发", district_name="泾源县民政局")
    database.dispose()
    env = dict(os.environ, QINGFENG_PASSPHRASE="bench-passphrase", QINGFENG_PASSWORD=ADMIN_PASSWORD)
    root = Path(__file__).resolve().parents[1]
    # an installed program (pip, the PyInstaller bundle) runs from bytecode; with
    # PYTHONDONTWRITEBYTECODE set, every run would compile the project's sources again
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app", "db"], cwd=str(root), check=True,
                   capture_output=True)
    cmd = [sys.executable, "-m", "app.cli", "--db", str(path), "--user", "admin", "report", "gongshi",
           "--period", "2026Q4", "--out", str(work / "cli.pdf")]
    times, cpus = [], []
    for run in range(1, 6):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, t = timed(subprocess.run, cmd, check=True, capture_output=True, env=env, cwd=str(root))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        times.append(t)
        cpus.append(cpu)
        note = " (the day's first use: includes the automatic daily backup)" if run == 1 else ""
        print(f"report gongshi end to end ({n} households, run {run}): {t:.2f} s "
              f"(CPU {cpu:.2f} s, both threads){note}")
    later = sorted(times[1:])
    print(f"  runs 2–5: best {later[0]:.2f} s, median {statistics.median(later):.2f} s; "
          f"CPU median {statistics.median(cpus[1:]):.2f} s; load average {os.getloadavg()[0]:.2f}")


def _pages(path: Path) -> int:
    try:
        from pypdf import PdfReader
        return len(PdfReader(str(path)).pages)
    except Exception:  # pypdf is a test dependency only
        return -1


def bench_screening(n: int, work: Path, engine: str) -> None:
    current = sample_households(n, seed=7, villages=12)
    exited = sample_households(max(1, n // 20), seed=8, status="退出")
    refused = sample_households(max(1, n // 50), seed=9, status="未通过")
    path = work / f"screening-{engine}.xlsx"
    res, t = timed(build_screening_xlsx, path, office=sample_office(), current_rows=current,
                   exited_rows=exited, refused_rows=refused, period_label="2026年第四季度",
                   engine=engine)
    print(f"排查统计表 engine={engine}: {n} 在保 + {len(exited)} 退出 + {len(refused)} "
          f"未通过 = {res.rows} rows × 11–12 columns, {path.stat().st_size / 1e6:.1f} MB, "
          f"{t:.2f} s ({res.rows / t:,.0f} rows/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--screening", type=int, default=100_000)
    ap.add_argument("--keep", help="folder to keep the outputs in")
    ap.add_argument("--reference", action="store_true",
                    help="also time the 排查统计表 with openpyxl write-only for every cell (slow)")
    args = ap.parse_args()
    print(f"Python {platform.python_version()} on {platform.platform()}, "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        bench_gongshi(args.households, work)
        bench_cli(args.households, work)
        bench_screening(args.screening, work, "stream")
        if args.reference:
            bench_screening(args.screening, work, "openpyxl")


if __name__ == "__main__":
    main()
