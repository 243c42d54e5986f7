"""How the router weighs its two voices for each department: the list's evidence (the best matter
leading there) and the learned model's (its probability, and where the most similar past cases
went), the model trusted more the more history it learned from."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from departments.models import Department
from routing import learned
from routing.list_matcher import ListMatch
from routing.past_cases import Neighbour

# How fast list evidence makes the router sure: one specific keyword in the title (about 2
# points) gives a strength of about one half; two or three agreeing keywords make it certain.
EVIDENCE_SCALE = 2.5
# Trust in the learned model grows with the history it learned from.
MODEL_TRUST_HALF = 300
MODEL_TRUST_MAX = 0.8


def list_evidence(
    matches: list[ListMatch], office: Department | None, top: int
) -> tuple[dict[int | None, ListMatch], dict[int | None, float]]:
    """The list's evidence, per department: the best matter leading there, and the share of the
    list's evidence that matter's score gives the department."""
    best_match: dict[int | None, ListMatch] = {}
    for found in matches:
        department_id = (office.pk if office else None) if found.entry.territorial else found.entry.lead_department_id
        if department_id not in best_match:
            best_match[department_id] = found
    # Squared shares: a clear leader keeps most of the weight, two equal contenders split it.
    total = sum(m.score**2 for m in list(best_match.values())[: top + 2]) or 1.0
    list_share = {d: (m.score**2 / total) * (1 - math.exp(-m.score / EVIDENCE_SCALE)) for d, m in best_match.items()}
    return best_match, list_share


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


@dataclass
class ModelEvidence:
    """What the learned model says of a demand, per department as this demand would be routed
    (nothing without a model)."""

    share: dict[int | None, float] = field(default_factory=dict)  # the model's probability
    neighbours: list[PastCaseSeen] = field(default_factory=list)  # the most similar past cases
    nearest_similarity: float = 0.0
    trust: float = 0.0  # the weight of the model's share against the list's
    # How many of the nearest past cases each department handled.
    votes: Counter[int | None] = field(init=False)

    def __post_init__(self) -> None:
        self.votes = Counter(n.department_id for n in self.neighbours)


def model_evidence(
    routing_model: learned.Learned | None,
    judgement: learned.Judgement | None,
    office: Department | None,
    *,
    ids: dict[str, int],
    territorial: frozenset[int],
    by_history_alone: bool,
    list_found: bool,
) -> ModelEvidence:
    """The model's `judgement` of a demand placed in `office`'s street, by department id (`ids`
    by code; `territorial`: the street offices and communities)."""
    if routing_model is None or judgement is None:
        return ModelEvidence()

    def as_routed(code: str) -> int | None:
        # What the model learned from a street office's past cases is "the street where it
        # happened": that is this demand's street (None while the place is unknown), not
        # whichever street office happened to handle the similar cases.
        return (office.pk if office else None) if ids[code] in territorial else ids[code]

    share: dict[int | None, float] = {}
    for code, probability in judgement.probabilities.items():
        # Beside the list, a department learned from one or two past cases is judged by the
        # list alone, as combine() does for one the model never learned: its small probability
        # would damp the list's evidence for it (macro-F1 0.511 → 0.478 on 1,500 labelled
        # rows when such departments were learned). With history alone it is the only voice.
        if code in ids and (by_history_alone or code not in judgement.few_cases):
            learned_id = as_routed(code)
            share[learned_id] = share.get(learned_id, 0.0) + probability
    known_neighbours = [n for n in judgement.neighbours if n.department_code in ids]
    return ModelEvidence(
        share=share,
        neighbours=[PastCaseSeen(as_routed(n.department_code), n) for n in known_neighbours],
        nearest_similarity=known_neighbours[0].similarity if known_neighbours else 0.0,
        trust=model_trust(routing_model, by_history_alone=by_history_alone, list_found=list_found),
    )


def model_trust(routing_model: learned.Learned, *, by_history_alone: bool, list_found: bool) -> float:
    if by_history_alone:
        # Without a list the model is the only voice: its probability is the score. Damped by
        # the size of its history, a score would mean more for a model trained on all of it
        # than for the smaller held-out models its calibration was fitted on, and so overstate
        # (7 categories of our labelled set, 5 folds: answers at 0.8–0.9 were 77% right, 82% now).
        return 1.0
    trust = routing_model.sample_count / (routing_model.sample_count + MODEL_TRUST_HALF)
    # The list keeps a voice however much history there is: it is the law.
    return min(MODEL_TRUST_MAX, trust) if list_found else trust


def combine(
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


def carried_by_model(department_id: int | None, list_share: dict[int | None, float], model: ModelEvidence) -> bool:
    """Whether the model's voice for the department outweighs the list's."""
    return model.trust * model.share.get(department_id, 0.0) > (1 - model.trust) * list_share.get(department_id, 0.0)


def _highest_first(item: tuple[int | None, float]) -> tuple[float, bool, int]:
    # Among equal scores, a known department before the unknown street office, then by id.
    return -item[1], item[0] is None, item[0] or 0


def ranked(list_share: dict[int | None, float], model: ModelEvidence, top: int) -> list[tuple[int | None, float]]:
    """The `top` departments by the list's and the model's evidence weighed together."""
    # The model's own best answers always stand, however spread its probabilities: over many
    # departments its top three can all be under 0.02, and the router answered fewer than the
    # three a plain classifier ranks (its top-3 fell below such a baseline's).
    learned_best = sorted(model.share.items(), key=_highest_first)[:top]
    department_ids = set(list_share) | {d for d, p in model.share.items() if p >= 0.02} | {d for d, _ in learned_best}
    combined = {d: combine(list_share.get(d, 0.0), model.share, d, model.trust) for d in department_ids}
    return sorted(combined.items(), key=_highest_first)[:top]
