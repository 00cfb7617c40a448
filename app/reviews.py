"""Review schedule: when the next 复核 is due and when a review is overdue."""
from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy.orm import Session

from app import rulesettings


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_date(session: Session, classification: str | None, last_review: date) -> date:
    """Next 复核 date from the household's class and the review frequencies in settings.

    Rule: 民政部 低保 dynamic management — stable households checked yearly, those with unstable
    income and working ability half-yearly; local A/B/C schemes refine this (settings
    ``review_frequency_months``). Unclassified households take the strictest (shortest) interval.
    """
    freq = rulesettings.get(session, "review_frequency_months")
    months = freq.get(classification or "", min(freq.values()))
    return add_months(last_review, int(months))


def is_review_overdue(next_review: date | None, today: date) -> bool:
    """A review not done by its due date is overdue (在保必核)."""
    return next_review is not None and next_review < today
