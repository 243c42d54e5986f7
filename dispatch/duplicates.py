"""Spotting a demand that repeats an open one from the same place, so the dispatch officer can
merge them: one department handles the matter once, and every citizen who raised it hears the
answer."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from demands.models import Demand
from demands.workflow import OPEN_STATUSES
from dispatch.models import DuplicateSuggestion
from dispatch.routing.text import normalize


def _bigrams(text: str) -> Counter[str]:
    compact = "".join(ch for ch in normalize(text) if not ch.isspace())
    return Counter(compact[i : i + 2] for i in range(len(compact) - 1))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of character bigrams: robust to rewording and needs no model."""
    left, right = _bigrams(a), _bigrams(b)
    if not left or not right:
        return 0.0
    dot = sum(count * right[gram] for gram, count in left.items())
    return dot / (math.sqrt(sum(v * v for v in left.values())) * math.sqrt(sum(v * v for v in right.values())))


def suggest_duplicates(demand: Demand) -> list[DuplicateSuggestion]:
    """Record open demands from the same community (or street) in the window that look alike."""
    if demand.community_id is None and demand.street_id is None:
        return []  # "the same place" cannot be told
    since = timezone.now() - timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    nearby = Demand.objects.filter(status__in=OPEN_STATUSES, submitted_at__gte=since)
    if demand.community_id is not None:
        nearby = nearby.filter(community_id=demand.community_id)
    elif demand.street_id is not None:
        nearby = nearby.filter(street_id=demand.street_id)
    nearby = nearby.exclude(pk=demand.pk).filter(submitted_at__lte=demand.submitted_at).only("pk", "title", "content")
    text = f"{demand.title}\n{demand.content}"
    suggestions = []
    for other in nearby[:200]:
        score = similarity(text, f"{other.title}\n{other.content}")
        if score >= settings.DUPLICATE_SIMILARITY:
            suggestion, _ = DuplicateSuggestion.objects.get_or_create(
                demand=demand, original=other, defaults={"similarity": round(score, 3)}
            )
            suggestions.append(suggestion)
    return suggestions
