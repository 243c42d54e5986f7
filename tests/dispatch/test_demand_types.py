"""Demand types (咨询, 求助, 投诉, 举报, 建议, 表扬): chosen by the citizen or the intake operator,
corrected by the dispatcher, shown wherever a demand is shown and filterable on the desk."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from rest_framework.test import APIClient

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import Demand, DemandEvent, DemandType
from demands.selectors import public_timeline
from demands.workflow import Action, Status
from dispatch.services import demand_merge, demand_set_type
from tests.citizens import FORM, NOISE, citizen_of, post_demand
from tests.staff import logged_in, open_lead


def _page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_citizen_picks_the_type_on_the_web_form_or_leaves_it(district, django_capture_on_commit_callbacks):
    form = _page(Client().get("/"))
    assert "诉求类型" in form and '<option value="complaint">投诉</option>' in form
    typed = post_demand(Client(), django_capture_on_commit_callbacks, demand_type="complaint")
    assert typed.demand_type == DemandType.COMPLAINT
    left = post_demand(
        Client(),
        django_capture_on_commit_callbacks,
        title="楼道灯坏了",
        content="六和城3栋楼道的灯坏了一个月，晚上看不见路。",
        citizen_phone="13900002222",
    )
    assert left.demand_type == DemandType.UNKNOWN and left.get_demand_type_display() == "未分类"
    refused = Client().post("/", {**FORM, "demand_type": "gossip"})
    assert refused.status_code == 200 and "请从列表中选择诉求类型。" in _page(refused)


def test_the_intake_operator_records_the_type_the_caller_gives(district, django_capture_on_commit_callbacks):
    operator = logged_in(district.users["intake"])
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post("/intake/", {**FORM, "channel": "hotline", "demand_type": "question"})
    assert response.status_code == 200 and response.context["receipt"]
    demand = Demand.objects.get(tracking_number=response.context["receipt"]["tracking_number"])
    assert demand.demand_type == DemandType.QUESTION and demand.channel == "hotline"


def test_the_citizen_api_takes_the_type_and_its_schema_names_the_choices(district, django_capture_on_commit_callbacks):
    body = {"title": STALL_TITLE, "content": "坪山大道上每天傍晚都有小贩摆摊占道经营。", "citizen_name": "钱七"}
    with django_capture_on_commit_callbacks(execute=True):
        made = APIClient().post(
            "/api/v1/citizen/demands/", {**body, "citizen_phone": "13700001234", "demand_type": "report"}, format="json"
        )
    assert made.status_code == 201, made.content
    assert Demand.objects.get(tracking_number=made.json()["tracking_number"]).demand_type == DemandType.REPORT
    wrong = APIClient().post(
        "/api/v1/citizen/demands/", {**body, "citizen_phone": "13700001235", "demand_type": "gossip"}, format="json"
    )
    assert wrong.status_code == 400 and "demand_type" in wrong.content.decode()
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    enums = [s.get("enum", []) for s in schema["components"]["schemas"].values()]
    assert any({"question", "help", "complaint", "report", "suggestion", "praise"} <= set(e) for e in enums)


STALL_TITLE = "路边有流动摊贩占道经营"


def test_the_dispatcher_corrects_the_type_once_recorded_with_old_and_new(district, submit):
    demand = submit(**NOISE, demand_type=DemandType.QUESTION).demand
    demand_set_type(demand_id=demand.pk, actor=district.users["dispatcher"], demand_type=DemandType.COMPLAINT)
    demand.refresh_from_db()
    assert demand.demand_type == DemandType.COMPLAINT
    event = DemandEvent.objects.get(demand=demand, action=Action.RETYPE)
    assert event.data == {"from": "question", "to": "complaint"} and event.actor == district.users["dispatcher"]
    assert event.from_status == event.to_status == demand.status
    # The centre's classification, not a step the citizen follows.
    assert event not in list(public_timeline(demand))


def test_only_a_dispatcher_corrects_the_type_and_only_to_another_real_type(district, submit):
    demand = submit(**NOISE, demand_type=DemandType.HELP).demand
    with pytest.raises(NotAllowed):
        demand_set_type(demand_id=demand.pk, actor=district.users["cgj"], demand_type=DemandType.COMPLAINT)
    dispatcher = district.users["dispatcher"]
    with pytest.raises(ValidationFailed, match="未改变"):
        demand_set_type(demand_id=demand.pk, actor=dispatcher, demand_type=DemandType.HELP)
    with pytest.raises(ValidationFailed, match="请选择诉求类型"):
        demand_set_type(demand_id=demand.pk, actor=dispatcher, demand_type=DemandType.UNKNOWN)
    with pytest.raises(ValidationFailed):
        demand_set_type(demand_id=demand.pk, actor=dispatcher, demand_type="gossip")
    assert not DemandEvent.objects.filter(demand=demand, action=Action.RETYPE).exists()


def test_a_merged_demand_keeps_its_type(district, submit):
    original = submit(**NOISE).demand
    repeat = submit(**NOISE, citizen_phone="13900001111").demand
    demand_merge(demand_id=repeat.pk, original_id=original.pk, actor=district.users["dispatcher"], note="同一工地")
    with pytest.raises(IllegalTransition):
        demand_set_type(demand_id=repeat.pk, actor=district.users["dispatcher"], demand_type=DemandType.COMPLAINT)


def test_the_case_page_shows_the_type_and_the_dispatcher_corrects_it_there(district, submit):
    demand = submit(**NOISE).demand
    desk = logged_in(district.users["dispatcher"])
    page = _page(desk.get(f"/desk/demands/{demand.tracking_number}/"))
    assert 'demand-type muted">未分类<' in page and 'id="retype" open' in page
    response = desk.post(f"/desk/demands/{demand.tracking_number}/type/", {"demand_type": "complaint"})
    assert response.status_code == 302
    page = _page(desk.get(response["Location"]))
    assert "诉求类型已更正。" in page and 'id="retype" open' not in page
    demand.refresh_from_db()
    assert demand.demand_type == DemandType.COMPLAINT
    # An auditor reads the case but is offered no correction.
    auditor = _page(logged_in(district.users["auditor"]).get(f"/desk/demands/{demand.tracking_number}/"))
    assert 'demand-type">投诉<' in auditor and 'id="retype"' not in auditor


def test_the_desk_filters_by_type_and_finds_the_unclassified(district, submit, settings):
    settings.ROUTING_AUTO_DISPATCH_THRESHOLD = 1.01  # every demand waits in triage
    complaint = submit(**NOISE, demand_type=DemandType.COMPLAINT).demand
    unclassified = submit(title="路边摊贩占道", content="坪山大道每天傍晚有小贩占道经营").demand
    assert complaint.status == unclassified.status == Status.TRIAGE
    desk = logged_in(district.users["dispatcher"])
    page = _page(desk.get("/desk/", {"queue": "triage", "demand_type": "complaint"}))
    assert complaint.tracking_number in page and unclassified.tracking_number not in page
    assert 'id="count-triage">1<' in page and 'demand-type">投诉<' in page
    page = _page(desk.get("/desk/", {"queue": "triage", "demand_type": "unclassified"}))
    assert unclassified.tracking_number in page and complaint.tracking_number not in page
    api = APIClient()
    api.force_authenticate(district.users["dispatcher"])
    found = api.get("/api/v1/demands/", {"demand_type": "complaint"}).json()["results"]
    assert [d["tracking_number"] for d in found] == [complaint.tracking_number]
    assert found[0]["demand_type"] == "complaint"


def test_the_type_is_shown_on_the_workbench_and_to_the_citizen(district, submit):
    demand = submit(**NOISE, demand_type=DemandType.COMPLAINT).demand
    lead = open_lead(demand)
    member = {"ZJJ": "zjj", "CGJ": "cgj"}[lead.department.code]
    handler = logged_in(district.users[member])
    assert 'demand-type">投诉<' in _page(handler.get("/workbench/"))
    assert 'demand-type">投诉<' in _page(handler.get(f"/workbench/{lead.pk}/"))
    tracking = _page(citizen_of(demand).get(f"/track/{demand.tracking_number}/"))
    assert 'id="demand-type">投诉<' in tracking
    # Unclassified is the centre's business: the citizen's page says nothing of it.
    other = submit(title="路边摊贩占道", content="坪山大道每天傍晚有小贩占道经营").demand
    assert 'id="demand-type"' not in _page(citizen_of(other).get(f"/track/{other.tracking_number}/"))
