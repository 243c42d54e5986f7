"""A model stored by an older release still loads and answers as it did: production databases keep
the newest thirty, and each one's pickle names the classes and functions it is made of by the module
each was defined in when it was stored."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import joblib
import pytest

from routing import classifier, learned, past_cases
from routing.learned import Learned, PastCase, TrainingSet, fit, judge, load
from routing.models import RoutingModel
from routing.training import stored_bytes

TEXTS = {
    "CGJ": ["路边小贩摆摊占道", "商铺占用人行道经营", "夜市摊位占满马路"],
    "ZJJ": ["工地夜间打桩噪音", "建筑工地渣土遍地", "工地晚上施工太吵"],
    "SHJ": ["工厂排放废气刺鼻", "河边工厂偷排污水", "烧烤店油烟直排"],
}
# Before routing/ left dispatch/, what a stored model names lived in dispatch.routing.
BEFORE_ROUTING_LEFT_DISPATCH = {
    "dispatch.routing.learned": (learned, ["SideBySide", "TemperedSVC", "document_title", "document_words"]),
    "dispatch.routing.past_cases": (past_cases, ["PastCaseIndex"]),
}
# Before the classifier had a module of its own, TemperedSVC was defined in routing.learned.
BEFORE_THE_CLASSIFIER_MODULE = {"routing.learned": (learned, ["TemperedSVC"])}


@contextmanager
def _defined_in(paths: dict) -> Iterator[None]:
    """Classes and functions defined in the modules `paths` names, as they were in an older release:
    pickle writes each one by its `__module__`, and checks that the module path leads back to it."""
    moved = [(getattr(module, name), path) for path, (module, names) in paths.items() for name in names]
    before = [(thing, thing.__module__) for thing, _ in moved]
    added = [path for path, (module, _) in paths.items() if path not in sys.modules]
    for path in added:
        sys.modules[path] = paths[path][0]
    for thing, path in moved:
        thing.__module__ = path
    try:
        yield
    finally:
        for thing, module_name in before:
            thing.__module__ = module_name
        for path in added:
            del sys.modules[path]


def _trained():
    cases = [
        PastCase(t, f"{t}，第{i}次", "", code, reference=f"H{i}")
        for code in TEXTS
        for i in range(6)
        for t in TEXTS[code]
    ]
    return fit(TrainingSet(cases)), len(cases)


@pytest.mark.parametrize(
    "paths", [BEFORE_ROUTING_LEFT_DISPATCH, BEFORE_THE_CLASSIFIER_MODULE], ids=["dispatch.routing", "routing.learned"]
)
def test_a_model_stored_under_former_module_paths_loads_and_answers_as_it_did(paths):
    trained, count = _trained()
    before = judge(Learned.of("in memory", trained, count), "工地晚上施工", "工地晚上施工太吵")
    with _defined_in(paths):
        blob = stored_bytes(trained)
    assert classifier.TemperedSVC.__module__ == "routing.classifier"  # put back
    assert not any(path.startswith("dispatch.routing") for path in sys.modules)

    loaded = load(RoutingModel(version="stored-by-an-older-release", blob=blob, sample_count=count, metrics={}))

    assert judge(loaded, "工地晚上施工", "工地晚上施工太吵") == before
    assert max(before.probabilities, key=before.probabilities.get) == "ZJJ" and before.neighbours
    # The former paths were there for the reading alone.
    assert not any(path.startswith("dispatch.routing") for path in sys.modules)


def test_the_former_module_paths_are_what_such_a_blob_needs():
    # Read without them, the blob stored before routing/ left dispatch/ names a module that is gone:
    # the test above proves a real former path, not one that would load anyway.
    trained, _ = _trained()
    with _defined_in(BEFORE_ROUTING_LEFT_DISPATCH):
        blob = stored_bytes(trained)
    with pytest.raises(ModuleNotFoundError, match=r"dispatch\.routing"):
        joblib.load(io.BytesIO(blob))
