"""Appeals (申诉): a department head appeals a case of the month just closed, within the window;
an auditor upholds or rejects it; both are on the demand's record and the department is told."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.appeals import appeal_decide, appeal_submit, appeal_window, period_of, upheld_assignment_ids
from assessment.models import Appeal, AppealStatus
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.services import demand_submit
from demands.workflow import Action
from departments.models import Role
from dispatch.models import Notification
from dispatch.services import demand_route
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import csv_rows, logged_in, open_lead

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def window(case):
    """(a moment inside the appeal window of the case's month, one before it opens, one after it closed)."""
    opens, closes = appeal_window(period_of(case))
    return opens + timedelta(hours=1), opens - timedelta(days=1), closes + timedelta(minutes=1)


@pytest.fixture
def head(district):
    return make_user("cgj_head", Role.HEAD, district.departments["CGJ"])


@pytest.fixture
def case(district):
    """A stall demand the city management bureau (CGJ) got today."""
    demand = demand_submit(**STALL, citizen_name="甲", citizen_phone="13800000000").demand
    demand_route(demand_id=demand.pk)
    return open_lead(demand)


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_the_window_opens_when_the_month_closes_and_lasts_five_working_days(db):
    opens, closes = appeal_window(date(2026, 11, 1))
    assert timezone.localtime(opens) == datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI)
    # 1 December 2026 is a Tuesday: the fifth working day is Monday the 7th, and ends at 18:00.
    assert timezone.localtime(closes) == datetime(2026, 12, 7, 18, 0, tzinfo=SHANGHAI)


def test_a_head_appeals_within_the_window_and_it_is_on_the_record(district, case, head, window):
    with at(window[0]):
        appeal = appeal_submit(actor=head, assignment_id=case.pk, reason="群众反映的是私人小区内部问题，不属本局职责")
    assert appeal.status == AppealStatus.PENDING and appeal.period == period_of(case)
    event = DemandEvent.objects.filter(demand=case.demand, action=Action.APPEAL).get()
    assert event.department == district.departments["CGJ"] and not event.is_public
    with at(window[0]), pytest.raises(IllegalTransition, match="已经申诉过"):
        appeal_submit(actor=head, assignment_id=case.pk, reason="再申诉一次，理由相同")


@pytest.mark.parametrize("outside", [1, 2], ids=["before-the-month-closes", "after-the-window"])
def test_outside_the_window_an_appeal_is_refused_with_the_window(district, case, head, window, outside):
    opens = timezone.localtime(window[0] - timedelta(hours=1))
    with at(window[outside]), pytest.raises(IllegalTransition, match=f"申诉期为 {opens:%Y-%m-%d %H:%M}"):
        appeal_submit(actor=head, assignment_id=case.pk, reason="不属本局职责范围内的事项")
    assert not Appeal.objects.exists()


def test_only_the_departments_head_may_appeal(district, case, window):
    other_head = make_user("zjj_head", Role.HEAD, district.departments["ZJJ"])
    for person in (district.users["cgj"], other_head):
        with at(window[0]), pytest.raises(NotAllowed):
            appeal_submit(actor=person, assignment_id=case.pk, reason="不属本局职责范围内的事项")
    with at(window[0]), pytest.raises(ValidationFailed):
        appeal_submit(actor=district.users["cgj"], assignment_id=case.pk, reason="短")
    assert not Appeal.objects.exists()


def test_an_upheld_appeal_leaves_the_figures_and_the_department_is_told(district, case, head, window):
    with at(window[0]):
        appeal = appeal_submit(actor=head, assignment_id=case.pk, reason="不属本局职责范围内的事项")
    with pytest.raises(NotAllowed):
        appeal_decide(actor=head, appeal_id=appeal.pk, upheld=True, reason="自己裁定")
    with at(window[0] + timedelta(hours=1)):
        appeal_decide(actor=district.users["auditor"], appeal_id=appeal.pk, upheld=True, reason="经核实属物业管理范围")
    appeal.refresh_from_db()
    assert appeal.is_upheld and appeal.decided_by == district.users["auditor"]
    month = period_of(case)
    assert list(upheld_assignment_ids(month, month + timedelta(days=27))) == [case.pk]
    assert list(upheld_assignment_ids(month + timedelta(days=40), month + timedelta(days=60))) == []
    ruling = DemandEvent.objects.get(demand=case.demand, action=Action.RULE_APPEAL)
    assert ruling.data["upheld"] is True and "物业" in ruling.reason
    told = set(Notification.objects.filter(kind="appeal").values_list("user__username", flat=True))
    assert told == {"cgj", "cgj_head"}
    with at(window[0] + timedelta(hours=2)), pytest.raises(IllegalTransition, match="已裁定"):
        appeal_decide(actor=district.users["auditor"], appeal_id=appeal.pk, upheld=False, reason="改判")


def test_a_rejected_appeal_keeps_the_case_in_the_figures(district, case, head, window):
    with at(window[0]):
        appeal = appeal_submit(actor=head, assignment_id=case.pk, reason="不属本局职责范围内的事项")
        appeal_decide(actor=district.users["auditor"], appeal_id=appeal.pk, upheld=False, reason="占道经营属城管职责")
    assert Appeal.objects.get().status == AppealStatus.REJECTED
    month = period_of(case)
    assert list(upheld_assignment_ids(month, month + timedelta(days=27))) == []


def test_a_head_appeals_and_an_auditor_rules_on_the_page_and_exports_them(district, case, head, window):
    with at(window[0]):
        page = logged_in(head)
        shown = page.get(reverse("appeals"))
        assert case.demand.tracking_number in shown.content.decode()
        page.post(
            reverse("appeal-new"),
            {"assignment": case.pk, "reason": "=HYPERLINK(不属本局职责范围内的事项)"},
        )
    appeal = Appeal.objects.get()
    with at(window[0] + timedelta(hours=1)):
        auditor = logged_in(district.users["auditor"])
        listed = auditor.get(reverse("appeals")).content.decode()
        assert f'action="{reverse("appeal-rule", args=[appeal.pk])}"' in listed
        auditor.post(reverse("appeal-rule", args=[appeal.pk]), {"upheld": "yes", "reason": "经核实属物业管理范围"})
    assert Appeal.objects.get().is_upheld
    rows = csv_rows(auditor.get(reverse("appeals-csv")))
    assert rows[1][0] == case.demand.tracking_number and rows[1][3].startswith("'=")
    assert rows[1][4] == "申诉成立"
    # The head sees the ruling on the page, not a form.
    assert "经核实属物业管理范围" in page.get(reverse("appeals")).content.decode()
    assert page.get(reverse("appeals-csv")).status_code == 403


def test_the_page_says_when_nothing_can_be_appealed(district, head, case, window):
    with at(window[2]):
        assert "现在没有可以申诉的诉求" in logged_in(head).get(reverse("appeals")).content.decode()
    assert logged_in(district.users["cgj"]).get(reverse("appeals")).status_code == 403


def test_the_departments_figures_leave_out_a_case_upheld_on_appeal(district, case, head, window):
    from assessment.figures import AuditFilters, department_rows

    month = period_of(case)
    filters = AuditFilters(date_from=month, date_to=month + timedelta(days=27))

    def received() -> int:
        rows = {row.key: row for row in department_rows(filters, now=window[0])}
        row = rows.get(district.departments["CGJ"].pk)
        return row.received if row else 0

    assert received() == 1
    with at(window[0]):
        appeal = appeal_submit(actor=head, assignment_id=case.pk, reason="不属本局职责范围内的事项")
    assert received() == 1  # pending: still counted
    with at(window[0] + timedelta(hours=1)):
        appeal_decide(actor=district.users["auditor"], appeal_id=appeal.pk, upheld=True, reason="经核实属物业管理范围")
    assert received() == 0


def test_the_api_takes_an_appeal_and_a_ruling(district, case, head, window):
    from rest_framework.test import APIClient

    with at(window[0]):
        as_head = APIClient()
        as_head.force_authenticate(head)
        made = as_head.post(
            reverse("api-appeal-submit"),
            {"assignment_id": case.pk, "reason": "不属本局职责范围内的事项"},
            format="json",
        )
        assert made.status_code == 201 and made.json()["status"] == "pending"
        again = as_head.post(
            reverse("api-appeal-submit"),
            {"assignment_id": case.pk, "reason": "不属本局职责范围内的事项"},
            format="json",
        )
        assert again.status_code == 409
        as_auditor = APIClient()
        as_auditor.force_authenticate(district.users["auditor"])
        ruled = as_auditor.post(
            reverse("api-appeal-rule", args=[made.json()["id"]]),
            {"upheld": False, "reason": "属本局职责"},
            format="json",
        )
        assert ruled.status_code == 200 and ruled.json()["status"] == "rejected"
        listed = as_head.get(reverse("api-appeals")).json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert [row["tracking_number"] for row in rows] == [case.demand.tracking_number]
        assert (
            as_auditor.post(
                reverse("api-appeal-rule", args=[999999]), {"upheld": True, "reason": "经核实属物业管理范围"}
            ).status_code
            == 404
        )
