"""What the district sends besides records: the holiday calendar of the coming years, and the
rows of its data sources (death lists …) with their source.

The calendar is data in the database (``app.workdays``); the district's rows replace whole years
at the township, audited, exactly as a calendar import typed in settings would.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app import workdays
from app.permissions import Actor
from app.sync import tables
from app.sync.format import PackageRefused


def plan_calendar(session: Session, rows: list[dict]) -> dict:
    """Validate the calendar rows and compare them year by year with ours."""
    by_year: dict[int, dict[date, tuple[str, str | None]]] = {}
    for r in rows:
        try:
            year = r["year"]
            if not isinstance(year, int) or not 2000 <= year <= 2100:
                raise ValueError
            by_year.setdefault(year, {})
            if r["day"] is not None:
                day = date.fromisoformat(r["day"])
                if day.year != year or r["kind"] not in ("holiday", "workday"):
                    raise ValueError
                by_year[year][day] = (r["kind"], r["name"])
        except (KeyError, TypeError, ValueError):
            raise PackageRefused("数据包中的工作日历格式不对。") from None
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    covered = set(workdays.covered_years(session))
    for year, days in by_year.items():
        mine = {d.day: (d.kind, d.name) for d in workdays.list_days(session, year)} if year in covered else None
        counts["new" if mine is None else "unchanged" if mine == days else "updated"] += 1
    return {"years": by_year, "counts": counts}


def apply_calendar(session: Session, actor: Actor, plan: dict, sender: str) -> None:
    report = workdays.CalendarImport(years=sorted(plan["years"]))
    for year, days in sorted(plan["years"].items()):
        workdays.write_year(session, actor, year, days, f"区县下发（{sender}）", report)


def check_documents(rows: list[dict]) -> list[tuple[str, bytes]]:
    """The report PDFs a package carries: safe file names, intact content."""
    out = []
    for r in rows:
        try:
            name, data = r["name"], base64.b64decode(r["data"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise PackageRefused("数据包中的报表文件格式不对。") from None
        if not isinstance(name, str) or not name.endswith(".pdf") or "/" in name or "\\" in name \
                or name.startswith(".") or len(name) > 100:
            raise PackageRefused(f"数据包中的报表文件名不合规：{name!r}")
        if hashlib.sha256(data).hexdigest() != r.get("sha256") or not data.startswith(b"%PDF"):
            raise PackageRefused(f"数据包中的报表 {name} 已损坏。")
        out.append((name, data))
    return out


def save_documents(folder: Path, sender: str, period: str, docs: list[tuple[str, bytes]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in docs:
        path = folder / f"{sender}-{period}-{name}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def plan_source_records(rows: list[dict], new_sources: set[str], package_sources: set[str]) -> dict:
    """Check the rows of the district's data sources. Rows of a source new here are inserted;
    those of a source already here are left as they are (a list does not change once kept)."""
    keys = set(tables.SOURCE_RECORD_FIELDS)
    insert = []
    for r in rows:
        try:
            ok = (r.keys() == keys and r["source_id"] in package_sources and isinstance(r["row_no"], int)
                  and isinstance(r["id_number"], str) and 0 < len(r["id_number"]) <= 18
                  and all(r[k] is None or (isinstance(r[k], str) and len(r[k]) <= n)
                          for k, n in (("name", 60), ("detail", 200), ("address", 200))))
            day = None if r["event_date"] is None else date.fromisoformat(r["event_date"])
        except (AttributeError, TypeError, ValueError):
            ok = False
        if not ok:
            raise PackageRefused("数据包中的比对数据源名单格式不对。")
        if r["source_id"] in new_sources:
            insert.append({**r, "event_date": day})
    return {"rows": insert, "counts": {"new": len(insert), "updated": 0, "unchanged": len(rows) - len(insert)}}
