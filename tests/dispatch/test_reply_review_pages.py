"""Review of replies from the pages and the API: the handler's reply is held (the workbench marks
it 待审核), the head's queue 待我审核的答复, the decision on the case's page, the centre's queue on
the desk, and the same over the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from demands.workflow import Status
from departments.models import Role
from dispatch.models import CentreReviewRule, ReplyReview, ReviewStage, ReviewStatus
from dispatch.services import assignment_sign
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import logged_in, open_lead

BODY = "已安排执法队员清理占道摊贩，并将每日巡查该路段。"


@pytest.fixture
def head(district):
    cgj = district.departments["CGJ"]
    cgj.reply_needs_review = True
    cgj.save(update_fields=["reply_needs_review"])
    return make_user("cgj_head", Role.HEAD, cgj)


@pytest.fixture
def signed(district, submit):
    lead = open_lead(submit(**STALL).demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    return lead


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_handler_replies_the_head_sends_back_then_approves_on_the_pages(district, head, signed):
    handler = logged_in(district.users["cgj"])
    page = handler.post(f"/workbench/{signed.pk}/reply/", {"body": BODY}, follow=True)
    assert "待部门负责人审核" in page.content.decode()
    review = ReplyReview.objects.get(assignment=signed)
    inbox = handler.get("/workbench/").content.decode()
    assert "待审核" in inbox and 'id="reviews"' not in inbox  # the handler has no queue to review

    boss = logged_in(head)
    workbench = boss.get("/workbench/").content.decode()
    assert "待我审核的答复" in workbench and signed.demand.tracking_number in workbench
    detail = boss.get(f"/workbench/{signed.pk}/").content.decode()
    assert 'id="review"' in detail and BODY in detail and f"/reviews/{review.pk}/decide/" in detail
    # The handler sees the reply waiting, without the decision form and without a second reply box.
    mine = handler.get(f"/workbench/{signed.pk}/").content.decode()
    assert 'id="review"' in mine and f"/reviews/{review.pk}/decide/" not in mine and 'id="reply"' not in mine

    refused = boss.post(f"/reviews/{review.pk}/decide/", {"approve": "0", "note": ""}, follow=True)
    assert "退回修改的意见" in refused.content.decode()
    boss.post(f"/reviews/{review.pk}/decide/", {"approve": "0", "note": "请写明长效措施。"})
    assert ReplyReview.objects.get(pk=review.pk).status == ReviewStatus.SENT_BACK
    mine = handler.get(f"/workbench/{signed.pk}/").content.decode()
    assert 'id="sent-back"' in mine and "请写明长效措施。" in mine and BODY in mine  # back in the box

    handler.post(f"/workbench/{signed.pk}/reply/", {"body": BODY + "设置禁止摆卖标识。"})
    again = ReplyReview.objects.get(assignment=signed, status=ReviewStatus.PENDING)
    done = boss.post(f"/reviews/{again.pk}/decide/", {"approve": "1", "note": ""}, follow=True)
    assert "已发送群众" in done.content.decode()
    signed.demand.refresh_from_db()
    assert signed.demand.status == Status.REPLIED


def test_a_head_of_another_department_cannot_reach_the_review(district, head, signed):
    logged_in(district.users["cgj"]).post(f"/workbench/{signed.pk}/reply/", {"body": BODY})
    review = ReplyReview.objects.get(assignment=signed)
    other = make_user("zjj_head", Role.HEAD, district.departments["ZJJ"])
    assert logged_in(other).post(f"/reviews/{review.pk}/decide/", {"approve": "1"}).status_code == 404
    assert logged_in(district.users["cgj"]).post(f"/reviews/{review.pk}/decide/", {"approve": "1"}).status_code == 403


def test_the_centre_reviews_on_the_desk(district, signed):
    CentreReviewRule.objects.create(category_name="市容秩序")
    logged_in(district.users["cgj"]).post(f"/workbench/{signed.pk}/reply/", {"body": BODY})
    review = ReplyReview.objects.get(assignment=signed)
    assert review.stage == ReviewStage.CENTRE
    desk = logged_in(district.users["dispatcher"])
    queue = desk.get("/desk/?queue=reviews").content.decode()
    assert "答复待审核" in queue and BODY in queue
    page = desk.get(f"/desk/demands/{signed.demand.tracking_number}/").content.decode()
    assert f"/reviews/{review.pk}/decide/" in page
    response = desk.post(f"/reviews/{review.pk}/decide/", {"approve": "1", "next": "/desk/?queue=reviews"})
    assert response.status_code == 302 and response["Location"] == "/desk/?queue=reviews"
    signed.demand.refresh_from_db()
    assert signed.demand.status == Status.REPLIED


def test_the_api_lists_and_decides(district, head, signed):
    handler = _api(district.users["cgj"])
    held = handler.post(f"/api/v1/assignments/{signed.pk}/reply/", {"body": BODY}, format="json")
    assert held.status_code == 200 and (held.json()["status"], held.json()["review_stage"]) == ("signed", "department")
    (listed,) = handler.get("/api/v1/assignments/").json()["results"]
    assert listed["review_stage"] == "department"
    assert handler.get("/api/v1/reviews/").json()["results"] == []
    boss = _api(head)
    (row,) = boss.get("/api/v1/reviews/").json()["results"]
    assert (row["stage"], row["status"], row["body"], row["submitted_by"]) == ("department", "pending", BODY, "cgj")
    refused = boss.post(f"/api/v1/reviews/{row['id']}/decide/", {"approve": False}, format="json")
    assert refused.status_code == 400
    sent_back = boss.post(
        f"/api/v1/reviews/{row['id']}/decide/", {"approve": False, "note": "请补充长效措施。"}, format="json"
    )
    assert sent_back.json()["status"] == "sent_back"
    handler.post(f"/api/v1/assignments/{signed.pk}/reply/", {"body": BODY}, format="json")
    (row,) = boss.get("/api/v1/reviews/").json()["results"]
    assert handler.post(f"/api/v1/reviews/{row['id']}/decide/", {"approve": True}, format="json").status_code == 404
    approved = boss.post(f"/api/v1/reviews/{row['id']}/decide/", {"approve": True}, format="json").json()
    assert approved["status"] == "approved" and approved["reviewer"] == "cgj_head"
    signed.demand.refresh_from_db()
    assert signed.demand.status == Status.REPLIED
