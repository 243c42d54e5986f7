"""Routing shortcuts must not change any answer: the same inputs and versions give the same
answer, to the last bit, with or without them."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from routing.classifier import probabilities_of
from routing.learned import PastCase, TrainingSet, document, fit

MESSAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "messages.csv"
TEXTS = {
    "CGJ": ["路边小贩摆摊占道", "商铺占用人行道经营", "夜市摊位占满马路"],
    "ZJJ": ["工地夜间打桩噪音", "建筑工地渣土遍地", "工地晚上施工太吵"],
    "SHJ": ["工厂排放废气刺鼻", "河边工厂偷排污水", "烧烤店油烟直排"],
    "JTJ": ["公交车站太远", "路口红绿灯时间太短", "公交线路绕远"],
}


def _model(codes: list[str]):
    rng = random.Random(0)
    cases = [
        PastCase(text, f"{text}，{rng.choice(['已经很久了', '请尽快处理', '影响生活'])}第{i}次", "", code)
        for code in codes
        for i in range(15)
        for text in TEXTS[code]
    ]
    return fit(TrainingSet(cases)).pipeline


def _documents() -> list[str]:
    every = [t for texts in TEXTS.values() for t in texts]
    # Every title with every text (the shared messages are added where they are present).
    made_up = [document(a, f"{b}，请处理") for a in every for b in every] + [document("无关", "天气很好")]
    if not MESSAGES.exists():
        return made_up
    with MESSAGES.open(encoding="utf-8") as handle:
        rows = [row for _, row in zip(range(300), csv.DictReader(handle), strict=False)]
    return made_up + [document(row["title"], row["body"]) for row in rows]


@pytest.mark.parametrize("codes", [["CGJ", "ZJJ"], ["CGJ", "ZJJ", "SHJ", "JTJ"]], ids=["two classes", "four"])
def test_one_pass_calibrated_probabilities_equal_scikit_learns_to_the_bit(codes):
    pipeline = _model(codes)
    classifier = pipeline.named_steps["classifier"]
    for text in _documents():
        features = pipeline.named_steps["features"].transform([text])
        assert np.array_equal(probabilities_of(classifier, features), classifier.predict_proba(features))


def _scanned(index, documents, title: str, content: str) -> list[tuple[str, float, list[str]]]:
    """The matches as found before phrases were indexed by their first character and BM25 weights
    were computed ahead: every matter scanned for every keyword, BM25 from the matters' words
    (the oracle, the old MatterIndex word for word)."""
    import math
    from collections import Counter, defaultdict

    from routing.list_matcher import BM25_B, BM25_K1, BM25_WEIGHT, NAME_BONUS, TITLE_WEIGHT
    from routing.text import words

    lengths = [len(d) for d in documents]
    average_length = (sum(lengths) / len(lengths)) if lengths else 1.0
    term_counts = [Counter(d) for d in documents]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, counts in enumerate(term_counts):
        for term in counts:
            postings[term].append(i)
    idf = {t: math.log(1 + (len(documents) - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}

    text = f"{title}\n{content}"
    query = Counter(list(words(title)) * int(TITLE_WEIGHT) + list(words(content)))
    bm25: dict[int, float] = defaultdict(float)
    for term, query_count in query.items():
        for i in postings.get(term, ()):
            tf = term_counts[i][term]
            norm = tf + BM25_K1 * (1 - BM25_B + BM25_B * lengths[i] / average_length)
            bm25[i] += idf[term] * tf * (BM25_K1 + 1) / norm * min(query_count, 3)
    best_bm25 = max(bm25.values(), default=0.0) or 1.0
    results = []
    for i, entry in enumerate(index.entries):
        if entry.exclusions and any(word in text for word in entry.exclusions):
            continue
        score, matched = 0.0, []
        for keyword in entry.keywords:
            in_title, in_content = keyword in title, keyword in content
            if in_title or in_content:
                score += min(len(keyword), 4) / 2 * (TITLE_WEIGHT * in_title + 1.0 * in_content)
                matched.append(keyword)
        if entry.name in text:
            score += NAME_BONUS
            matched.append(entry.name)
        score += BM25_WEIGHT * bm25.get(i, 0.0) / best_bm25
        if score > 0:
            results.append((entry.code, score, matched))
    return sorted(results, key=lambda r: (-r[1], r[0]))


@pytest.mark.django_db
def test_the_indexed_phrase_search_finds_what_scanning_every_matter_finds():
    from django.core.management import call_command

    from responsibility_lists.models import Matter
    from responsibility_lists.selectors import version_in_force
    from routing.list_matcher import MatterIndex, matter_document

    call_command("load_sample_district", verbosity=0)
    index = MatterIndex.build(version_in_force())
    documents = [matter_document(m) for m in Matter.objects.filter(version=version_in_force()).order_by("code")]
    pairs = [(t, f"{t}，请处理") for texts in TEXTS.values() for t in texts] + [("", ""), ("占道经营", "")]
    if MESSAGES.exists():
        with MESSAGES.open(encoding="utf-8") as handle:
            pairs += [(row["title"], row["body"]) for _, row in zip(range(400), csv.DictReader(handle), strict=False)]
    with_phrases = 0
    for title, content in pairs:
        found = [(m.entry.code, m.score, m.matched) for m in index.match(title, content)]
        assert found == _scanned(index, documents, title, content)  # the same floats, in the same order
        with_phrases += any(matched for _, _, matched in found)
    assert with_phrases > len(pairs) // 3  # the texts do hit the list's phrases


@pytest.mark.parametrize("codes", [["CGJ", "ZJJ"], ["CGJ", "ZJJ", "SHJ", "JTJ"]], ids=["two classes", "four"])
def test_one_text_features_equal_the_pipelines_to_the_bit(codes):
    features = _model(codes).named_steps["features"]
    for text in [*_documents(), document("", ""), document("！！", "？？")]:
        fast, full = features.transform_one(text), features.transform([text])
        assert fast.shape == full.shape and fast.has_sorted_indices
        assert np.array_equal(fast.indices, full.indices) and np.array_equal(fast.indptr, full.indptr)
        assert np.array_equal(fast.data, full.data) and fast.data.dtype == full.data.dtype


def test_the_indexed_phrase_search_keeps_the_old_answers_on_odd_lists():
    # What the list import would not write, but a list built otherwise might hold: an empty name,
    # a name over two lines (found across the title and the text, as before), an empty keyword,
    # a keyword given twice, a name that is another matter's keyword.
    from routing.list_matcher import MatterEntry, MatterIndex

    def entry(code: str, name: str, keywords: tuple[str, ...], exclusions: tuple[str, ...] = ()) -> MatterEntry:
        return MatterEntry(1, code, name, keywords, exclusions, 1, "部门", False, (), False)

    entries = [
        entry("A", "", ("噪音",)),
        entry("B", "工地\n噪音", ("工地", "工地")),
        entry("C", "噪音", ("", "夜间"), exclusions=("装修",)),
        entry("D", "小贩占道", ("摆摊",)),
    ]
    documents = [["噪音"], ["工地", "噪音"], ["夜间"], ["小贩", "占道"]]
    index = MatterIndex(entries, documents)
    for title, content in [
        ("工地", "噪音很大"),
        ("装修噪音", "夜间"),
        ("", ""),
        ("小贩", "摆摊占道"),
        ("工地\n", "噪音"),
    ]:
        found = [(m.entry.code, m.score, m.matched) for m in index.match(title, content)]
        assert found == _scanned(index, documents, title, content)


def test_a_model_stored_with_a_bare_vectorizer_still_routes():
    # Models stored before SideBySide carry one TfidfVectorizer as their features.
    from sklearn.feature_extraction.text import TfidfVectorizer

    from routing.learned import Learned, judge

    pipeline = _model(["CGJ", "ZJJ"])
    chars = dict(pipeline.named_steps["features"].parts)["chars"]
    old = type(pipeline)([("features", chars), ("classifier", pipeline.named_steps["classifier"])])
    assert isinstance(old.named_steps["features"], TfidfVectorizer)
    texts = [document(t, f"{t}，第{i}次") for i in range(6) for code in ("CGJ", "ZJJ") for t in TEXTS[code]]
    labels = [code for _ in range(6) for code in ("CGJ", "ZJJ") for _ in TEXTS[code]]
    old.named_steps["classifier"].fit(chars.transform(texts), labels)
    probabilities = judge(Learned("old", old, 100), "路边小贩摆摊", "路边小贩摆摊占道").probabilities
    assert set(probabilities) == {"CGJ", "ZJJ"} and abs(sum(probabilities.values()) - 1) < 1e-9


def test_a_model_is_stored_in_single_precision_and_answers_after_loading_as_before():
    import io

    import joblib

    from routing.learned import Learned, judge, load
    from routing.models import RoutingModel
    from routing.training import stored_bytes

    codes = ["CGJ", "ZJJ", "SHJ"]
    cases = [PastCase(text, f"{text}，第{i}次", "", code) for code in codes for i in range(15) for text in TEXTS[code]]
    trained = fit(TrainingSet(cases))
    # Judged before it is stored: storing converts the weights there and back.
    before = judge(Learned.of("in memory", trained, len(cases)), "工地晚上施工", "工地晚上施工太吵")
    blob = stored_bytes(trained)

    def weights(pipeline):
        return pipeline.named_steps["classifier"].svm_.coef_

    assert weights(joblib.load(io.BytesIO(blob))["pipeline"]).dtype == np.float32  # half the bytes
    loaded = load(RoutingModel(version="stored-in-single", blob=blob, sample_count=len(cases), metrics={}))
    # Held in double (a demand's scores are summed in double), with the very values stored.
    assert weights(loaded.pipeline).dtype == weights(trained.pipeline).dtype == np.float64
    assert np.array_equal(weights(loaded.pipeline), weights(trained.pipeline))
    assert judge(loaded, "工地晚上施工", "工地晚上施工太吵") == before


@pytest.mark.parametrize("codes", [["CGJ", "ZJJ"], ["CGJ", "ZJJ", "SHJ", "JTJ"]], ids=["two classes", "four"])
def test_a_batch_is_judged_as_each_of_its_texts_alone_to_the_bit(codes):
    """The impact preview judges demands in batches: the same probabilities and the same nearest
    past cases as routing each alone."""
    from routing.learned import Learned, judge, judge_many

    rng = random.Random(0)
    cases = [
        PastCase(text, f"{text}，第{i}次", "", code, reference=f"H{i}")
        for code in codes
        for i in range(15)
        for text in TEXTS[code]
    ]
    model = Learned.of("test", fit(TrainingSet(cases)), len(cases))
    texts = [
        (t, f"{b}，{rng.choice(['请处理', '很久了'])}") for t in [*TEXTS["CGJ"], *TEXTS["ZJJ"]] for b in TEXTS["SHJ"]
    ]
    texts += [("", ""), ("无关", "天气很好")]
    if MESSAGES.exists():
        with MESSAGES.open(encoding="utf-8") as handle:
            texts += [(row["title"], row["body"]) for _, row in zip(range(200), csv.DictReader(handle), strict=False)]
    batch = judge_many(model, texts)
    alone = [judge(model, title, content) for title, content in texts]
    assert batch == alone  # dataclasses of floats and strings: equal to the bit
    assert any(j.neighbours for j in alone) and judge_many(model, []) == []


def test_a_model_stored_before_the_tempered_svm_still_loads_and_answers():
    # Models stored before TemperedSVC hold a three-fold sigmoid calibration; the newest 30 keep
    # their bytes, and an answer must still come from them as it did.
    import io

    import joblib
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    from routing.learned import build_pipeline, judge, load
    from routing.models import RoutingModel

    cases = [
        PastCase(t, f"{t}，第{i}次", "", code) for code in ("CGJ", "ZJJ", "SHJ") for i in range(6) for t in TEXTS[code]
    ]
    pipeline = build_pipeline()
    pipeline.steps[-1] = ("classifier", CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced", random_state=0),
                                                               method="sigmoid", cv=3, ensemble=False))  # fmt: skip
    pipeline.fit(TrainingSet(cases).documents, TrainingSet(cases).labels)
    buffer = io.BytesIO()
    joblib.dump({"pipeline": pipeline, "past_cases": None}, buffer)
    loaded = load(
        RoutingModel(version="stored-calibrated", blob=buffer.getvalue(), sample_count=len(cases), metrics={})
    )
    judgement = judge(loaded, "工地晚上施工", "工地晚上施工太吵")
    features = pipeline.named_steps["features"].transform([document("工地晚上施工", "工地晚上施工太吵")])
    assert judgement.probabilities == dict(
        zip(pipeline.classes_, pipeline.named_steps["classifier"].predict_proba(features)[0], strict=True)
    )
    assert max(judgement.probabilities, key=judgement.probabilities.get) == "ZJJ"
