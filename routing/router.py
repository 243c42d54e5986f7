"""The router: the list's answer and the learned model's answer, combined per department.

- The list (keywords, names, BM25) says which matter a demand is and whose it is by law.
- The model says where demands like this one were finally handled, which catches what the
  list's words miss.
- The territory places the demand, so a 属地 matter goes to the street office where it is.

Each candidate carries a confidence and the reasons a dispatch officer can read. The same text,
location, list version and model version always give the same answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from config.caching import cached_for
from departments.models import TERRITORIAL_KINDS, Department
from departments.selectors import ResolvedLocation, resolve_location, street_office_for
from responsibility_lists.models import ListVersion, VersionStatus
from routing import learned, weighing
from routing import reasons as why
from routing.list_matcher import ListMatch, MatterEntry, MatterIndex
from routing.models import RoutingModel
from routing.weighing import ModelEvidence, PastCaseSeen

# 7: words cut by rjieba instead of the Python jieba package. Its words are jieba's on every shared
# public message, but on odd strings of characters jieba's route can part from it (常在几被).
# 8: without a list the model's probability is the score, undamped by the size of its history.
# 9: traditional characters read as simplified; every department learned, however few its past
# cases, with one softmax temperature instead of a sigmoid per department; the model's top three
# always among the candidates.
ROUTER_VERSION = "list-bm25-9"
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
    matches = index.match(reading.title, reading.content) if index is not None else []
    best_match, list_share = weighing.list_evidence(matches, reading.office, top)
    ids, names, territorial = _departments.get()
    model = weighing.model_evidence(
        reading.routing_model,
        reading.judgement,
        reading.office,
        ids=ids,
        territorial=territorial,
        by_history_alone=index is None,
        list_found=bool(list_share),
    )
    ranked = weighing.ranked(list_share, model, top)
    evidence = _best_answers_evidence(ranked, model)
    scale = _confidence_scale(reading.routing_model, evidence)
    candidates = []
    for department_id, confidence in ranked:
        match = _matter_the_list_names(department_id, best_match, matches, list_share, model)
        entry, reasons = _matter_and_reasons(department_id, match, index, reading, model)
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
                similar_cases=[
                    n.shown() for n in model.neighbours if n.department_id == department_id and n.case.title
                ][:SIMILAR_CASES_SHOWN],
            )
        )
    routing_model = reading.routing_model
    router_version = ROUTER_VERSION + (f"+{routing_model.version}" if routing_model else "")
    return RoutingAnswer(
        candidates=candidates, location=reading.location, router_version=router_version, evidence=evidence
    )


def _best_answers_evidence(ranked: list[tuple[int | None, float]], model: ModelEvidence) -> learned.Evidence | None:
    if not ranked:
        return None
    best_id, best_score = ranked[0]
    neighbours = model.neighbours
    return learned.Evidence(
        score=best_score,
        neighbours_agree=model.votes[best_id] / len(neighbours) if neighbours else 0.0,
        nearest_similarity=model.nearest_similarity,
        nearest_agrees=float(bool(neighbours) and neighbours[0].department_id == best_id),
    )


def _confidence_scale(routing_model: learned.Learned | None, evidence: learned.Evidence | None) -> float:
    """What the weighed scores are multiplied by to read as confidences. The weighed score ranks.
    Where the model has been calibrated on held-out history, the best answer's confidence is how
    often a best answer with that evidence (its score, and how the nearest past cases went) was
    right there, and the others keep their share of it, so the order and the gaps stay as weighed."""
    calibration = routing_model.calibration if routing_model is not None else None
    if calibration is not None and evidence is not None and evidence.score > 0:
        return calibration(evidence) / evidence.score
    return 1.0


def _matter_the_list_names(
    department_id: int | None,
    best_match: dict[int | None, ListMatch],
    matches: list[ListMatch],
    list_share: dict[int | None, float],
    model: ModelEvidence,
) -> ListMatch | None:
    """The list's best matter leading to this department, unless the model chose the department
    and the list only found one of its matters worded a little like the demand, and not as its
    own best answer. Naming that matter would bring its limits and assisting departments to a
    case it is not (a food cart filed as "public toilets")."""
    match = best_match.get(department_id)
    if (
        match is not None
        and not match.matched
        and match is not matches[0]
        and weighing.carried_by_model(department_id, list_share, model)
    ):
        return None
    return match


def _matter_and_reasons(
    department_id: int | None,
    match: ListMatch | None,
    index: MatterIndex | None,
    reading: Reading,
    model: ModelEvidence,
) -> tuple[MatterEntry | None, list[dict]]:
    """The matter a candidate department is answered as (the list's, or else the one its similar
    past cases were handled as), and the reasons an officer reads for it."""
    reasons: list[dict] = []
    entry = match.entry if match is not None else None
    if match is not None and match.matched:
        reasons.append({"kind": why.KEYWORDS, "words": list(match.matched)})
    elif match is not None:
        reasons.append({"kind": why.DESCRIBED, "matter": match.entry.name})
    elif index is not None and (
        handled_as := _matter_of_past_cases(
            index, department_id, reading.office, model.neighbours, f"{reading.title}\n{reading.content}"
        )
    ):
        entry, count = handled_as
        reasons.append({"kind": why.PAST_MATTER, "matter": entry.name, "count": count, "of": len(model.neighbours)})
    if entry is not None and entry.territorial:
        reasons.append({"kind": why.TERRITORY, "place": reading.location.matched or ""})
    if department_id in model.share and model.share[department_id] >= 0.05:
        reasons.append({"kind": why.HISTORY, "share": round(model.share[department_id], 2)})
    if model.votes[department_id]:
        reasons.append({"kind": why.NEIGHBOURS, "count": model.votes[department_id], "of": len(model.neighbours)})
    return entry, reasons
