"""The knowledge base's pages, beside the list: everyone who answers citizens reads and searches the
articles; the list maintainers write and edit them. (Here rather than in responsibility_lists: a
search reads the router's words.)"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from departments.access import has_role
from departments.signed_in import StaffRequest
from dispatch.forms.knowledge import ArticleForm
from dispatch.services.direct_answers import KNOWLEDGE_READERS
from dispatch.views.common import paginate, perform, posted, role_required
from responsibility_lists.knowledge import article_create, article_update, matter_names
from responsibility_lists.models import KnowledgeArticle
from responsibility_lists.services import MAINTAINER_ROLES
from routing.knowledge import QUERY_MAX_LENGTH, article_search


def _is_maintainer(request: StaffRequest) -> bool:
    return has_role(request.user, *MAINTAINER_ROLES)


@role_required(*KNOWLEDGE_READERS)
def articles(request: StaffRequest) -> HttpResponse:
    """All the articles, or those a search finds (best first); maintainers see the unpublished too."""
    query = request.GET.get("q", "")[:QUERY_MAX_LENGTH].strip()
    is_maintainer = _is_maintainer(request)
    matched: dict[int, list[str]] = {}
    if query:
        found = article_search(query, published_only=not is_maintainer)
        rows: list[KnowledgeArticle] = [f.article for f in found]
        matched = {f.article.pk: f.matched for f in found}
    else:
        everything = KnowledgeArticle.objects.select_related("updated_by")
        rows = list(everything if is_maintainer else everything.filter(is_published=True))
    page, page_query = paginate(request, rows)
    names = matter_names(a.matter_code for a in page)
    context = {
        "query": query,
        "page": page,
        "page_query": page_query,
        "rows": [(a, names.get(a.matter_code, ""), matched.get(a.pk, [])) for a in page],
        "is_maintainer": is_maintainer,
    }
    return render(request, "responsibility_lists/knowledge_list.html", context)


@role_required(*MAINTAINER_ROLES)
def article_new(request: StaffRequest) -> HttpResponse:
    form = ArticleForm(posted(request), initial={"is_published": True})
    if request.method == "POST" and form.is_valid():
        done: dict[str, KnowledgeArticle] = {}

        def create() -> None:
            done["article"] = article_create(actor=request.user, **form.cleaned_data)

        if perform(request, create, _("已新增知识库文章。")):
            return redirect("knowledge-article", article_id=done["article"].pk)
    return render(request, "responsibility_lists/knowledge_new.html", {"form": form})


@role_required(*KNOWLEDGE_READERS)
def article_detail(request: StaffRequest, article_id: int) -> HttpResponse:
    """An article; its edit form for the maintainers."""
    is_maintainer = _is_maintainer(request)
    article = KnowledgeArticle.objects.select_related("created_by", "updated_by").filter(pk=article_id).first()
    if article is None or not (article.is_published or is_maintainer):
        raise Http404
    if request.method == "POST" and not is_maintainer:
        raise PermissionDenied
    form = ArticleForm(posted(request), initial=ArticleForm.initial_for(article), current_code=article.matter_code)

    def update() -> None:
        article_update(article_id=article.pk, actor=request.user, **form.cleaned_data)

    if request.method == "POST" and form.is_valid() and perform(request, update, _("已保存。")):
        return redirect("knowledge-article", article_id=article.pk)
    context = {
        "article": article,
        "matter_name": matter_names([article.matter_code]).get(article.matter_code, ""),
        "form": form,
        "is_maintainer": is_maintainer,
    }
    return render(request, "responsibility_lists/knowledge_article.html", context)
