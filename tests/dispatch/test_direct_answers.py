"""Direct answers (直接答复): a question is answered at once by the intake operator or a dispatcher,
from a knowledge-base article or in their own words, and closed at first contact. The citizen
sees, is told of and rates it as any answer; the figures count it as answered in time, with no
department charged; sent back, it goes to a dispatcher to place."""

from __future__ import annotations

import html

import pytest

from assessment.figures import AuditFilters, department_rows, direct_answers, street_rows
from assessment.models import CallbackVisit
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import CitizenMessage, Demand, DemandEvent, DemandType
from demands.services import demand_rate
from demands.workflow import Action, Status
from dispatch.models import Assignment
from dispatch.services import demand_dispatch, demand_reopen
from dispatch.services.direct_answers import demand_answer_directly, may_answer_directly
from responsibility_lists.knowledge import article_create
from tests.citizens import STALL, citizen_of
from tests.staff import logged_in

QUESTION = {
    "title": "咨询夜市摊位怎么申请",
    "content": "请问我想在坪山大道的夜市卖小吃，摊位去哪里申请？",
    "location_text": "坪山街道坪山大道",
}
ANSWER = "夜市摆摊须在街道划定的临时摊区内经营，请向所在街道办事处执法队申请摊位，未经批准占道摆卖将被劝离。"


@pytest.fixture
def article(district):
    return article_create(
        actor=district.users["maintainer"],
        title="夜市摆摊需要办理什么手续",
        question="想在夜市摆摊卖小吃，需要去哪里申请？",
        answer=ANSWER,
        matter_code=district.matters["stall"].code,
        keywords="摆摊、夜市、摊位",
    )


@pytest.fixture
def question(submit):
    return submit(**QUESTION, demand_type=DemandType.QUESTION).demand


def test_the_intake_operator_answers_a_question_from_an_article(
    district, article, question, phones, django_capture_on_commit_callbacks
):
    assert question.status == Status.TRIAGE and may_answer_directly(question)
    with django_capture_on_commit_callbacks(execute=True):
        answered = demand_answer_directly(demand_id=question.pk, actor=district.users["intake"], article_id=article.pk)
    assert answered.status == Status.REPLIED and answered.replied_at is not None
    assert not may_answer_directly(answered)
    reply = answered.replies.get()
    assert reply.body == ANSWER and reply.department == district.departments["ZXZX"] and not reply.is_contribution
    event = DemandEvent.objects.get(demand=answered, action=Action.DIRECT_ANSWER)
    assert event.is_public and event.actor == district.users["intake"]
    assert event.data == {"article": article.pk, "article_title": article.title}
    # Placed in the figures as a dispatch would place it: the list, the article's matter, the street.
    assert answered.matter == district.matters["stall"] and answered.list_version == district.version
    assert answered.street == district.streets["PSJD"]
    # No department was given it.
    assert not Assignment.objects.filter(demand=answered).exists() and answered.lead_department is None
    # The citizen is told as of any answer, and a callback visit asks about it.
    texts = [m.body for m in CitizenMessage.objects.filter(demand=answered, kind=Action.DIRECT_ANSWER)]
    assert texts == [f"您的诉求{answered.tracking_number}已答复，请凭受理编号和查询码查看答复并评价。"]
    visit = CallbackVisit.objects.get(demand=answered)
    assert visit.department == district.departments["ZXZX"] and visit.answered_at == answered.replied_at


def test_a_dispatcher_answers_in_their_own_words(district, question):
    own = "您好，夜市摊位由街道统一规划，请带身份证到坪山街道执法队窗口申请。"
    answered = demand_answer_directly(demand_id=question.pk, actor=district.users["dispatcher"], body=own)
    assert answered.replies.get().body == own
    assert DemandEvent.objects.get(demand=answered, action=Action.DIRECT_ANSWER).data == {}


def test_only_questions_are_answered_directly(district, submit, article):
    complaint = submit(**STALL, demand_type=DemandType.COMPLAINT).demand
    unknown = submit(**QUESTION).demand
    for demand in (complaint, unknown):
        with pytest.raises(IllegalTransition) as refused:
            demand_answer_directly(demand_id=demand.pk, actor=district.users["intake"], article_id=article.pk)
        assert "只有咨询类诉求可以直接答复" in refused.value.message
    assert not DemandEvent.objects.filter(action=Action.DIRECT_ANSWER).exists()


def test_only_intake_operators_and_dispatchers_answer_directly(district, question, article):
    for username in ("cgj", "maintainer", "auditor", "nobody"):
        with pytest.raises(NotAllowed):
            demand_answer_directly(demand_id=question.pk, actor=district.users[username], article_id=article.pk)
    with pytest.raises(ValidationFailed):
        demand_answer_directly(demand_id=question.pk, actor=district.users["intake"], body="好的")
    question.refresh_from_db()
    assert question.status == Status.TRIAGE


def test_a_question_a_department_has_is_not_answered_directly(district, submit, article):
    dispatched = submit(**STALL, demand_type=DemandType.QUESTION).demand
    assert dispatched.status == Status.DISPATCHED
    assert not may_answer_directly(dispatched)
    with pytest.raises(IllegalTransition):
        demand_answer_directly(demand_id=dispatched.pk, actor=district.users["dispatcher"], article_id=article.pk)


def test_the_citizen_sees_and_rates_the_direct_answer(district, question, article, django_capture_on_commit_callbacks):
    demand_answer_directly(demand_id=question.pk, actor=district.users["intake"], article_id=article.pk)
    citizen = citizen_of(question)
    page = html.unescape(citizen.get(f"/track/{question.tracking_number}/").content.decode())
    assert ANSWER in page and "坪山区民生诉求服务中心" in page and "直接答复" in page and "评价答复" in page
    with django_capture_on_commit_callbacks(execute=True):
        citizen.post(f"/track/{question.tracking_number}/rate/", {"rating": 5, "comment": "很快就答复了"})
    question.refresh_from_db()
    assert question.status == Status.CLOSED and question.rating == 5
    assert CallbackVisit.objects.get(demand=question).status == "citizen_rated"


def test_a_direct_answer_sent_back_goes_to_a_dispatcher(district, question, article):
    demand_answer_directly(demand_id=question.pk, actor=district.users["intake"], article_id=article.pk)
    reopened = demand_reopen(demand=Demand.objects.get(pk=question.pk), reason="摊区已满，申请不到摊位")
    assert reopened.status == Status.TRIAGE and reopened.reopen_count == 1
    reopen = DemandEvent.objects.get(demand=question, action=Action.REOPEN)
    assert reopen.department is None  # nobody is charged with the reopening
    assert DemandEvent.objects.filter(demand=question, action=Action.SEND_TO_TRIAGE).count() == 2
    with pytest.raises(IllegalTransition):
        demand_answer_directly(demand_id=question.pk, actor=district.users["dispatcher"], body=ANSWER)
    placed = demand_dispatch(
        demand_id=question.pk, actor=district.users["dispatcher"], department_id=district.departments["PSJD"].pk
    )
    assert placed.status == Status.DISPATCHED and Assignment.objects.filter(demand=question).count() == 1


def test_the_figures_count_it_answered_in_time_and_charge_no_department(district, question, article):
    demand_answer_directly(demand_id=question.pk, actor=district.users["intake"], article_id=article.pk)
    demand_rate(demand=Demand.objects.get(pk=question.pk), rating=4)
    filters = AuditFilters.default()
    assert department_rows(filters) == []
    (street,) = street_rows(filters)
    assert street.name == "坪山街道" and street.received == street.answered == street.on_time == 1
    assert street.on_time_rate == 1 and street.rating == 4


def test_the_citizen_page_says_a_sent_back_direct_answer_goes_to_dispatch(district, question, article):
    demand_answer_directly(demand_id=question.pk, actor=district.users["intake"], article_id=article.pk)
    citizen = citizen_of(question)
    response = citizen.post(
        f"/track/{question.tracking_number}/reopen/", {"reason": "摊区已满，申请不到摊位"}, follow=True
    )
    page = html.unescape(response.content.decode())
    assert "已转交分拨中心派单办理。" in page
    question.refresh_from_db()
    assert question.status == Status.TRIAGE and question.status_for_citizen == "分拨中"


def test_the_audit_page_counts_the_questions_answered_directly(district, submit, question, article):
    submit(**QUESTION, demand_type=DemandType.QUESTION, citizen_phone="13900007777")  # a question left to dispatch
    demand_answer_directly(demand_id=question.pk, actor=district.users["intake"], article_id=article.pk)
    assert direct_answers(AuditFilters.default()) == {"questions": 2, "answered": 1}
    page = logged_in(district.users["auditor"]).get("/audit/")
    assert page.status_code == 200 and "直接答复（首问办结）" in page.content.decode()
    assert page.context["direct_answers"] == {"questions": 2, "answered": 1}
