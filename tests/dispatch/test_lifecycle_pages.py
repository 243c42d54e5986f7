"""The demand's lifecycle (demands/workflow.py) through the pages alone: every state a demand can
be in is reached by a person using the forms the platform shows them, with no admin, API or
service call."""

from __future__ import annotations

from django.test import Client

from demands.models import Demand
from demands.workflow import Status
from dispatch.models import Assignment, ExtensionRequest, InfoRequest
from tests.staff import logged_in, open_lead


def _submit(citizen: Client, capture, **fields) -> Demand:
    form = {
        "urgency": "normal", "citizen_name": "张三", "citizen_phone": "13812345678", "consent": "on",
        "location_text": "坪山街道", **fields,
    }  # fmt: skip
    with capture(execute=True):
        response = citizen.post("/", form, follow=True)
    return Demand.objects.get(tracking_number=response.context["receipt"]["tracking_number"])


def test_every_state_of_the_lifecycle_through_the_pages(district, settings, django_capture_on_commit_callbacks):
    settings.ROUTING_AUTO_DISPATCH_THRESHOLD = 1.01  # every demand goes to a person first
    users = district.users
    citizen, desk = Client(), logged_in(users["dispatcher"])
    cgj, zjj = logged_in(users["cgj"]), logged_in(users["zjj"])
    demand = _submit(citizen, django_capture_on_commit_callbacks, title="工地噪音", content="六和城工地半夜施工打桩")
    number = demand.tracking_number
    seen = [Status.SUBMITTED]  # the submit event records it; routing moves on at once

    def state() -> str:
        demand.refresh_from_db()
        seen.append(demand.status)
        return demand.status

    assert state() == Status.TRIAGE
    desk.post(f"/desk/demands/{number}/dispatch/", {"department": district.departments["CGJ"].pk})
    assert state() == Status.DISPATCHED

    lead = open_lead(demand)
    cgj.post(f"/workbench/{lead.pk}/sign/")
    assert state() == Status.IN_PROGRESS
    cgj.post(f"/workbench/{lead.pk}/ask-citizen/", {"question": "请说明工地的具体位置"})
    citizen.post(f"/track/{number}/supplement/", {"answer": "六和城东门对面的工地"})
    assert InfoRequest.objects.get().status == "answered"
    cgj.post(f"/workbench/{lead.pk}/extension/", {"extra_days": "2", "reason": "需要夜间现场取证"})
    extension = ExtensionRequest.objects.get()
    desk.post(f"/desk/extensions/{extension.pk}/decide/", {"approve": "1", "note": ""})
    extension.refresh_from_db()
    assert extension.status == "approved" and state() == Status.IN_PROGRESS

    cgj.post(
        f"/workbench/{lead.pk}/return/",
        {
            "reason_code": "not_ours",
            "reason": "施工噪音由住建局查处",
            "suggested_department": district.departments["ZJJ"].pk,
        },
    )
    assert state() == Status.RETURNED
    ruling = lead.returns.get()
    desk.post(
        f"/desk/returns/{ruling.pk}/rule/",
        {"uphold": "1", "department": ruling.suggested_department_id, "note": "改派住建局"},
    )
    assert state() == Status.DISPATCHED

    lead = open_lead(demand)
    # The case goes to 住建局 as the matter the router suggested for it, with that matter's
    # assisting department, whose part the lead's answer waits for.
    assert lead.matter is not None and lead.matter.lead_department_id == district.departments["ZJJ"].pk
    assist = Assignment.objects.get(demand=demand, role="assist", status="pending_sign")
    zjj.post(f"/workbench/{lead.pk}/sign/")
    zjj.post(f"/workbench/{lead.pk}/reply/", {"body": "已责令施工单位停止夜间施工。"})
    assert state() == Status.IN_PROGRESS
    logged_in(users[assist.department.code.lower()]).post(f"/workbench/{assist.pk}/reply/", {"body": "夜间噪声超标。"})
    zjj.post(f"/workbench/{lead.pk}/reply/", {"body": "已责令施工单位停止夜间施工。"})
    assert state() == Status.REPLIED
    citizen.post(f"/track/{number}/reopen/", {"reason": "晚上还在施工，没有解决"})
    assert state() == Status.REOPENED
    lead = open_lead(demand)
    zjj.post(f"/workbench/{lead.pk}/sign/")
    assert state() == Status.IN_PROGRESS
    zjj.post(f"/workbench/{lead.pk}/reply/", {"body": "已现场查处并处以罚款，夜间施工已停止。"})
    citizen.post(f"/track/{number}/rate/", {"rating": "4", "comment": "解决了"})
    assert state() == Status.CLOSED

    repeat = _submit(citizen, django_capture_on_commit_callbacks, title="工地噪音", content="六和城工地又在半夜施工")
    desk.post(f"/desk/demands/{repeat.tracking_number}/merge/", {"original": number, "note": "同一工地"})
    repeat.refresh_from_db()
    seen.append(repeat.status)
    nonsense = _submit(citizen, django_capture_on_commit_callbacks, title="测试", content="这是一条测试内容")
    desk.post(f"/desk/demands/{nonsense.tracking_number}/reject/", {"reason": "无实际诉求内容"})
    nonsense.refresh_from_db()
    seen.append(nonsense.status)

    assert set(seen) == set(Status.values)
