"""The knowledge base (知识库): ready answers to the questions citizens ask, per matter of the list.
List maintainers write and edit the articles; intake operators and dispatchers read them and
answer questions from them at once (dispatch.services.direct_answers).

Searching needs words: the callers segment the text (routing.knowledge, with the router's jieba
words) and this module finds and ranks the articles that hold them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import NotFound, ValidationFailed
from responsibility_lists.list_io import split_words
from responsibility_lists.models import KnowledgeArticle, Matter
from responsibility_lists.selectors import version_in_force
from responsibility_lists.services import require_maintainer

TITLE_MAX_LENGTH = 200
ANSWER_MIN_LENGTH = 10
# A search asks the database for articles holding any of this many words at most (the longest
# first): a demand's text has hundreds, and the best of them are enough to rank by.
WORDS_ASKED_AT_MOST = 40
# Where a word is found says how much it speaks for the article.
WEIGHTS = {"title": 3, "keywords": 3, "question": 2, "answer": 1}
SAME_MATTER_BONUS = 4


def _search_text(*, title: str, question: str, answer: str, keywords: Iterable[str]) -> str:
    return "\n".join([title, " ".join(keywords), question, answer]).lower()


def _checked(*, title: str, question: str, answer: str, matter_code: str, keywords: str | Iterable[str]) -> dict:
    errors: dict[str, str] = {}
    title, question, answer, matter_code = title.strip(), question.strip(), answer.strip(), matter_code.strip()
    words = split_words(keywords) if isinstance(keywords, str) else [w.strip() for w in keywords if w.strip()]
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("标题不能超过200字。")
    if not question:
        errors["question"] = _("请写明群众常问的问题。")
    if len(answer) < ANSWER_MIN_LENGTH:
        errors["answer"] = _("答复口径太短，请写完整（至少10个字）。")
    if matter_code and not Matter.objects.filter(code=matter_code).exists():
        errors["matter_code"] = _("清单中没有编码为 %(code)s 的事项。") % {"code": matter_code}
    if errors:
        raise ValidationFailed("；".join(errors.values()), extra={"fields": errors})
    return {
        "title": title,
        "question": question,
        "answer": answer,
        "matter_code": matter_code,
        "keywords": list(dict.fromkeys(words)),
        "search_text": _search_text(title=title, question=question, answer=answer, keywords=words),
    }


def article_create(
    *,
    actor: User,
    title: str,
    question: str,
    answer: str,
    matter_code: str = "",
    keywords: str | Iterable[str] = (),
    is_published: bool = True,
) -> KnowledgeArticle:
    """A new article, by a list maintainer."""
    require_maintainer(actor)
    fields = _checked(title=title, question=question, answer=answer, matter_code=matter_code, keywords=keywords)
    now = timezone.now()
    return KnowledgeArticle.objects.create(
        **fields,
        is_published=is_published,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )


def article_update(
    *,
    article_id: int,
    actor: User,
    title: str,
    question: str,
    answer: str,
    matter_code: str = "",
    keywords: str | Iterable[str] = (),
    is_published: bool = True,
) -> KnowledgeArticle:
    """A list maintainer's edit of an article; who edited it last, and when, is kept."""
    require_maintainer(actor)
    fields = _checked(title=title, question=question, answer=answer, matter_code=matter_code, keywords=keywords)
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            raise NotFound(_("该知识库文章不存在。"))
        for name, value in fields.items():
            setattr(article, name, value)
        article.is_published = is_published
        article.updated_by = actor
        article.updated_at = timezone.now()
        article.save()
    return article


def matter_names(codes: Iterable[str]) -> dict[str, str]:
    """Code → name of the matters as the list in force names them (or the latest version that
    has the code, for a matter no longer in force)."""
    wanted = {code for code in codes if code}
    if not wanted:
        return {}
    names = dict(
        Matter.objects.filter(code__in=wanted).order_by("version__number").values_list("code", "name")
    )  # the latest version's name wins…
    in_force = version_in_force()
    if in_force is not None:  # …unless the version in force has the matter
        names.update(Matter.objects.filter(code__in=wanted, version=in_force).values_list("code", "name"))
    return names


@dataclass
class Found:
    article: KnowledgeArticle
    score: int
    matched: list[str]


def articles_holding(words: Iterable[str], *, matter_code: str = "", published_only: bool = True) -> QuerySet:
    """The articles that hold any of `words`, or belong to the matter: the candidates to rank."""
    asked = sorted({w.lower() for w in words if w.strip()}, key=len, reverse=True)[:WORDS_ASKED_AT_MOST]
    condition = Q(pk__in=[])
    for word in asked:
        condition |= Q(search_text__contains=word)
    if matter_code:
        condition |= Q(matter_code=matter_code)
    found = KnowledgeArticle.objects.filter(condition)
    return found.filter(is_published=True) if published_only else found


def ranked(
    articles: Iterable[KnowledgeArticle], words: Iterable[str], *, matter_code: str = "", every_word: bool = False
) -> list[Found]:
    """The articles by how well they answer `words`: each word counts where it is found (title and
    keywords most, the answer least), and the demand's own matter adds to it. `every_word`: a
    search's words must all be found somewhere (a demand's text, long and loose, need not)."""
    wanted = list(dict.fromkeys(w.lower() for w in words if w.strip()))
    results = []
    for article in articles:
        parts = {
            "title": article.title.lower(),
            "keywords": " ".join(article.keywords).lower(),
            "question": article.question.lower(),
            "answer": article.answer.lower(),
        }
        score, matched = 0, []
        for word in wanted:
            weight = max((WEIGHTS[name] for name, text in parts.items() if word in text), default=0)
            if weight:
                score += weight
                matched.append(word)
        if every_word and len(matched) < len(wanted):
            continue
        if matter_code and article.matter_code == matter_code:
            score += SAME_MATTER_BONUS
        if score:
            results.append(Found(article=article, score=score, matched=matched))
    results.sort(key=lambda found: (-found.score, -found.article.updated_at.timestamp(), found.article.pk))
    return results
