"""One home for "a 复核 is due" (app.reviews): 首页 counts, its list, the CLI's ``review due`` and
the household list agree — including a household in force without a stored next review date."""
from __future__ import annotations

from datetime import date

from app import dashboard, reviews
from db.models import Household
from test_ui_support import add_household

TODAY = date(2026, 11, 20)


def test_dashboard_and_review_list_count_the_same(env):
    ids = [add_household(env, name=n, seq=s) for n, s in (("张三", 11), ("李四", 13), ("王五", 15), ("赵六", 17))]
    with env.database.session() as s:
        setups = [("在保", date(2026, 10, 1), None), ("在保", date(2026, 11, 25), None),
                  ("在保", None, date(2024, 1, 5)),  # no stored date: due from the last review
                  ("暂停", date(2026, 1, 1), None)]  # not 在保: not counted (在保必核)
        for hid, (status, nxt, last) in zip(ids, setups):
            hh = s.get(Household, hid)
            hh.status, hh.next_review_date, hh.last_review_date = status, nxt, last
            hh.approve_date, hh.classification = date(2023, 1, 1), "A"
    with env.database.session(write=False) as s:
        listed = reviews.due_reviews(s, today=TODAY, within_days=dashboard.DUE_SOON_DAYS, office_code="640424100")
        counted = reviews.due_counts(s, today=TODAY, within_days=dashboard.DUE_SOON_DAYS, office_code="640424100")
        d = dashboard.home_data(s, "640424100", today=TODAY)
    assert [r.household_id for r in listed] == [ids[2], ids[0], ids[1]]
    assert [r.overdue for r in listed] == [True, True, False]
    assert counted == {"A": (1, 2)}
    assert (d.counts.reviews_overdue, d.counts.reviews_due) == (2, 1)
    assert d.reviews_by_class == {"A": (1, 2)} and [r.household_id for r in d.reviews] == [ids[2], ids[0], ids[1]]
    assert reviews.review_overdue("在保", date(2026, 10, 1), TODAY)
    assert not reviews.review_overdue("暂停", date(2026, 10, 1), TODAY)
