"""The auditors' tests' world: four demands that cover the figures (`scenario`), and exports small
enough to go to the background (`big_exports`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from demands.services import demand_rate
from dispatch.models import Assignment, AssignmentRole
from dispatch.services import assignment_contribute, assignment_reply, assignment_return, assignment_sign, return_rule
from tests.citizens import STALL
from tests.staff import latest_lead

REPLY = "已处理完毕并回访群众，群众认可。"


@pytest.fixture
def scenario(district, submit):
    """Four demands:
    - answered: stall in 坪山街道, CGJ answers on time, the citizen rates it 4;
    - returned: stall in 坑梓街道, CGJ returns it, the return is upheld, KZJD (second dispatch) has it open;
    - overdue: stall in 坪山街道, open at CGJ past its deadline;
    - late: noise in 坪山街道, ZJJ leads with SHJ assisting, answered after its deadline."""
    users = district.users
    answered = submit(**STALL).demand
    assignment_sign(assignment_id=latest_lead(answered).pk, actor=users["cgj"])
    assignment_reply(assignment_id=latest_lead(answered).pk, actor=users["cgj"], body=REPLY)
    demand_rate(demand=answered, rating=4)

    returned = submit(**STALL, location_text="坑梓街道秀新村").demand
    request = assignment_return(
        assignment_id=latest_lead(returned).pk,
        actor=users["cgj"],
        reason_code="wrong_territory",
        reason="属于街道管理范围",
    )
    return_rule(
        return_id=request.pk, actor=users["dispatcher"], uphold=True, department_id=district.departments["KZJD"].pk,
        note="街道负责",
    )  # fmt: skip

    overdue = submit(**STALL).demand
    Assignment.objects.filter(pk=latest_lead(overdue).pk).update(handle_deadline=timezone.now() - timedelta(hours=1))

    late = submit().demand
    zjj_lead = latest_lead(late)
    assignment_sign(assignment_id=zjj_lead.pk, actor=users["zjj"])
    assist = Assignment.objects.get(demand=late, role=AssignmentRole.ASSIST)
    assignment_contribute(assignment_id=assist.pk, actor=users["shj"], body="夜间噪声监测结果超标。")
    Assignment.objects.filter(pk=zjj_lead.pk).update(handle_deadline=timezone.now() - timedelta(minutes=5))
    assignment_reply(assignment_id=zjj_lead.pk, actor=users["zjj"], body=REPLY)
    return {"answered": answered, "returned": returned, "overdue": overdue, "late": late}


@pytest.fixture
def big_exports(settings, monkeypatch):
    """Everything above two rows goes to the background; progress is written every row."""
    settings.EXPORT_INLINE_MAX_ROWS = 2
    monkeypatch.setattr("assessment.export_jobs.PROGRESS_EVERY", 1)
