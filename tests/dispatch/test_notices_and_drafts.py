"""Notices lead to their case, the lead hears when its assisting departments are in, and a
refused reply keeps its text."""

from __future__ import annotations

from dispatch.models import Assignment, AssignmentRole, Notification
from dispatch.services import assignment_contribute, assignment_release, assignment_sign
from tests.staff import logged_in, open_lead


def test_a_notice_opens_the_case_where_its_reader_works_on_it(district, submit):
    demand = submit().demand  # construction noise: 住建 leads
    lead = open_lead(demand)
    page = logged_in(district.users["zjj"]).get("/notifications/").content.decode()
    assert f'<a href="/workbench/{lead.pk}/">新派单：{demand.tracking_number}' in page
    Notification.objects.create(user=district.users["dispatcher"], demand=demand, kind="ladder", message="督办提醒")
    page = logged_in(district.users["dispatcher"]).get("/notifications/").content.decode()
    assert f'<a href="/desk/demands/{demand.tracking_number}/">督办提醒</a>' in page


def test_the_lead_hears_each_assisting_answer_and_when_the_last_is_in(district, submit):
    demand = submit().demand
    assist = Assignment.objects.get(demand=demand, role=AssignmentRole.ASSIST)
    lead_users = {district.users["zjj"]}
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="已对工地夜间施工噪声监测，超标。")
    notice = Notification.objects.get(kind="assist")
    assert notice.user in lead_users and notice.demand == demand
    assert "已提交协办意见，协办部门均已反馈或解除，可以答复群众" in notice.message

    second = submit(content="六和城工地又在半夜打桩施工，噪音扰民严重。").demand
    other = Assignment.objects.get(demand=second, role=AssignmentRole.ASSIST)
    assignment_release(assignment_id=other.pk, actor=district.users["dispatcher"], reason="噪声监测不再需要")
    released = Notification.objects.get(kind="assist", demand=second)
    assert "分拨中心已解除" in released.message and "可以答复群众" in released.message


def test_a_refused_reply_keeps_its_text(district, submit):
    demand = submit().demand
    lead = open_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    handler = logged_in(district.users["zjj"])
    text = "已责令施工单位停止夜间施工，并处以罚款。"
    page = handler.post(f"/workbench/{lead.pk}/reply/", {"body": text}, follow=True).content.decode()
    assert "协办部门尚未反馈" in page and text in page  # refused, and the box still holds it
    assert text not in handler.get(f"/workbench/{lead.pk}/").content.decode()  # kept once, not for ever


def test_a_department_returning_a_case_is_not_offered_itself(district, submit):
    demand = submit().demand
    lead = open_lead(demand)
    page = logged_in(district.users["zjj"]).get(f"/workbench/{lead.pk}/").content.decode()
    select = page[page.index('id="return_suggested_department"') :]
    select = select[: select.index("</select>")]
    assert f'value="{district.departments["ZJJ"].pk}"' not in select
    assert f'value="{district.departments["CGJ"].pk}"' in select


def test_with_two_assisting_departments_the_lead_hears_the_first_then_that_all_are_in(district, submit):
    from dispatch.services import demand_dispatch

    demand = submit(title="想咨询一件事", content="小区旁边的工地和餐馆都很吵，到底该找哪个部门？").demand
    demand_dispatch(
        demand_id=demand.pk, actor=district.users["dispatcher"], department_id=district.departments["ZJJ"].pk,
        assisting_ids=[district.departments["SHJ"].pk, district.departments["CGJ"].pk],
    )  # fmt: skip
    shj, cgj = (Assignment.objects.get(demand=demand, department=district.departments[c]) for c in ("SHJ", "CGJ"))
    assignment_contribute(assignment_id=shj.pk, actor=district.users["shj"], body="已对工地夜间施工噪声监测，超标。")
    first = Notification.objects.get(kind="assist")
    assert "已提交协办意见。" in first.message and "可以答复群众" not in first.message
    assignment_contribute(assignment_id=cgj.pk, actor=district.users["cgj"], body="已对餐馆油烟和噪音进行检查。")
    last = Notification.objects.filter(kind="assist").latest("pk")
    assert "均已反馈或解除，可以答复群众" in last.message


def test_notices_read_in_the_readers_language(district, submit):
    demand = submit().demand
    handler = logged_in(district.users["zjj"])
    notice = Notification.objects.get(user=district.users["zjj"], demand=demand)
    assert notice.message == f"新派单：{demand.tracking_number} {demand.title}（主办）"  # the record, and the email
    handler.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = handler.get("/notifications/").content.decode()
    assert f"New case: {demand.tracking_number} {demand.title} (lead)" in page and "新派单" not in page
