"""The router: the list's answer and the learned model's answer, combined per department.

- The list (keywords, names, BM25) says which matter a demand is and whose it is by law.
- The model says where demands like this one were finally handled, which catches what the
  list's words miss.
- The territory places the demand, so a 属地 matter goes to the street office where it is.

Each candidate carries a confidence and the reasons a dispatch officer can read. The same text,
location, list version and model version always give the same answer."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from config.caching import cached_for
from departments.models import TERRITORIAL_KINDS, Department
from departments.selectors import ResolvedLocation, resolve_location, street_office_for
from responsibility_lists.models import ListVersion, VersionStatus
from routing import learned
from routing import reasons as why
from routing.list_matcher import ListMatch, MatterEntry, MatterIndex
from routing.models import RoutingModel
from routing.past_cases import Neighbour

# 7: words cut by rjieba instead of the Python jieba package. Its words are jieba's on every shared
# public message, but on odd strings of characters jieba's route can part from it (常在几被).
# 8: without a list the model's probability is the score, undamped by the size of its history.
# 9: traditional characters read as simplified; every department learned, however few its past
# cases, with one softmax temperature instead of a sigmoid per department; the model's top three
# always among the candidates.
ROUTER_VERSION = "list-bm25-9"
# How fast list evidence makes the router sure: one specific keyword in the title (about 2
# points) gives a strength of about one half; two or three agreeing keywords make it certain.
EVIDENCE_SCALE = 2.5
# Trust in the learned model grows with the history it learned from.
MODEL_TRUST_HALF = 300
MODEL_TRUST_MAX = 0.8
# How many of the nearest past cases must have been handled as one matter for a suggestion the
# list's words missed to take that matter.
PAST_MATTER_AGREEING = 2


@dataclass
class Candidate:
    matter_id: int | None
    matter_code: str
    matter_name: str
    department_id: int | None
    department_name: str
    score: float
    confidence: float = 0.0
    matched: list[str] = field(default_factory=list)
    reason: str = ""  # the reasons in the language of record (Chinese)
    reasons: list[dict] = field(default_factory=list)  # the same, as data: see reasons.describe()
    # The most similar past cases that went to this department: title, reference, similarity.
    similar_cases: list[dict] = field(default_factory=list)


@dataclass
class RoutingAnswer:
    candidates: list[Candidate]
    location: ResolvedLocation
    router_version: str = ROUTER_VERSION
    evidence: learned.Evidence | None = None  # what the best answer's confidence was read from

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def confidence(self) -> float:
        best = self.best
        return best.confidence if best and best.department_id else 0.0

    def candidates_as_json(self) -> list[dict]:
        return [asdict(c) for c in self.candidates]


@lru_cache(maxsize=8)
def _frozen_index(version_id: int) -> MatterIndex:
    return MatterIndex.build(ListVersion.objects.get(pk=version_id))


def index_for(version: ListVersion) -> MatterIndex:
    # Published and retired versions never change, so their index is built once per process.
    if version.status == VersionStatus.DRAFT:
        return MatterIndex.build(version)
    return _frozen_index(version.pk)


@cached_for(60)
def _departments() -> tuple[dict[str, int], dict[int, str], frozenset[int]]:
    """(code → id, id → name, the territorial ones), kept a minute: routing needs them for every
    demand."""
    rows = list(Department.objects.values_list("pk", "code", "name", "kind"))
    territorial = frozenset(pk for pk, _, _, kind in rows if kind in TERRITORIAL_KINDS)
    return {code: pk for pk, code, _, _ in rows}, {pk: name for pk, _, name, _ in rows}, territorial


def clear_caches() -> None:
    _frozen_index.cache_clear()
    _departments.clear()


_ACTIVE = object()


# How many of the similar past cases behind a suggestion an officer is shown.
SIMILAR_CASES_SHOWN = 2


@dataclass(frozen=True)
class PastCaseSeen:
    department_id: int | None  # where this demand would go had it been handled like that case
    case: Neighbour

    def shown(self) -> dict:
        return {
            "title": self.case.title,
            "reference": self.case.reference,
            "similarity": round(self.case.similarity, 2),
        }


def _matter_of_past_cases(
    index: MatterIndex,
    department_id: int | None,
    office: Department | None,
    neighbours: list[PastCaseSeen],
    text: str,
) -> tuple[MatterEntry, int] | None:
    """The matter that most of the similar past cases of this department were handled as, when at
    least two agree and it is still in the list (under the same lead, and none of its exclusions in
    the demand's `text`): for a demand the list's words missed, it brings the matter's limits and
    assisting departments. Among equal counts, the nearest case's matter wins."""
    counts = Counter(
        n.case.matter_code
        for n in neighbours
        if n.department_id == department_id and n.case.matter_code in index.by_code
    )
    for code, count in counts.most_common():
        if count < PAST_MATTER_AGREEING:
            break
        entry = index.by_code[code]
        if entry.excluded_by(text):
            continue
        if entry.territorial:
            leads_here = department_id == (office.pk if office else None)
        else:
            leads_here = department_id is not None and entry.lead_department_id == department_id
        if leads_here:
            return entry, count
    return None


def _combine(
    list_evidence: float, model_share: dict[int | None, float], department_id: int | None, trust: float
) -> float:
    # A department the model never learned (too few past cases, or none yet) gets no vote from
    # it: its silence is not evidence against, so the list speaks alone there. Mixing in a zero
    # kept such departments at a fifth of their list evidence, and small departments were never
    # chosen (macro-F1 0.47 → 0.54 on the labelled set, 5 folds, accuracy unchanged).
    if department_id is not None and model_share and department_id not in model_share:
        return list_evidence
    # A 属地 matter whose place is unknown (None) gets the model's street-office vote when it has
    # one; without, it is damped like any answer the model does not back.
    return (1 - trust) * list_evidence + trust * model_share.get(department_id, 0.0)


def _carried_by_model(
    department_id: int | None, list_share: dict[int | None, float], model_share: dict[int | None, float], trust: float
) -> bool:
    return trust * model_share.get(department_id, 0.0) > (1 - trust) * list_share.get(department_id, 0.0)


@dataclass(frozen=True)
class Reading:
    """What the router reads from a demand whatever the list version: where it happened and what
    the learned model makes of its text. The impact preview reads each demand once and answers
    under two versions of the list."""

    title: str
    content: str
    location: ResolvedLocation
    office: Department | None
    routing_model: learned.Learned | None
    judgement: learned.Judgement | None


def active_learned() -> learned.Learned | None:
    """The active learned model, loaded (once per process and model version)."""
    model = learned.active_model()
    return learned.load(model) if model is not None else None


def read_demand(
    *,
    title: str,
    content: str,
    location_text: str,
    model: RoutingModel | learned.Learned | None | object = _ACTIVE,
    place: ResolvedLocation | None = None,
    office_for: Callable[[int | None], Department | None] = street_office_for,
    judgement: learned.Judgement | None = None,
) -> Reading:
    """`judgement`: the model's, made already for this text (learned.judge_many, for a batch)."""
    location = place or resolve_location(location_text, title, content)
    if model is _ACTIVE:
        model = learned.active_model()
    known = learned.load(model) if isinstance(model, RoutingModel) else model
    routing_model = known if isinstance(known, learned.Learned) else None
    if routing_model is not None and judgement is None:
        judgement = learned.judge(routing_model, title, content)
    return Reading(title, content, location, office_for(location.street_id), routing_model, judgement)


def route(
    *,
    title: str,
    content: str,
    location_text: str,
    version: ListVersion | None,
    model: RoutingModel | learned.Learned | None | object = _ACTIVE,
    top: int = 3,
    place: ResolvedLocation | None = None,
) -> RoutingAnswer:
    """`place`, when given, is where the citizen said it happened (picked from the list); it
    outranks any place the text names. Without a list `version`, history alone answers."""
    reading = read_demand(title=title, content=content, location_text=location_text, model=model, place=place)
    return answer(reading, index=index_for(version) if version is not None else None, top=top)


def answer(reading: Reading, *, index: MatterIndex | None, top: int = 3, worded: bool = True) -> RoutingAnswer:
    """The router's answer for a demand read by read_demand(), under the list `index` (None: by
    history alone). `worded`: each candidate's reasons also in words of record (`reason`); the
    impact preview keeps them as data alone, and is spared a tenth of its time."""
    title, content, location, office = reading.title, reading.content, reading.location, reading.office
    matches = index.match(title, content) if index is not None else []
    routing_model = reading.routing_model

    # The list's evidence, per department: the best matter leading there.
    best_match: dict[int | None, ListMatch] = {}
    for found in matches:
        department_id = (office.pk if office else None) if found.entry.territorial else found.entry.lead_department_id
        if department_id not in best_match:
            best_match[department_id] = found
    # Squared shares: a clear leader keeps most of the weight, two equal contenders split it.
    total = sum(m.score**2 for m in list(best_match.values())[: top + 2]) or 1.0
    list_share = {d: (m.score**2 / total) * (1 - math.exp(-m.score / EVIDENCE_SCALE)) for d, m in best_match.items()}

    model_share: dict[int | None, float] = {}
    neighbours: list[PastCaseSeen] = []  # the most similar past cases, as this demand would be routed
    nearest_similarity = 0.0
    trust = 0.0
    judgement = reading.judgement
    if routing_model is not None and judgement is not None:
        ids, _, territorial = _departments.get()

        def as_routed(code: str) -> int | None:
            # What the model learned from a street office's past cases is "the street where it
            # happened": that is this demand's street (None while the place is unknown), not
            # whichever street office happened to handle the similar cases.
            return (office.pk if office else None) if ids[code] in territorial else ids[code]

        for code, probability in judgement.probabilities.items():
            # Beside the list, a department learned from one or two past cases is judged by the
            # list alone, as _combine does for one the model never learned: its small probability
            # would damp the list's evidence for it (macro-F1 0.511 → 0.478 on 1,500 labelled
            # rows when such departments were learned). With history alone it is the only voice.
            if code in ids and not (index is not None and code in judgement.few_cases):
                learned_id = as_routed(code)
                model_share[learned_id] = model_share.get(learned_id, 0.0) + probability
        known_neighbours = [n for n in judgement.neighbours if n.department_code in ids]
        neighbours = [PastCaseSeen(as_routed(n.department_code), n) for n in known_neighbours]
        nearest_similarity = known_neighbours[0].similarity if known_neighbours else 0.0
        trust = routing_model.sample_count / (routing_model.sample_count + MODEL_TRUST_HALF)
        if index is None:
            # Without a list the model is the only voice: its probability is the score. Damped by
            # the size of its history, a score would mean more for a model trained on all of it
            # than for the smaller held-out models its calibration was fitted on, and so overstate
            # (7 categories of our labelled set, 5 folds: answers at 0.8–0.9 were 77% right, 82% now).
            trust = 1.0
        elif list_share:
            # The list keeps a voice however much history there is: it is the law.
            trust = min(MODEL_TRUST_MAX, trust)

    # The model's own best answers always stand, however spread its probabilities: over many
    # departments its top three can all be under 0.02, and the router answered fewer than the
    # three a plain classifier ranks (its top-3 fell below such a baseline's).
    learned_best = sorted(model_share.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))[:top]
    department_ids = set(list_share) | {d for d, p in model_share.items() if p >= 0.02} | {d for d, _ in learned_best}
    combined = {d: _combine(list_share.get(d, 0.0), model_share, d, trust) for d in department_ids}
    ranked = sorted(combined.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))[:top]
    votes = Counter(n.department_id for n in neighbours)  # how many of the nearest past cases each department handled
    evidence = None
    if ranked:
        best_id, best_score = ranked[0]
        evidence = learned.Evidence(
            score=best_score,
            neighbours_agree=votes[best_id] / len(neighbours) if neighbours else 0.0,
            nearest_similarity=nearest_similarity,
            nearest_agrees=float(bool(neighbours) and neighbours[0].department_id == best_id),
        )
    # The weighed score ranks. Where the model has been calibrated on held-out history, the best
    # answer's confidence is how often a best answer with that evidence (its score, and how the
    # nearest past cases went) was right there, and the others keep their share of it, so the
    # order and the gaps stay as weighed.
    calibration = routing_model.calibration if routing_model is not None else None
    scale = 1.0
    if calibration is not None and evidence is not None and evidence.score > 0:
        scale = calibration(evidence) / evidence.score
    _, names, _ = _departments.get()
    candidates = []
    for department_id, confidence in ranked:
        match = best_match.get(department_id)
        if (
            match is not None
            and not match.matched
            and match is not matches[0]
            and _carried_by_model(department_id, list_share, model_share, trust)
        ):
            # The model chose this department; the list only found one of its matters worded a
            # little like the demand, and not as its own best answer. Naming that matter would
            # bring its limits and assisting departments to a case it is not (a food cart filed
            # as "public toilets").
            match = None
        reasons: list[dict] = []
        entry = match.entry if match is not None else None
        if match is not None and match.matched:
            reasons.append({"kind": why.KEYWORDS, "words": list(match.matched)})
        elif match is not None:
            reasons.append({"kind": why.DESCRIBED, "matter": match.entry.name})
        elif index is not None and (
            handled_as := _matter_of_past_cases(index, department_id, office, neighbours, f"{title}\n{content}")
        ):
            entry, count = handled_as
            reasons.append({"kind": why.PAST_MATTER, "matter": entry.name, "count": count, "of": len(neighbours)})
        if entry is not None and entry.territorial:
            reasons.append({"kind": why.TERRITORY, "place": location.matched or ""})
        if department_id in model_share and model_share[department_id] >= 0.05:
            reasons.append({"kind": why.HISTORY, "share": round(model_share[department_id], 2)})
        if votes[department_id]:
            reasons.append({"kind": why.NEIGHBOURS, "count": votes[department_id], "of": len(neighbours)})
        candidates.append(
            Candidate(
                matter_id=entry.matter_id if entry else None,
                matter_code=entry.code if entry else "",
                matter_name=entry.name if entry else "",
                department_id=department_id,
                department_name=names.get(department_id, "属地（地点未能识别）")
                if department_id
                else "属地（地点未能识别）",
                score=round(match.score, 3) if match else 0.0,
                confidence=round(confidence * scale, 3),
                matched=list(match.matched) if match else [],
                reason=why.on_record(reasons) if worded else "",
                reasons=reasons,
                similar_cases=[n.shown() for n in neighbours if n.department_id == department_id and n.case.title][
                    :SIMILAR_CASES_SHOWN
                ],
            )
        )
    router_version = ROUTER_VERSION + (f"+{routing_model.version}" if routing_model else "")
    return RoutingAnswer(candidates=candidates, location=location, router_version=router_version, evidence=evidence)
