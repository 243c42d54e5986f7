"""The knowledge base over the API: staff who answer citizens list and search the articles, list
maintainers write them; and a question answered directly (直接答复) from one."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from config.errors import NotAllowed
from demands.models import Demand
from departments.access import has_role
from departments.signed_in import SignedInApi, StaffApiRequest
from dispatch.api.desk import DemandActionApi
from dispatch.services.direct_answers import KNOWLEDGE_READERS, demand_answer_directly
from responsibility_lists.knowledge import article_create, article_update
from responsibility_lists.models import KnowledgeArticle
from responsibility_lists.services import MAINTAINER_ROLES
from routing.knowledge import QUERY_MAX_LENGTH, article_search

LISTED_AT_MOST = 200


class ArticleOutput(serializers.ModelSerializer):
    updated_by = serializers.CharField(source="updated_by.username")

    class Meta:
        model = KnowledgeArticle
        fields = [
            "id",
            "title",
            "question",
            "answer",
            "matter_code",
            "keywords",
            "is_published",
            "updated_by",
            "updated_at",
        ]


class ArticleInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    question = serializers.CharField(max_length=2000)
    answer = serializers.CharField(max_length=5000)
    matter_code = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=50
    )
    is_published = serializers.BooleanField(required=False, default=True)


def _reader(request: StaffApiRequest) -> bool:
    """Whether the caller reads the articles; True for maintainers, who also see the unpublished."""
    if not has_role(request.user, *KNOWLEDGE_READERS):
        raise NotAllowed(_("您无权查看知识库。"))
    return has_role(request.user, *MAINTAINER_ROLES)


class ArticleListApi(SignedInApi):
    """GET: the articles (published ones, unless the caller maintains them), or those a search
    `q` finds, best first. POST: a list maintainer adds one."""

    Input = ArticleInput
    Output = ArticleOutput

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="检索词：标题、问题、关键词或答复中的词")],
        responses=ArticleOutput(many=True),
    )
    def get(self, request: StaffApiRequest) -> Response:
        is_maintainer = _reader(request)
        query = str(request.query_params.get("q", ""))[:QUERY_MAX_LENGTH].strip()
        if query:
            articles: Any = [f.article for f in article_search(query, published_only=not is_maintainer)]
        else:
            articles = KnowledgeArticle.objects.select_related("updated_by")
            if not is_maintainer:
                articles = articles.filter(is_published=True)
            articles = articles[:LISTED_AT_MOST]
        return Response(ArticleOutput(articles, many=True).data)

    @extend_schema(operation_id="v1_knowledge_articles_create", request=ArticleInput, responses={201: ArticleOutput})
    def post(self, request: StaffApiRequest) -> Response:
        data = ArticleInput(data=request.data)
        data.is_valid(raise_exception=True)
        article = article_create(actor=request.user, **data.validated_data)
        return Response(ArticleOutput(article).data, status=201)


class ArticleDetailApi(SignedInApi):
    """GET: one article. POST: a list maintainer's edit of it (every field, as on the page)."""

    Input = ArticleInput
    Output = ArticleOutput

    def _article(self, request: StaffApiRequest, article_id: int) -> KnowledgeArticle:
        is_maintainer = _reader(request)
        articles = KnowledgeArticle.objects.select_related("updated_by")
        return get_object_or_404(articles if is_maintainer else articles.filter(is_published=True), pk=article_id)

    @extend_schema(request=None, responses=ArticleOutput)
    def get(self, request: StaffApiRequest, article_id: int) -> Response:
        return Response(ArticleOutput(self._article(request, article_id)).data)

    @extend_schema(operation_id="v1_knowledge_articles_update", request=ArticleInput, responses=ArticleOutput)
    def post(self, request: StaffApiRequest, article_id: int) -> Response:
        article = self._article(request, article_id)
        data = ArticleInput(data=request.data)
        data.is_valid(raise_exception=True)
        article = article_update(article_id=article.pk, actor=request.user, **data.validated_data)
        return Response(ArticleOutput(article).data)


class DemandDirectAnswerApi(DemandActionApi):
    """An intake operator or a dispatcher answers a question (咨询) at once, from a knowledge-base
    article (`article`: its answer, unless `body` gives the words) or in their own words; the
    demand is answered and closed at first contact, and the citizen rates it as any answer."""

    class Input(serializers.Serializer):
        article = serializers.IntegerField(required=False, allow_null=True, default=None)
        body = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)

    def act(self, demand: Demand, data: dict[str, Any]) -> Demand:
        return demand_answer_directly(
            demand_id=demand.pk, actor=self.request.user, body=data["body"], article_id=data["article"]
        )
