"""The demo's knowledge base: articles on the sample district's matters, and two questions the
intake operator answered directly from them (one rated by its citizen), loaded once."""

from __future__ import annotations

from django.core.management import call_command

from demands.models import Demand, DemandEvent
from demands.workflow import Action, Status
from dispatch.management.commands.load_demo_knowledge import ARTICLES
from responsibility_lists.models import KnowledgeArticle, Matter
from routing.knowledge import article_search


def test_the_demo_knowledge_base_and_its_direct_answers(committed_sample_district):
    call_command("load_demo_knowledge", verbosity=0)
    articles = KnowledgeArticle.objects.all()
    assert articles.count() == len(ARTICLES) >= 6
    codes = set(Matter.objects.values_list("code", flat=True))
    assert all(a.matter_code in codes and a.is_published for a in articles)
    assert article_search("医保 报销")[0].article.title == "异地就医怎么报销医保"
    answered = Demand.objects.filter(events__action=Action.DIRECT_ANSWER).order_by("submitted_at")
    assert [d.status for d in answered] == [Status.CLOSED, Status.REPLIED]
    assert answered[0].rating == 5 and all(d.demand_type == "question" and d.channel == "hotline" for d in answered)
    assert all(d.replies.get().department.code == "ZXZX" and d.matter is not None for d in answered)
    call_command("load_demo_knowledge", verbosity=0)  # again: nothing more
    assert KnowledgeArticle.objects.count() == len(ARTICLES)
    assert DemandEvent.objects.filter(action=Action.DIRECT_ANSWER).count() == 2
