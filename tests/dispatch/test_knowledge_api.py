"""The knowledge base over the API: articles listed and searched by staff who answer citizens,
written by list maintainers; and a question answered directly."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from demands.models import DemandType
from demands.workflow import Status
from responsibility_lists.models import KnowledgeArticle

ANSWER = "夜市摆摊须在街道划定的临时摊区内经营，请向所在街道办事处执法队申请摊位，未经批准占道摆卖将被劝离。"
ARTICLE = {
    "title": "夜市摆摊需要办理什么手续",
    "question": "想在夜市摆摊卖小吃，需要去哪里申请？",
    "answer": ANSWER,
    "matter_code": "PS-0101-001",
    "keywords": ["摆摊", "夜市", "摊位"],
}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def article_id(district) -> int:
    made = client_for(district.users["maintainer"]).post("/api/v1/knowledge/articles/", ARTICLE, format="json")
    assert made.status_code == 201, made.content
    return made.json()["id"]


def test_maintainers_write_articles_and_others_may_not(district, article_id):
    article = KnowledgeArticle.objects.get(pk=article_id)
    assert article.keywords == ARTICLE["keywords"] and article.updated_by == district.users["maintainer"]
    refused = client_for(district.users["intake"]).post("/api/v1/knowledge/articles/", ARTICLE, format="json")
    assert refused.status_code == 403
    edited = client_for(district.users["maintainer"]).post(
        f"/api/v1/knowledge/articles/{article_id}/", {**ARTICLE, "is_published": False}, format="json"
    )
    assert edited.status_code == 200 and edited.json()["is_published"] is False
    bad = client_for(district.users["maintainer"]).post(
        "/api/v1/knowledge/articles/", {**ARTICLE, "matter_code": "PS-9999-999"}, format="json"
    )
    assert bad.status_code == 400 and "PS-9999-999" in bad.content.decode()


def test_staff_list_and_search_the_published_articles(district, article_id):
    intake = client_for(district.users["intake"])
    listed = intake.get("/api/v1/knowledge/articles/")
    assert listed.status_code == 200 and [a["id"] for a in listed.json()] == [article_id]
    assert [a["id"] for a in intake.get("/api/v1/knowledge/articles/", {"q": "摊位 申请"}).json()] == [article_id]
    assert intake.get("/api/v1/knowledge/articles/", {"q": "医保"}).json() == []
    assert intake.get(f"/api/v1/knowledge/articles/{article_id}/").json()["answer"] == ANSWER
    assert client_for(district.users["cgj"]).get("/api/v1/knowledge/articles/").status_code == 403
    KnowledgeArticle.objects.filter(pk=article_id).update(is_published=False)
    assert intake.get("/api/v1/knowledge/articles/").json() == []
    assert intake.get(f"/api/v1/knowledge/articles/{article_id}/").status_code == 404
    assert len(client_for(district.users["maintainer"]).get("/api/v1/knowledge/articles/").json()) == 1


def test_a_question_is_answered_directly_over_the_api(district, submit, article_id):
    question = submit(
        title="咨询夜市摊位怎么申请", content="请问夜市卖小吃的摊位去哪里申请？", demand_type=DemandType.QUESTION
    ).demand
    answered = client_for(district.users["dispatcher"]).post(
        f"/api/v1/demands/{question.tracking_number}/direct-answer/", {"article": article_id}, format="json"
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == Status.REPLIED
    again = client_for(district.users["intake"]).post(
        f"/api/v1/demands/{question.tracking_number}/direct-answer/", {"body": ANSWER}, format="json"
    )
    assert again.status_code == 409  # answered already
    complaint = submit(
        title="投诉夜市摊位", content="夜市摊位太吵了，影响休息。", demand_type=DemandType.COMPLAINT
    ).demand
    refused = client_for(district.users["intake"]).post(
        f"/api/v1/demands/{complaint.tracking_number}/direct-answer/", {"body": ANSWER}, format="json"
    )
    assert refused.status_code == 409 and "只有咨询类诉求可以直接答复" in refused.content.decode()
    handler = client_for(district.users["cgj"]).post(
        f"/api/v1/demands/{complaint.tracking_number}/direct-answer/", {"body": ANSWER}, format="json"
    )
    assert handler.status_code == 403
