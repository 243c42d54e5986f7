"""The figures the desk and the inboxes show: counted on every visit by default; at city scale read
as the workers last counted them, at most PAGE_FIGURES_MAX_AGE_SECONDS old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from demands.models import Demand
from departments.models import Membership, Role
from dispatch import recent_figures
from dispatch.department_figures import count_departments
from dispatch.desk_queues import DeskFilters
from dispatch.models import Assignment
from dispatch.services import assignment_reply, assignment_sign
from dispatch.tasks import refresh_page_figures
from dispatch.workbench_queries import department_summary
from tests.citizens import NOISE, STALL
from tests.staff import latest_lead, logged_in


def _open_tile(page: str) -> str:
    return page.split('id="figures"')[1].split("</div>")[0]


def test_by_default_every_visit_counts_again(district, submit):
    cgj = district.users["cgj"]
    submit(**STALL)
    assert "<b>1</b>" in _open_tile(logged_in(cgj).get("/workbench/").content.decode())
    submit(**STALL)
    page = logged_in(cgj).get("/workbench/").content.decode()
    assert "<b>2</b>" in _open_tile(page)
    assert 'id="figures-as-of"' not in page
    assert refresh_page_figures.apply().get() == 0  # nothing is kept: the workers count nothing


def test_kept_figures_are_read_until_the_workers_count_again(district, submit, settings):
    settings.PAGE_FIGURES_MAX_AGE_SECONDS = 300
    cgj = district.users["cgj"]
    submit(**STALL)
    page = logged_in(cgj).get("/workbench/").content.decode()
    assert "<b>1</b>" in _open_tile(page)
    assert 'id="figures-as-of"' in page and "以上数字统计于" in page
    submit(**STALL)
    assert "<b>1</b>" in _open_tile(logged_in(cgj).get("/workbench/").content.decode())
    assert refresh_page_figures.apply().get() >= 1
    assert "<b>2</b>" in _open_tile(logged_in(cgj).get("/workbench/").content.decode())


def _pager(page: str) -> str:
    return page.split('class="pagination"')[1].split("</nav>")[0]


def test_a_short_inbox_is_counted_so_a_new_case_shows_at_once(district, submit, settings, monkeypatch):
    """Kept figures may be a minute old: a short list is counted on the visit, so a case that just
    arrived is on the page before the figure above it has caught up."""
    monkeypatch.setattr("dispatch.views.common.PAGE_SIZE", 2)
    settings.PAGE_FIGURES_MAX_AGE_SECONDS = 300
    cgj = logged_in(district.users["cgj"])
    for _ in range(3):
        submit(**STALL)
    page = cgj.get("/workbench/").content.decode()
    assert "<b>3</b>" in _open_tile(page) and "第 1 / 2 页，共 3 条" in _pager(page)
    newest = submit(**STALL).demand
    page = cgj.get("/workbench/?page=2").content.decode()
    assert "<b>3</b>" in _open_tile(page)  # the figure as kept
    assert "第 2 / 2 页，共 4 条" in _pager(page) and newest.tracking_number in page


def test_a_long_inbox_pages_by_the_count_above_it(district, submit, settings, monkeypatch):
    """A long list takes its count from the figures (counted in the request, or kept): its rows are
    not counted twice. Kept, the pages follow the figure until the workers count again."""
    monkeypatch.setattr("dispatch.views.common.PAGE_SIZE", 2)
    cgj = logged_in(district.users["cgj"])
    for _ in range(5):
        submit(**STALL)
    assert "共 5 条" in _pager(cgj.get("/workbench/").content.decode())
    settings.PAGE_FIGURES_MAX_AGE_SECONDS = 300
    refresh_page_figures.apply()
    submit(**STALL)
    assert "第 1 / 3 页，共 5 条" in _pager(cgj.get("/workbench/").content.decode())
    refresh_page_figures.apply()
    page = cgj.get("/workbench/?page=3").content.decode()
    assert "<b>6</b>" in _open_tile(page) and "第 3 / 3 页，共 6 条" in _pager(page)
    assert page.count('class="mark-') == 2


def test_kept_desk_counts_follow_the_workers(district, submit, settings):
    settings.PAGE_FIGURES_MAX_AGE_SECONDS = 300
    lead = latest_lead(submit(**STALL).demand)
    unfiltered = DeskFilters()
    assert recent_figures.desk_counts(unfiltered)["overdue"] == 0
    Assignment.objects.filter(pk=lead.pk).update(handle_deadline=timezone.now() - timedelta(hours=1))
    assert recent_figures.desk_counts(unfiltered)["overdue"] == 0
    # Another filter is another count, counted when first asked for.
    street = DeskFilters(street_id=lead.demand.street_id)
    assert recent_figures.desk_counts(street)["overdue"] == 1
    recent_figures.refresh()
    assert recent_figures.desk_counts(unfiltered)["overdue"] == 1
    # A supervisor's subset of the queues is read from the same entry.
    assert recent_figures.desk_counts(unfiltered, ("overdue", "supervised")) == {"overdue": 1, "supervised": 0}
    page = logged_in(district.users["dispatcher"]).get("/desk/?queue=overdue").content.decode()
    assert lead.demand.tracking_number in page


@pytest.mark.parametrize("kept", [0, 300])
def test_a_person_in_two_departments_sees_both_summed(district, submit, settings, kept):
    settings.PAGE_FIGURES_MAX_AGE_SECONDS = kept
    cgj, zjj = district.users["cgj"], district.users["zjj"]
    stall = submit(**STALL).demand
    submit(**NOISE)
    assignment_sign(assignment_id=latest_lead(stall).pk, actor=cgj)
    assignment_reply(assignment_id=latest_lead(stall).pk, actor=cgj, body="已清理占道摊贩，并安排每日巡查。")
    Membership.objects.create(user=cgj, department=district.departments["ZJJ"], role=Role.HANDLER)
    cgj = User.objects.get(pk=cgj.pk)  # as the next request reads them: a user's memberships are read once
    both = department_summary(cgj)
    alone = department_summary(zjj)
    assert (both.open, both.to_sign, both.answered, both.answered_on_time) == (1, 1, 1, 1)
    assert (alone.open, alone.to_sign, alone.answered) == (1, 1, 0)
    by_department = count_departments(None)
    assert by_department[district.departments["CGJ"].pk].answered == 1
    assert by_department[district.departments["ZJJ"].pk].open == 1


def test_ratings_count_for_the_department_that_answered(district, submit):
    cgj = district.users["cgj"]
    stall = submit(**STALL).demand
    assignment_sign(assignment_id=latest_lead(stall).pk, actor=cgj)
    assignment_reply(assignment_id=latest_lead(stall).pk, actor=cgj, body="已清理占道摊贩，并安排每日巡查。")
    stall.refresh_from_db()
    Demand.objects.filter(pk=stall.pk).update(rating=4, rated_at=timezone.now())
    figures = count_departments(None)
    assert figures[district.departments["CGJ"].pk].average_rating == 4
    assert figures.get(district.departments["ZJJ"].pk) is None
    # Rated before the period began: not of these 30 days.
    Demand.objects.filter(pk=stall.pk).update(rated_at=timezone.now() - timedelta(days=31))
    assert count_departments(None)[district.departments["CGJ"].pk].average_rating is None


def test_a_rating_through_a_chain_of_merges_counts_for_the_answer_it_shares(district, submit):
    cgj = district.users["cgj"]
    answered, merged, merged_again = (submit(**STALL).demand for _ in range(3))
    assignment_sign(assignment_id=latest_lead(answered).pk, actor=cgj)
    assignment_reply(assignment_id=latest_lead(answered).pk, actor=cgj, body="已清理占道摊贩，并安排每日巡查。")
    now = timezone.now()
    rated_after_merge = {"status": "merged", "closed_at": now - timedelta(hours=1), "rated_at": now}
    Demand.objects.filter(pk=merged.pk).update(duplicate_of=answered, rating=2, **rated_after_merge)
    Demand.objects.filter(pk=merged_again.pk).update(duplicate_of=merged, rating=4, **rated_after_merge)
    figures = count_departments(None)[district.departments["CGJ"].pk]
    assert (figures.ratings, figures.average_rating) == (2, 3)
    # Rated before its merge: the citizen rated their own demand's answer, which there was none of.
    Demand.objects.filter(pk=merged_again.pk).update(rated_at=now - timedelta(hours=2))
    assert count_departments(None)[district.departments["CGJ"].pk].ratings == 1
