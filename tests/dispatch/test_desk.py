"""The dispatch dashboard: queues with the router's suggestions, one-click actions that come
back to the queue, filters, live counts, and the overdue and supervised queues."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone, translation

from demands.models import Demand
from demands.workflow import Status
from dispatch.desk_queues import DeskFilters
from dispatch.models import Assignment, Notification
from dispatch.selectors import find_demands
from dispatch.services import supervision_answer
from dispatch.services.escalation import sweep_deadlines
from responsibility_lists.models import Matter
from routing.models import RoutingResult
from tests.citizens import NOISE
from tests.staff import logged_in


@pytest.fixture
def desk(district) -> Client:
    return logged_in(district.users["dispatcher"])


@pytest.fixture
def unsure(settings):
    """Nothing is sure enough to dispatch by itself: every demand lands in triage."""
    settings.ROUTING_AUTO_DISPATCH_THRESHOLD = 1.01


def test_triage_row_offers_the_suggestions_and_one_click_dispatches(district, submit, desk, unsure):
    demand = submit(**NOISE).demand
    assert demand.status == Status.TRIAGE
    best = RoutingResult.objects.get(demand=demand).candidates[0]
    page = desk.get("/desk/?queue=triage").content.decode()
    assert demand.tracking_number in page and best["department_name"] in page and 'data-key="1"' in page

    back = "/desk/?queue=triage&channel=web"
    response = desk.post(
        f"/desk/demands/{demand.tracking_number}/dispatch/",
        {"department": best["department_id"], "matter": best["matter_id"], "note": "按路由建议派单", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED and demand.lead_department_id == best["department_id"]
    assert demand.matter_id == best["matter_id"]
    counts = desk.get("/desk/counts/?queue=triage").content.decode()
    assert 'id="count-triage">0<' in counts and "<html" not in counts


def test_an_outside_next_address_is_ignored(district, submit, desk, unsure):
    demand = submit(**NOISE).demand
    response = desk.post(
        f"/desk/demands/{demand.tracking_number}/dispatch/",
        {"department": district.departments["ZJJ"].pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/desk/demands/{demand.tracking_number}/"


def test_filters_narrow_the_queue_and_its_count(district, submit, desk, unsure):
    in_pingshan = submit(**NOISE, location_text="坪山街道六和社区").demand
    in_kengzi = submit(
        title="路边摊贩占道", content="坑梓街道人民西路每天傍晚有小贩占道经营", location_text="坑梓街道"
    ).demand
    Demand.objects.filter(pk=in_kengzi.pk).update(submitted_at=in_kengzi.submitted_at - timedelta(days=4))
    street = district.streets["PSJD"].pk

    page = desk.get(f"/desk/?queue=triage&street={street}").content.decode()
    assert in_pingshan.tracking_number in page and in_kengzi.tracking_number not in page
    assert 'id="count-triage">1<' in page
    older = desk.get("/desk/?queue=triage&age=3").content.decode()
    assert in_kengzi.tracking_number in older and in_pingshan.tracking_number not in older
    nothing = desk.get("/desk/?queue=triage&channel=hotline").content.decode()
    assert 'id="count-triage">0<' in nothing and "没有待分拨的诉求" in nothing
    # Awaiting dispatch, a demand has no matter yet: its category is its first suggestion's.
    suggested = Matter.objects.get(pk=RoutingResult.objects.get(demand=in_pingshan).candidates[0]["matter_id"])
    category = (suggested.category.parent or suggested.category).name
    page = desk.get("/desk/", {"queue": "triage", "category": category}).content.decode()
    assert in_pingshan.tracking_number in page and in_kengzi.tracking_number not in page
    assert 'id="count-triage">1<' in page
    # Once dispatched under a matter of another category, the old suggestion no longer counts.
    other = Matter.objects.filter(version=district.version).exclude(category__parent__name=category).first()
    Demand.objects.filter(pk=in_pingshan.pk).update(matter=other)
    assert not Demand.objects.filter(DeskFilters(category=category).demand_q(), pk=in_pingshan.pk).exists()


def test_finding_a_demand_by_its_number(district, submit, desk):
    demand = submit(**NOISE).demand
    found = desk.get(f"/desk/?number={demand.tracking_number.lower()}")
    assert found["Location"] == f"/desk/demands/{demand.tracking_number}/"
    missing = desk.get("/desk/?number=PS-19990101-000001", follow=True).content.decode()
    assert "找不到受理编号" in missing


def test_finding_a_callers_demands_without_their_number(district, submit, desk):
    noise = submit(**NOISE, citizen_phone="138-1234 5678").demand
    stall = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊", location_text="坪山大道",
                   citizen_phone="13812345678").demand  # fmt: skip
    other = submit(
        title="小区停水没有通知", content="六和城今天全天停水，没有提前通知", citizen_phone="13900000000"
    ).demand

    # The caller's phone, however it was typed: both of theirs, masked, and nothing else.
    page = desk.post("/desk/find/", {"q": "13812345678"}).content.decode()
    assert noise.tracking_number in page and stall.tracking_number in page and other.tracking_number not in page
    assert "138****5678" in page and "13812345678" not in page.split('id="found"')[1]
    # Words of a place or a title; part of a number; one match opens the case.
    by_place = desk.post("/desk/find/", {"q": "六和城"}).content.decode()
    assert noise.tracking_number in by_place and other.tracking_number in by_place
    # Several words: each in the title or the place. The country code makes no difference.
    assert desk.post("/desk/find/", {"q": "六和城 停水"})["Location"] == f"/desk/demands/{other.tracking_number}/"
    with_code = desk.post("/desk/find/", {"q": "+86 139 0000 0000"})
    assert with_code["Location"] == f"/desk/demands/{other.tracking_number}/"
    assert desk.post("/desk/find/", {"q": "摊贩"})["Location"] == f"/desk/demands/{stall.tracking_number}/"
    assert (
        desk.post("/desk/find/", {"q": other.tracking_number[-9:]})["Location"]
        == f"/desk/demands/{other.tracking_number}/"
    )
    assert "没有找到" in desk.post("/desk/find/", {"q": "火星"}).content.decode()
    # A phone number is never put in a URL: the search is a form post.
    assert desk.get("/desk/find/", {"q": "13812345678"}).status_code == 405
    # The desk's search is for the dispatch centre; the selector keeps any caller to its own cases.
    zjj = logged_in(district.users["zjj"])
    assert zjj.post("/desk/find/", {"q": "13812345678"}).status_code == 403
    assert {d.pk for d in find_demands(district.users["zjj"], "13812345678", by_phone=True)} == {noise.pk}


def _router_also_named(demand, department, confidence: float) -> None:
    routing = demand.routing_results.get()
    named = {"department_id": department.pk, "department_name": department.name, "confidence": confidence}
    routing.candidates = [*routing.candidates, named]
    routing.save(update_fields=["candidates"])


def test_a_suggestion_the_router_was_unsure_of_is_not_one_click(district, submit, desk):
    demand = submit(**NOISE).demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    hr = district.departments["CGJ"]
    _router_also_named(demand, hr, 0.01)
    zjj = logged_in(district.users["zjj"])
    # The return form does not preselect a department the router named at 0.01: it asks.
    form = zjj.get(f"/workbench/{lead.pk}/").content.decode()
    select = form[form.index('id="return_suggested_department"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>' in select and f'<option value="{hr.pk}" selected>' not in select
    assert "请选择您认为应当承办的部门" in form
    # The handler suggests it all the same: the desk shows it, but asks rather than offering one click.
    zjj.post(
        f"/workbench/{lead.pk}/return/",
        {"reason_code": "duplicate", "reason": "与已办结的诉求重复", "suggested_department": hr.pk},
    )
    request = lead.returns.get()
    assert request.get_reason_code_display() == "重复诉求"
    page = desk.get("/desk/?queue=returns").content.decode()
    assert hr.name in page and 'data-key="u"' not in page and "改派（请选择部门）" in page
    detail = desk.get(f"/desk/demands/{demand.tracking_number}/?ruling=uphold").content.decode()
    ruling = detail[detail.index('id="rule_department"') :]
    ruling = ruling[: ruling.index("</select>")]
    assert f'<option value="{hr.pk}" selected>' not in ruling


def test_return_upheld_in_one_click_goes_to_the_suggested_department(district, submit, desk):
    demand = submit(**NOISE).demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    _router_also_named(demand, district.departments["SHJ"], 0.4)
    zjj = logged_in(district.users["zjj"])
    zjj.post(
        f"/workbench/{lead.pk}/return/",
        {
            "reason_code": "not_ours",
            "reason": "夜间噪声应由环保部门查处",
            "suggested_department": district.departments["SHJ"].pk,
        },
    )
    page = desk.get("/desk/?queue=returns").content.decode()
    assert "改派至" in page and 'data-key="u"' in page
    request = lead.returns.get()
    # On the case page the reassignment is not marked optional: upholding needs it.
    detail = desk.get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    label = detail[detail.index('for="rule_department"') :][:200]
    assert "改派部门" in label and "选填" not in label
    assert "改派至退单部门建议的部门时可不填" in detail  # it suggested one
    # The routing box names the router's version, and no suggestion ends in a dangling separator.
    assert re.search(r'路由版本 <code class="version">list-bm25-\d+</code>', detail)
    assert not re.search(r"·\s*</span>", detail)
    assert not re.search(r'<input[^>]*name="uphold"[^>]*checked', detail)
    # The queue's "reassign…" link opens the case with the ruling to uphold already chosen.
    assert f"/desk/demands/{demand.tracking_number}/?ruling=uphold#ruling" in page
    chosen = desk.get(f"/desk/demands/{demand.tracking_number}/?ruling=uphold").content.decode()
    assert re.search(r'<input[^>]*name="uphold"[^>]*value="1"[^>]*checked', chosen)
    refused = desk.post(f"/desk/returns/{request.pk}/rule/", {"uphold": "1", "note": "退单理由成立"}, follow=True)
    assert "退单成立时须选择改派部门" in refused.content.decode()
    # Without a note, only the department the return suggested can be chosen.
    unexplained = desk.post(
        f"/desk/returns/{request.pk}/rule/", {"uphold": "1", "department": district.departments["CGJ"].pk}, follow=True
    )
    assert "请填写裁定意见" in unexplained.content.decode()
    # The one-click form, as the queue posts it: no note; the ruling words itself.
    one_click = re.search(r'<form method="post" action="/desk/returns/\d+/rule/">(.*?)</form>', page, re.S).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', one_click))
    assert set(fields) == {"csrfmiddlewaretoken", "uphold", "department", "next"}
    desk.post(f"/desk/returns/{request.pk}/rule/", fields)
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED and demand.lead_department == district.departments["SHJ"]
    ruling = demand.events.get(action="rule_uphold")
    assert ruling.reason == "退单理由成立，改派深圳市生态环境局坪山管理局。"
    with translation.override("en"):
        assert ruling.reason_for_reader == "The return is justified; reassigned to 深圳市生态环境局坪山管理局."


def _shift_deadlines(assignment, by: timedelta) -> None:
    """Move the assignment's clock by `by` (negative: into the past), as time passing would."""
    fields = ("sign_deadline", "handle_deadline", "warn_at", "supervise_at", "escalate_at")
    Assignment.objects.filter(pk=assignment.pk).update(**{name: F(name) + by for name in fields})


def test_overdue_then_supervised_queues(district, submit, desk):
    from departments.models import Role
    from tests.factories import make_user

    supervisor = make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])
    demand = submit(**NOISE).demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    assert demand.tracking_number not in desk.get("/desk/?queue=overdue").content.decode()
    # The deadline passes: the case is overdue at once, before any sweep has stamped it.
    _shift_deadlines(lead, timezone.now() - lead.handle_deadline - timedelta(minutes=1))
    assert demand.tracking_number in desk.get("/desk/?queue=overdue").content.decode()
    lead.refresh_from_db()
    _shift_deadlines(lead, timezone.now() - lead.supervise_at - timedelta(minutes=1))
    sweep_deadlines()
    assert demand.tracking_number not in desk.get("/desk/?queue=overdue").content.decode()
    supervised = desk.get("/desk/?queue=supervised").content.decode()
    assert demand.tracking_number in supervised and "尚未反馈" in supervised
    supervision_answer(
        supervision_id=lead.supervisions.get().pk, actor=district.users["zjj"], response="已约谈施工单位，限期整改。"
    )
    assert "已约谈施工单位" in desk.get("/desk/?queue=supervised").content.decode()
    # The supervisor hears of the answer, in their own language.
    notice = Notification.objects.get(kind="answer_supervision")
    assert notice.user == supervisor
    assert notice.message == f"诉求 {demand.tracking_number} 的督办已反馈：已约谈施工单位，限期整改。"
    with translation.override("en"):
        assert notice.message_for_reader == (
            f"The supervision of {demand.tracking_number} was answered: 已约谈施工单位，限期整改。"
        )


def test_only_dispatch_officers_open_the_dashboard(district):
    handler = logged_in(district.users["zjj"])
    assert handler.get("/desk/").status_code == 403
    assert handler.get("/desk/counts/").status_code == 403


def test_a_community_picked_by_the_citizen_outranks_the_text(district, django_capture_on_commit_callbacks):
    from tests.citizens import FORM

    picked = district.communities["和平社区"]
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/", {**FORM, "community": picked.pk, "category_hint": ""})
    demand = Demand.objects.get()
    assert demand.community == picked and demand.community_picked
    routed = RoutingResult.objects.get(demand=demand)
    assert routed.resolved_location["community_id"] == picked.pk


def test_a_matter_the_chosen_department_does_not_lead_is_refused_with_the_reason(district, submit, desk, unsure):
    demand = submit(**NOISE).demand
    best = RoutingResult.objects.get(demand=demand).candidates[0]
    other = district.departments["CGJ"].pk
    assert other != best["department_id"]
    response = desk.post(
        f"/desk/demands/{demand.tracking_number}/dispatch/",
        {"department": other, "matter": best["matter_id"]},
        follow=True,
    )
    assert "所选事项不由该主办部门负责" in response.content.decode()
    demand.refresh_from_db()
    assert demand.status == Status.TRIAGE and demand.lead_department_id is None


def test_the_dispatch_form_offers_every_matter_of_the_version_in_force_with_its_leads(district, submit, desk, unsure):
    demand = submit(**NOISE).demand
    page = desk.get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    stall, building = district.matters["stall"], district.matters["illegal_building"]
    assert f'value="{stall.pk}" data-departments="{district.departments["CGJ"].pk}"' in page
    streets = " ".join(str(district.departments[code].pk) for code in ("PSJD", "KZJD"))
    assert f'value="{building.pk}" data-departments="{streets}"' in page
    assert 'data-follows="department"' in page

    desk.post(
        f"/desk/demands/{demand.tracking_number}/dispatch/",
        {"department": district.departments["CGJ"].pk, "matter": stall.pk},
    )
    demand.refresh_from_db()
    assert demand.matter == stall and demand.list_version == district.version


def test_after_a_dispatch_the_desk_opens_the_next_demand_of_the_triage_queue(district, submit, desk, unsure):
    first, second = (submit(**NOISE).demand for _ in range(2))
    queue = desk.get("/desk/?queue=triage&channel=web").content.decode()
    opened = f"/desk/demands/{first.tracking_number}/?queue=triage&amp;channel=web"
    assert opened in queue
    page = desk.get(html.unescape(opened)).content.decode()
    assert 'name="from_queue" value="queue=triage&amp;channel=web"' in page

    dispatch = {"department": district.departments["ZJJ"].pk, "from_queue": "queue=triage&channel=web"}
    response = desk.post(f"/desk/demands/{first.tracking_number}/dispatch/", dispatch)
    assert response["Location"] == f"/desk/demands/{second.tracking_number}/?queue=triage&channel=web"
    # The last one of the queue leads back to the (now empty) queue, saying so.
    response = desk.post(f"/desk/demands/{second.tracking_number}/dispatch/", dispatch, follow=True)
    assert response.redirect_chain[-1][0] == "/desk/?queue=triage&channel=web"
    assert "待人工分拨的诉求已全部处理" in response.content.decode()
    # A refused dispatch stays on the demand, with the reason.
    third = submit(**NOISE).demand
    response = desk.post(f"/desk/demands/{third.tracking_number}/dispatch/", {**dispatch, "department": ""})
    assert response["Location"] == f"/desk/demands/{third.tracking_number}/"


def test_queues_come_in_pages_that_keep_the_filters(district, submit, desk, unsure, monkeypatch):
    monkeypatch.setattr("dispatch.views.common.PAGE_SIZE", 2)
    numbers = [submit(**NOISE).demand.tracking_number for _ in range(3)]
    first = html.unescape(desk.get("/desk/?queue=triage&channel=web").content.decode())
    assert sum(number in first for number in numbers) == 2
    assert "?queue=triage&channel=web&page=2" in first and "共 3 条" in first
    second = desk.get("/desk/?queue=triage&channel=web&page=2").content.decode()
    assert sum(number in second for number in numbers) == 1


def test_supervisors_follow_the_late_cases_but_do_not_dispatch(district, submit):
    from departments.models import Role
    from tests.factories import make_user

    supervisor = logged_in(make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"]))
    assert supervisor.get("/staff/")["Location"] == "/desk/"
    demand = submit(**NOISE).demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    sweep_deadlines(now=lead.supervise_at)
    page = supervisor.get("/desk/").content.decode()
    assert "督办跟踪" in page and demand.tracking_number in page and 'id="tab-triage"' not in page
    # Asking for a dispatcher's queue shows theirs instead.
    assert 'id="tab-triage"' not in supervisor.get("/desk/?queue=triage").content.decode()
    response = supervisor.post(f"/desk/demands/{demand.tracking_number}/reject/", {"reason": "试图越权"})
    assert response.status_code == 403


def test_an_extension_shows_when_it_was_asked_and_where_approval_would_put_the_deadline(district, submit, desk):
    from dispatch.models import ExtensionRequest
    from dispatch.services import assignment_sign, extension_request

    demand = submit(**NOISE).demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    zjj = logged_in(district.users["zjj"])
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    extension_request(assignment_id=lead.pk, actor=district.users["zjj"], extra_days="3", reason="需要夜间现场取证")
    # The department sees its request waiting, not only a paused clock.
    waiting = zjj.get(f"/workbench/{lead.pk}/").content.decode()
    assert "延长 3 个工作日" in waiting.split('id="pending-extension"')[1][:200]

    queue = desk.get("/desk/?queue=extensions").content.decode()
    projected = re.search(r'class="projected">([\d\- :]+)<', queue).group(1)
    request = ExtensionRequest.objects.get()
    done = desk.post(f"/desk/extensions/{request.pk}/decide/", {"approve": "1", "note": ""}, follow=True)
    request.refresh_from_db()
    new_deadline = timezone.localtime(request.new_deadline).strftime("%Y-%m-%d %H:%M")
    # What the queue promised is what the approval did (give or take the minute the test took,
    # in working hours, when the paused time given back grows as it runs).
    promised = datetime.strptime(projected, "%Y-%m-%d %H:%M")
    assert abs(promised - datetime.strptime(new_deadline, "%Y-%m-%d %H:%M")) <= timedelta(minutes=1)
    assert f"已批准 {demand.tracking_number} 的延期，办理期限延至 {new_deadline}。" in done.content.decode()
    assert 'id="pending-extension"' not in zjj.get(f"/workbench/{lead.pk}/").content.decode()
