"""The knowledge base: articles per matter, written by the list maintainers, found by their words."""

from __future__ import annotations

import pytest

from config.errors import NotAllowed, NotFound, ValidationFailed
from responsibility_lists.knowledge import article_create, article_update, matter_names
from responsibility_lists.models import KnowledgeArticle
from routing.knowledge import article_search, articles_for_text, query_words

STALL_ANSWER = "夜市摆摊须在街道划定的临时摊区内经营，请向所在街道办事处执法队申请摊位，未经批准占道摆卖将被劝离。"


def _stall_article(district, by: str = "maintainer", **extra) -> KnowledgeArticle:
    fields = {
        "title": "夜市摆摊需要办理什么手续",
        "question": "想在夜市摆摊卖小吃，需要去哪里申请？",
        "answer": STALL_ANSWER,
        "matter_code": district.matters["stall"].code,
        "keywords": "摆摊、夜市、摊位",
    }
    return article_create(actor=district.users[by], **{**fields, **extra})


def _noise_article(district) -> KnowledgeArticle:
    return article_create(
        actor=district.users["maintainer"],
        title="夜间施工的许可时间",
        question="工地晚上几点以后不能施工？",
        answer="除抢修、抢险和经批准的连续作业外，晚上十一点至次日七点禁止产生噪声的建筑施工作业。",
        matter_code=district.matters["noise"].code,
        keywords=["施工噪音", "夜间施工"],
    )


def test_a_maintainer_writes_an_article_and_others_may_not(district):
    article = _stall_article(district)
    assert article.keywords == ["摆摊", "夜市", "摊位"] and article.is_published
    assert article.created_by == article.updated_by == district.users["maintainer"]
    assert "夜市摆摊" in article.search_text and "摊位" in article.search_text
    for username in ("intake", "dispatcher", "cgj"):
        with pytest.raises(NotAllowed):
            _stall_article(district, by=username, title="别人写的")
        with pytest.raises(NotAllowed):
            article_update(
                article_id=article.pk, actor=district.users[username], title="改", question="问", answer=STALL_ANSWER
            )
    assert KnowledgeArticle.objects.count() == 1


def test_an_edit_is_checked_and_keeps_who_made_it(district, django_user_model):
    article = _stall_article(district)
    with pytest.raises(ValidationFailed) as refused:
        _stall_article(district, matter_code="PS-9999-999", answer="太短")
    assert set(refused.value.extra["fields"]) == {"matter_code", "answer"}
    other = django_user_model.objects.create_user("maintainer2")
    other.memberships.create(department=district.departments["ZXZX"], role="list_maintainer")
    edited = article_update(
        article_id=article.pk,
        actor=other,
        title="夜市摆摊怎么申请摊位",
        question=article.question,
        answer=STALL_ANSWER,
        matter_code=article.matter_code,
        keywords="摆摊、摊位",
        is_published=False,
    )
    assert edited.updated_by == other and edited.created_by == district.users["maintainer"]
    assert edited.title == "夜市摆摊怎么申请摊位" and not edited.is_published and "夜市" not in edited.keywords
    with pytest.raises(NotFound):
        article_update(article_id=9999, actor=other, title="x", question="x", answer=STALL_ANSWER)


def test_a_search_finds_articles_by_their_words_wherever_they_are(district):
    stall, noise = _stall_article(district), _noise_article(district)
    assert query_words("施工许可时间") == ["施工", "许可", "时间"]
    assert [f.article for f in article_search("施工许可时间")] == [noise]  # apart in the title, found all the same
    assert [f.article for f in article_search("摊位 申请")] == [stall]  # keyword and question
    assert [f.article for f in article_search("十一点")] == [noise]  # in the answer only
    assert article_search("医保报销") == []
    assert {f.article for f in article_search("夜间")} == {noise}


def test_an_unpublished_article_is_found_by_maintainers_only(district):
    article = _stall_article(district, is_published=False)
    assert article_search("摆摊") == []
    assert [f.article for f in article_search("摆摊", published_only=False)] == [article]
    assert articles_for_text("夜市摆摊的事情") == []


def test_a_demand_text_is_answered_by_the_articles_of_its_words_and_matter(district):
    stall, noise = _stall_article(district), _noise_article(district)
    found = articles_for_text("请问我想在坪山大道的夜市摆摊，摊位去哪里申请？")
    assert found[0].article == stall and "摊位" in found[0].matched
    # The routed matter lifts its own article above one that shares a word or two.
    by_matter = articles_for_text("晚上施工的问题", matter_code=district.matters["noise"].code)
    assert by_matter[0].article == noise


def test_matter_names_come_from_the_list_in_force(district):
    assert matter_names(["PS-0101-001", "", "PS-0000-000"]) == {"PS-0101-001": "占道经营查处"}
