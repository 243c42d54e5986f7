"""Matching a demand against one version of the list: exact keyword and name phrases (what the
list maintainers wrote, so they can be trusted) plus BM25 over the jieba words of each matter's
name, keywords and description (so a demand that says it differently still finds its matter).
Exclusions veto a matter outright."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from responsibility_lists.models import ListVersion, Matter
from routing.text import words
from routing.traditional import simplified

TITLE_WEIGHT = 2.0
NAME_BONUS = 3.0
BM25_K1, BM25_B = 1.2, 0.75
# BM25 is scaled to the best match of the query, then worth at most this many keyword points:
# it ranks matters the keywords missed, but never outvotes what the list maintainers wrote.
BM25_WEIGHT = 2.0


@dataclass(frozen=True)
class MatterEntry:
    matter_id: int
    code: str
    name: str
    keywords: tuple[str, ...]
    exclusions: tuple[str, ...]
    lead_department_id: int | None
    lead_department_name: str
    territorial: bool
    assisting_ids: tuple[int, ...]
    assisted_by_territory: bool

    def excluded_by(self, text: str) -> bool:
        """Whether the text names one of the matter's exclusions, which veto it outright."""
        text = simplified(text)  # the list is written in simplified characters
        return any(word in text for word in self.exclusions)


@dataclass
class ListMatch:
    entry: MatterEntry
    score: float
    matched: list[str] = field(default_factory=list)


class MatterIndex:
    """Everything needed to match against one version, built once (published versions never change)."""

    def __init__(self, entries: list[MatterEntry], documents: list[list[str]]) -> None:
        self.entries = entries
        self.by_code = {entry.code: entry for entry in entries}
        # Keywords and names by their first character: a demand is searched only for the phrases
        # that can be in it, not for each of a list's thousands in turn.
        self.keywords = _Phrases((keyword, index) for index, e in enumerate(entries) for keyword in e.keywords)
        self.names = _Phrases((e.name, index) for index, e in enumerate(entries))
        lengths = [len(d) for d in documents]
        average_length = (sum(lengths) / len(lengths)) if lengths else 1.0
        term_counts = [Counter(d) for d in documents]
        postings: dict[str, list[int]] = defaultdict(list)
        for index, counts in enumerate(term_counts):
            for term in counts:
                postings[term].append(index)
        total = len(documents)
        idf = {t: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        # Each term's BM25 weight in each matter, computed once: a published version never changes,
        # so a demand pays only for multiplying by how often it says the term.
        self.weighted_postings: dict[str, tuple[tuple[int, float], ...]] = {
            term: tuple(
                (index, _bm25_weight(idf[term], term_counts[index][term], lengths[index], average_length))
                for index in indexes
            )
            for term, indexes in postings.items()
        }

    @classmethod
    def build(cls, version: ListVersion) -> MatterIndex:
        matters = (
            Matter.objects.filter(version=version)
            .select_related("lead_department")
            .prefetch_related("assisting_departments")
            .order_by("code")
        )
        entries = []
        for m in matters:
            entries.append(
                MatterEntry(
                    matter_id=m.pk,
                    code=m.code,
                    name=m.name,
                    keywords=tuple(k for k in m.keywords if k),
                    exclusions=tuple(k for k in m.exclusions if k),
                    lead_department_id=m.lead_department_id,
                    lead_department_name=m.lead_department.name if m.lead_department else "",
                    territorial=m.lead_is_territorial,
                    assisting_ids=tuple(sorted(d.pk for d in m.assisting_departments.all())),
                    assisted_by_territory=m.assisted_by_territory,
                )
            )
        return cls(entries, [matter_document(m) for m in matters])

    def match(self, title: str, content: str) -> list[ListMatch]:
        # The list is written in simplified characters: a traditional demand is read in them too.
        title, content = simplified(title), simplified(content)
        text = f"{title}\n{content}"
        query = Counter(list(words(title)) * int(TITLE_WEIGHT) + list(words(content)))
        bm25: dict[int, float] = defaultdict(float)
        for term, query_count in query.items():
            repeats = min(query_count, 3)
            for index, weight in self.weighted_postings.get(term, ()):
                bm25[index] += weight * repeats
        best_bm25 = max(bm25.values(), default=0.0) or 1.0
        in_title, in_content = self.keywords.found_in(title), self.keywords.found_in(content)
        names = self.names.found_in(text)  # a name is looked for in the whole text, as it always was
        touched = self.keywords.holders_of(in_title | in_content) | self.names.holders_of(names)
        results = []
        for index in sorted(touched | set(bm25)):
            entry = self.entries[index]
            if entry.excluded_by(text):
                continue
            score, matched = 0.0, []
            for keyword in entry.keywords:
                if keyword in in_title or keyword in in_content:
                    # Longer keywords are more specific; a title hit says what the demand is
                    # about, and a word repeated in the text confirms it.
                    weight = min(len(keyword), 4) / 2
                    score += weight * (TITLE_WEIGHT * (keyword in in_title) + 1.0 * (keyword in in_content))
                    matched.append(keyword)
            if entry.name in names:
                score += NAME_BONUS
                matched.append(entry.name)
            score += BM25_WEIGHT * bm25.get(index, 0.0) / best_bm25
            if score > 0:
                results.append(ListMatch(entry=entry, score=score, matched=matched))
        results.sort(key=lambda r: (-r.score, r.entry.code))
        return results


def list_fingerprint(version: ListVersion) -> str:
    """A digest of everything MatterIndex reads of a version: while it stays the same, so does
    every answer under that version (for the same text, place and model). A draft's time limits,
    legal basis or guidance do not route, and do not change it."""
    assisting: dict[int, list[int]] = defaultdict(list)
    through = Matter.assisting_departments.through.objects.filter(matter__version=version)
    for matter_id, department_id in through.values_list("matter_id", "department_id"):
        assisting[matter_id].append(department_id)
    digest = hashlib.sha256()
    rows = Matter.objects.filter(version=version).order_by("code")
    for pk, *fields in rows.values_list(
        "pk", "code", "name", "description", "keywords", "exclusions",
        "lead_department_id", "lead_is_territorial", "assisted_by_territory",
    ):  # fmt: skip
        digest.update(json.dumps([pk, *fields, sorted(assisting[pk])], ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def matter_document(matter: Matter) -> list[str]:
    """The words BM25 reads for a matter: its name three times, its keywords twice, its description."""
    keyword_words = [w for k in matter.keywords for w in words(k)]
    return list(words(matter.name)) * 3 + keyword_words * 2 + list(words(matter.description))


def _bm25_weight(idf: float, tf: int, length: int, average_length: float) -> float:
    norm = tf + BM25_K1 * (1 - BM25_B + BM25_B * length / average_length)
    return idf * tf * (BM25_K1 + 1) / norm


class _Phrases:
    """Phrases (keywords, or names) and the entries that have them, all found in a text in one
    pass of an Aho–Corasick automaton (overlapping ones too: 施工噪音 and 噪音 in 施工噪音扰民).
    Looking for each phrase that starts with one of the text's characters took a fifth of the
    impact preview's time, two lists times thousands of demands."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        self.holders: dict[str, set[int]] = defaultdict(set)  # phrase → the entries that have it
        for phrase, index in pairs:
            self.holders[phrase].add(index)
        self.automaton = ahocorasick.Automaton()
        for phrase in self.holders:
            if phrase:
                self.automaton.add_word(phrase, phrase)
        self.automaton.make_automaton()

    def found_in(self, text: str) -> set[str]:
        found = {phrase for _, phrase in self.automaton.iter(text)} if len(self.automaton) else set()
        if "" in self.holders:  # an empty phrase is in every text
            found.add("")
        return found

    def holders_of(self, phrases: set[str]) -> set[int]:
        return {index for phrase in phrases for index in self.holders[phrase]}
