"""The knowledge base's pages (maintainers write, those who answer citizens read and search), the
articles suggested beside a demand on the desk and at intake, and a direct answer from each."""

from __future__ import annotations

import html

import pytest

from demands.models import Demand, DemandEvent, DemandType
from demands.workflow import Action, Status
from responsibility_lists.knowledge import article_create
from responsibility_lists.models import KnowledgeArticle
from tests.citizens import STALL
from tests.staff import logged_in

ANSWER = "夜市摆摊须在街道划定的临时摊区内经营，请向所在街道办事处执法队申请摊位，未经批准占道摆卖将被劝离。"
QUESTION = {
    "title": "咨询夜市摊位怎么申请",
    "content": "请问我想在坪山大道的夜市卖小吃，摊位去哪里申请？",
    "location_text": "坪山街道坪山大道",
}
CALLER = {"urgency": "normal", "citizen_name": "李四", "citizen_phone": "13900001111", "channel": "hotline"}


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


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


def test_a_maintainer_writes_and_edits_articles_on_the_pages(district):
    maintainer = logged_in(district.users["maintainer"])
    assert "新增文章" in _text(maintainer.get("/list/knowledge/"))
    made = maintainer.post(
        "/list/knowledge/new/",
        {
            "title": "医保报销需要哪些材料",
            "matter_code": "",
            "question": "看病后医保怎么报销？",
            "answer": "在定点医院就医时直接刷医保卡或医保电子凭证结算，无需另行报销。",
            "keywords": "医保、报销",
            "is_published": "on",
        },
    )
    article = KnowledgeArticle.objects.get()
    assert made.status_code == 302 and made.url == f"/list/knowledge/{article.pk}/"
    page = _text(maintainer.get(made.url))
    assert "直接刷医保卡" in page and "编辑文章" in page
    edited = maintainer.post(
        made.url,
        {
            "title": "医保报销需要哪些材料",
            "matter_code": district.matters["stall"].code,
            "question": "看病后医保怎么报销？",
            "answer": "在定点医院就医时直接刷医保卡结算；异地就医请先办理备案。",
            "keywords": "医保、报销、异地",
        },
    )
    assert edited.status_code == 302
    article.refresh_from_db()
    assert not article.is_published and "异地" in article.keywords and article.matter_code == "PS-0101-001"
    refused = maintainer.post("/list/knowledge/new/", {"title": "", "question": "", "answer": "短"})
    assert refused.status_code == 200 and KnowledgeArticle.objects.count() == 1


def test_those_who_answer_citizens_read_and_search_but_do_not_edit(district, article):
    hidden = article_create(
        actor=district.users["maintainer"],
        title="草稿：夜市管理新规",
        question="夜市什么时候开放？",
        answer="夜市开放时间以街道公告为准，一般为每日十八时至二十三时。",
        is_published=False,
    )
    intake = logged_in(district.users["intake"])
    listed = _text(intake.get("/list/knowledge/"))
    assert article.title in listed and hidden.title not in listed and "新增文章" not in listed
    found = _text(intake.get("/list/knowledge/", {"q": "摊位 申请"}))
    assert article.title in found and "命中" in found
    assert "没有找到相关文章" in _text(intake.get("/list/knowledge/", {"q": "医保"}))
    page = _text(intake.get(f"/list/knowledge/{article.pk}/"))
    assert ANSWER in page and "编辑文章" not in page
    assert intake.post(f"/list/knowledge/{article.pk}/", {"title": "改"}).status_code == 403
    assert intake.get(f"/list/knowledge/{hidden.pk}/").status_code == 404
    assert logged_in(district.users["maintainer"]).get(f"/list/knowledge/{hidden.pk}/").status_code == 200
    assert logged_in(district.users["cgj"]).get("/list/knowledge/").status_code == 403


def test_the_desk_suggests_articles_and_answers_a_question_directly(district, submit, article, phones):
    question = submit(**QUESTION, demand_type=DemandType.QUESTION).demand
    dispatcher = logged_in(district.users["dispatcher"])
    page = _text(dispatcher.get(f"/desk/demands/{question.tracking_number}/"))
    assert "知识库推荐" in page and article.title in page and ANSWER in page and "直接答复" in page
    response = dispatcher.post(
        f"/desk/demands/{question.tracking_number}/answer/", {"article": article.pk, "body": ""}, follow=True
    )
    assert "已直接答复" in _text(response)
    question.refresh_from_db()
    assert question.status == Status.REPLIED and question.replies.get().body == ANSWER
    assert DemandEvent.objects.get(demand=question, action=Action.DIRECT_ANSWER).data["article"] == article.pk
    timeline = _text(dispatcher.get(f"/desk/demands/{question.tracking_number}/"))
    assert f"依据知识库文章：{article.title}" in timeline and 'name="article"' not in timeline


def test_a_complaint_shows_articles_but_no_direct_answer(district, submit, article):
    complaint = submit(**QUESTION, demand_type=DemandType.COMPLAINT).demand
    dispatcher = logged_in(district.users["dispatcher"])
    page = _text(dispatcher.get(f"/desk/demands/{complaint.tracking_number}/"))
    assert article.title in page and 'name="article"' not in page
    refused = dispatcher.post(
        f"/desk/demands/{complaint.tracking_number}/answer/", {"article": article.pk}, follow=True
    )
    assert "只有咨询类诉求可以直接答复" in _text(refused)
    complaint.refresh_from_db()
    assert complaint.status == Status.TRIAGE
    stall = submit(**STALL).demand
    assert "知识库推荐" in _text(dispatcher.get(f"/desk/demands/{stall.tracking_number}/"))  # its matter's article


def test_intake_looks_up_the_answer_then_registers_and_answers_in_one_go(
    district, article, django_capture_on_commit_callbacks
):
    operator = logged_in(district.users["intake"])
    looked_up = _text(operator.post("/intake/", {**QUESTION, "knowledge": "suggest"}))
    assert article.title in looked_up and ANSWER in looked_up and "登记并直接答复" in looked_up
    assert "请填写" not in looked_up  # looking up flags nothing yet
    assert not Demand.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            "/intake/",
            {**QUESTION, **CALLER, "demand_type": "question", "knowledge": "answer", "article": article.pk},
        )
    page = _text(response)
    assert response.context["receipt"]["answered"] and "已直接答复" in page
    demand = Demand.objects.get()
    assert demand.status == Status.REPLIED and demand.entered_by == district.users["intake"]
    assert demand.replies.get().body == ANSWER and not demand.routing_results.exists()


def test_intake_registers_nothing_when_the_direct_answer_is_refused(district, article):
    operator = logged_in(district.users["intake"])
    response = operator.post(
        "/intake/", {**QUESTION, **CALLER, "demand_type": "complaint", "knowledge": "answer", "article": article.pk}
    )
    page = _text(response)
    assert "只有咨询类诉求可以直接答复" in page and article.title in page
    assert not Demand.objects.exists()


def test_a_question_registered_plainly_links_to_its_direct_answer(
    district, article, django_capture_on_commit_callbacks
):
    operator = logged_in(district.users["intake"])
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post("/intake/", {**QUESTION, **CALLER, "demand_type": "question"})
    number = response.context["receipt"]["tracking_number"]
    assert f"/desk/demands/{number}/#knowledge" in _text(response)
    page = _text(operator.get(f"/desk/demands/{number}/"))
    assert "知识库推荐" in page and article.title in page and 'name="article"' in page


def test_intake_keeps_the_suggestions_when_the_caller_form_is_incomplete(district, article):
    operator = logged_in(district.users["intake"])
    incomplete = {**QUESTION, **CALLER, "citizen_name": "", "demand_type": "question"}
    page = _text(operator.post("/intake/", {**incomplete, "knowledge": "answer", "article": article.pk}))
    assert "请填写姓名" in page and article.title in page and "登记并直接答复" in page
    assert not Demand.objects.exists()
