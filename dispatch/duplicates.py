"""Spotting a demand that repeats an open one from the same place or the same caller, so the
dispatch officer can merge them: one department handles the matter once, and every citizen who
raised it hears the answer. And, before a demand is made at all, telling a caller that they
have reported the same thing already (`open_repeat_of`)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from demands.models import Demand
from demands.phones import phone_hash, phone_key
from demands.selectors import open_demands_from
from demands.workflow import OPEN_STATUSES
from dispatch.models import DuplicateSuggestion
from routing.text import normalize


def _bigrams(text: str) -> Counter[str]:
    compact = "".join(ch for ch in normalize(text) if not ch.isspace())
    return Counter(compact[i : i + 2] for i in range(len(compact) - 1))


@dataclass(frozen=True)
class TextVector:
    """A text's character bigrams and their norm, made once for comparing it with many others."""

    bigrams: Counter[str]
    norm: float


def text_vector(text: str) -> TextVector:
    grams = _bigrams(text)
    return TextVector(grams, math.sqrt(sum(v * v for v in grams.values())))


def vector_similarity(left: TextVector, right: TextVector) -> float:
    if not left.norm or not right.norm:
        return 0.0
    small, large = sorted((left.bigrams, right.bigrams), key=len)
    dot = sum(count * large[gram] for gram, count in small.items() if gram in large)
    return dot / (left.norm * right.norm)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of character bigrams: robust to rewording and needs no model."""
    return vector_similarity(text_vector(a), text_vector(b))


def _text(title: str, content: str) -> str:
    return f"{title}\n{content}"


def suggest_duplicates(demand: Demand) -> list[DuplicateSuggestion]:
    """Record open demands in the window that look alike and came from the same community (or
    street), or from the same caller wherever they placed it."""
    since = timezone.now() - timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    candidates: dict[int, Demand] = {}
    place = None
    if demand.community_id is not None:
        place = Q(community_id=demand.community_id)
    elif demand.street_id is not None:
        place = Q(street_id=demand.street_id)
    if place is not None:
        nearby = Demand.objects.filter(place, status__in=OPEN_STATUSES, submitted_at__gte=since)
        nearby = nearby.exclude(pk=demand.pk).filter(submitted_at__lte=demand.submitted_at)
        candidates.update((other.pk, other) for other in nearby.only("pk", "title", "content")[:200])
    for other in open_demands_from(demand.citizen_phone):
        if other.pk != demand.pk and since <= other.submitted_at <= demand.submitted_at:
            candidates.setdefault(other.pk, other)
    text = _text(demand.title, demand.content)
    suggestions = []
    for other in candidates.values():
        score = similarity(text, _text(other.title, other.content))
        if score >= settings.DUPLICATE_SIMILARITY:
            suggestion, _ = DuplicateSuggestion.objects.get_or_create(
                demand=demand, original=other, defaults={"similarity": round(score, 3)}
            )
            suggestions.append(suggestion)
    return suggestions


def open_repeat_of(*, phone: str, title: str, content: str) -> Demand | None:
    """The caller's own open demand that a new submission repeats, if any: left with the same
    phone number and at least REPEAT_SIMILARITY alike; the most alike, then the newest."""
    text = _text(title, content)
    scored = [(similarity(text, _text(d.title, d.content)), d) for d in open_demands_from(phone)]
    alike = [(score, d) for score, d in scored if score >= settings.REPEAT_SIMILARITY]
    return max(alike, key=lambda pair: (pair[0], pair[1].submitted_at))[1] if alike else None


def repeats(demand: Demand, *, phone: str, title: str, content: str) -> bool:
    """Whether a submission is a repeat of this demand: the same caller, the demand open, the
    text alike (the check `open_repeat_of` makes, for a demand already named)."""
    return (
        demand.status in OPEN_STATUSES
        and len(phone_key(phone)) >= 7
        and phone_hash(phone) == demand.citizen_phone_hash
        and similarity(_text(title, content), _text(demand.title, demand.content)) >= settings.REPEAT_SIMILARITY
    )
