"""Helper shared by the tests that grant: record the steps a decision needs (no tests here)."""
from datetime import timedelta

from app import households as hs
from db.models import Household


def complete_steps(s, actor, hid, day, *, signers=("马晓梅", "李建军"), attendee="王乡镇"):
    """Record 受理, 家庭经济状况核对, 入户调查 (two signers), 民主评议 and a finished 7-day 公示
    before a decision on ``day`` (the application is dated back to ``day`` − 10 if need be)."""
    hh = s.get(Household, hid)
    start = day - timedelta(days=10)
    if hh.apply_date is None or hh.apply_date > start:
        hs.edit_household(s, actor, hid, expected_version=None, changes={"apply_date": start})
    for offset, kind, extra in ((10, "受理", {}), (9, "家庭经济状况核对", {"report_number": "HD-2026-0001"}),
                                (9, "入户调查", {"signers": list(signers)}),
                                (8, "民主评议", {"attendee": attendee}), (7, "公示", {"period_days": 7})):
        hs.record_step(s, actor, hid, kind=kind, day=day - timedelta(days=offset), handler="马晓梅",
                       today=day, **extra)
