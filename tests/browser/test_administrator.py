"""The administrator's journey: a coming year the official calendar does not know, its notice
entered in the admin, and the calendar page showing it."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from departments.working_time import official_years
from tests.browser.pages import log_in, shot


def test_administrator_enters_the_holiday_notice_of_a_year_the_calendar_does_not_know(page):
    year = official_years().stop
    today = timezone.localdate()
    if not today.year - 1 <= year <= today.year + 2:
        pytest.skip(f"{year} is not among the years the page shows around {today}")
    log_in(page, "admin", "admin")
    page.get_by_role("link", name="工作日历").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作日历")
    section = page.locator(f"#year-{year}")
    expect(section.locator("[data-source]")).to_have_text("法定节假日推算（无调休）")
    expect(section).to_contain_text("春节")
    shot(page, "admin-calendar")

    section.get_by_role("link", name="录入本年放假安排").click()
    expect(page.get_by_label("年份")).to_have_value(str(year))
    saturday = next(date(year, 2, d) for d in range(14, 29) if date(year, 2, d).weekday() == 5)
    page.get_by_label("放假日期").fill(f"{year}-01-01\n{year}-02-05 至 {year}-02-12")
    page.get_by_label("调休上班日期").fill(saturday.isoformat())
    shot(page, "admin-notice-form", check=False)
    page.get_by_role("button", name="录入").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("工作日历")
    expect(section.locator("[data-source]")).to_have_text("管理员录入")
    expect(section).to_contain_text(saturday.isoformat())
    expect(section).not_to_contain_text("请尽快录入")
    shot(page, "admin-calendar-entered")
