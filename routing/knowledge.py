"""Finding knowledge-base articles (responsibility_lists.knowledge) by the router's words: a staff
member's search, and the articles suggested beside a demand's text (its words, and the matter the
router placed it under)."""

from __future__ import annotations

import re

from demands.models import Demand
from responsibility_lists.knowledge import Found, articles_holding, ranked
from routing.models import RoutingResult
from routing.text import normalize, segmented, words

SUGGESTED_AT_MOST = 3
SEARCHED_AT_MOST = 50
QUERY_MAX_LENGTH = 100
# What separates the terms a person types into a search box.
_TERM_SEPARATORS = re.compile(r"[\s,，、;；。.!！?？]+")


def query_words(query: str) -> list[str]:
    """A search's words: each term the person typed, and where a term runs together several
    words (医保报销), its jieba words instead, so that they are found apart as well."""
    found: list[str] = []
    for term in _TERM_SEPARATORS.split(normalize(query)):
        if not term:
            continue
        pieces = [w for w in segmented(term) if len(w.strip()) > 1]
        found.extend(pieces if len(pieces) > 1 else [term])
    return list(dict.fromkeys(found))


def article_search(query: str, *, published_only: bool = True, limit: int = SEARCHED_AT_MOST) -> list[Found]:
    """The articles that hold every word of the query (in title, question, keywords or answer),
    the best answers first."""
    wanted = query_words(query)
    if not wanted:
        return []
    candidates = articles_holding(wanted, published_only=published_only)
    return ranked(candidates, wanted, every_word=True)[:limit]


def articles_for_text(text: str, *, matter_code: str = "", limit: int = SUGGESTED_AT_MOST) -> list[Found]:
    """The published articles that best answer a text, those of its matter first among equals."""
    wanted = list(words(text))
    if not wanted and not matter_code:
        return []
    return ranked(articles_holding(wanted, matter_code=matter_code), wanted, matter_code=matter_code)[:limit]


def articles_for_demand(demand: Demand, *, limit: int = SUGGESTED_AT_MOST) -> list[Found]:
    """The articles suggested beside a demand: by its title and text, and the matter it was routed
    under (or the router's best guess, while it waits for a dispatcher)."""
    matter_code = demand.matter.code if demand.matter_id and demand.matter else ""
    if not matter_code:
        routing = RoutingResult.objects.filter(demand=demand).order_by("-created_at", "-pk").first()
        candidates = routing.candidates if routing else []
        matter_code = next((c.get("matter_code") or "" for c in candidates if c.get("matter_code")), "")
    return articles_for_text(f"{demand.title}\n{demand.content}", matter_code=matter_code, limit=limit)
