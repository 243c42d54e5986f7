"""The most similar past cases: found, explained, and weighed in the confidence."""

from __future__ import annotations

import dataclasses
import io

import joblib
import pytest
from django.utils import timezone, translation

from demands.models import Demand
from demands.workflow import Status
from routing import past_cases as past_cases_module
from routing.learned import Learned, PastCase, TrainingSet, fit, judge, load
from routing.models import HistoricalCase, RoutingModel
from routing.reasons import describe
from routing.router import route
from routing.training import train_and_activate, training_set
from tests.routing_history import NOISE, past_cases
from tests.staff import logged_in


def _training(texts_by_code: dict[str, list[str]], repeat: int = 12) -> TrainingSet:
    return TrainingSet(
        [
            PastCase(text, f"{text}，第{i}次", "", code)
            for code, texts in texts_by_code.items()
            for i in range(repeat)
            for text in texts
        ]
    )


def test_the_nearest_past_cases_are_the_most_alike_first_and_always_the_same():
    data = _training({
        "CGJ": ["路边小贩摆摊占道", "商铺占用人行道经营"],
        "ZJJ": ["工地夜间打桩噪音", "建筑工地渣土遍地"],
    })  # fmt: skip
    trained = fit(data)
    model = Learned.of("t", trained, len(data.cases))
    first = judge(model, "小贩摆摊占道", "路边小贩摆摊占道，人都走不过去")
    assert [n.department_code for n in first.neighbours] == ["CGJ"] * 10
    similarities = [n.similarity for n in first.neighbours]
    assert similarities == sorted(similarities, reverse=True) and 0 < similarities[0] <= 1.0001
    assert judge(model, "小贩摆摊占道", "路边小贩摆摊占道，人都走不过去") == first


def test_only_the_most_recent_past_cases_are_remembered(monkeypatch):
    monkeypatch.setattr(past_cases_module, "MAX_REMEMBERED", 24)
    data = _training({"CGJ": ["路边小贩摆摊占道"], "ZJJ": ["工地夜间打桩噪音"]}, repeat=20)
    trained = fit(data)
    assert trained.past_cases.postings.shape[1] == 24
    assert list(trained.past_cases.departments) == [case.department_code for case in data.cases[-24:]]


def test_the_explanation_counts_the_similar_past_cases_of_each_department(district):
    past_cases(district, n=12)
    model = train_and_activate()
    answer = route(**NOISE, version=district.version, model=model)
    assert answer.best.department_id == district.departments["ZJJ"].pk
    assert "最相近的10件历史诉求中10件由该部门办理" in answer.best.reason
    assert answer.evidence.neighbours_agree == 1.0 and answer.evidence.nearest_agrees == 1.0
    assert 0 < answer.evidence.nearest_similarity <= 1.0001


def test_a_model_stored_before_past_cases_were_indexed_still_routes(district):
    # Its blob is the bare pipeline and its calibration a slope on the score alone.
    past_cases(district, n=12)
    model = train_and_activate()
    pipeline = load(model).pipeline
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    old = RoutingModel.objects.create(
        version="m-before-past-cases", trained_at=model.trained_at, sample_count=model.sample_count,
        classes=model.classes, blob=buffer.getvalue(), sha256="-", is_active=False,
        metrics={"calibration": {"slope": 4.0, "intercept": -2.0, "cases": 60}},
    )  # fmt: skip
    answer = route(**NOISE, version=district.version, model=old)
    assert answer.best.department_id == district.departments["ZJJ"].pk
    assert "最相近" not in answer.best.reason and answer.evidence.neighbours_agree == 0.0
    assert answer.best.confidence == pytest.approx(
        1 / (1 + 2.718281828 ** -(4.0 * answer.evidence.score - 2.0)), abs=0.002
    )


def test_only_the_newest_models_keep_their_bytes(district, monkeypatch):
    from routing import training

    monkeypatch.setattr(training, "MODEL_BLOBS_KEPT", 2)
    past_cases(district, n=12)
    models = [train_and_activate(note=str(i)) for i in range(3)]
    kept = {m.version: bool(bytes(m.blob)) for m in RoutingModel.objects.all()}
    assert kept == {models[0].version: False, models[1].version: True, models[2].version: True}
    assert RoutingModel.objects.get(version=models[0].version).sha256 == models[0].sha256
    assert route(**NOISE, version=district.version).router_version.endswith(models[2].version)


def test_a_department_the_model_chose_does_not_take_a_loosely_matching_matter(district):
    # Food carts went to 城管 in the past. The list's best answer is a construction-noise matter
    # (the keyword 工地); it finds 城管's 占道经营查处 only by loose wording. Naming that matter
    # would bring its limits and assisting departments, so the 城管 suggestion names none.
    texts = ["流动售饭车管理混乱", "售饭车到处乱停卖盒饭", "盒饭车卫生状况堪忧"]
    for i in range(36):
        HistoricalCase.objects.create(
            title=texts[i % 3], content=f"{texts[i % 3]}，第{i}次", department=district.departments["CGJ"]
        )
        HistoricalCase.objects.create(
            title="工地夜里打桩噪音扰民", content=f"工地夜里打桩，第{i}次", department=district.departments["ZJJ"]
        )
    much_history = dataclasses.replace(load(train_and_activate()), sample_count=3000)
    answer = route(
        title="工地门口的流动售饭车", content="工地门口每天都有流动售饭车，管理混乱", location_text="",
        version=district.version, model=much_history,
    )  # fmt: skip
    cgj, zjj = answer.candidates[:2]
    assert cgj.department_id == district.departments["CGJ"].pk and cgj.matter_id is None
    assert "描述相近" not in cgj.reason and "最相近的10件历史诉求中10件" in cgj.reason
    assert zjj.matter_code == "PS-0201-001" and zjj.matched == ["工地"]  # a keyword hit keeps its matter


def _handled_as(district, matter_code: str, code: str, texts: list[str], other: tuple[str, str]) -> None:
    """36 past cases of `code` handled as the matter, beside 36 of another department's."""
    other_code, other_text = other
    for i in range(36):
        HistoricalCase.objects.create(
            title=texts[i % 3], content=f"{texts[i % 3]}，第{i}次", department=district.departments[code],
            matter_code=matter_code,
        )  # fmt: skip
        HistoricalCase.objects.create(
            title=other_text, content=f"{other_text}，第{i}次", department=district.departments[other_code]
        )


def _food_cart_history(district, matter_code: str) -> None:
    texts = ["流动售饭车管理混乱", "售饭车到处乱停卖盒饭", "盒饭车卫生状况堪忧"]
    _handled_as(district, matter_code, "CGJ", texts, ("ZJJ", "工地夜里打桩噪音扰民"))


FOOD_CART = {"title": "工地门口的流动售饭车", "content": "工地门口每天都有流动售饭车，管理混乱", "location_text": ""}


def test_a_suggestion_the_list_missed_takes_the_matter_its_past_cases_were_handled_as(district):
    # The list's words do not find 占道经营查处 for a food cart, but the past cases of 城管 like it
    # were handled as that matter: the suggestion brings it, with its limits and assistants.
    _food_cart_history(district, "PS-0101-001")
    much_history = dataclasses.replace(load(train_and_activate()), sample_count=3000)
    cgj = route(**FOOD_CART, version=district.version, model=much_history).candidates[0]
    assert cgj.department_id == district.departments["CGJ"].pk
    assert (cgj.matter_code, cgj.matter_name) == ("PS-0101-001", "占道经营查处")
    assert cgj.matter_id == district.version.matters.get(code="PS-0101-001").pk and cgj.matched == []
    assert "最相近的10件历史诉求中10件按事项「占道经营查处」办理" in cgj.reason
    with translation.override("en"):
        assert "10 of the 10 most similar past requests were handled as the matter “占道经营查处”" in describe(
            cgj.reasons
        )


def test_a_past_matter_led_by_another_department_or_gone_from_the_list_is_not_taken(district):
    # PS-0201-001 is 住建's in this list (the list changed since); XX-9999 is in no list any more.
    _food_cart_history(district, "PS-0201-001")
    much_history = dataclasses.replace(load(train_and_activate()), sample_count=3000)
    assert route(**FOOD_CART, version=district.version, model=much_history).candidates[0].matter_id is None
    HistoricalCase.objects.update(matter_code="XX-9999")
    much_history = dataclasses.replace(load(train_and_activate()), sample_count=3000)
    cgj = route(**FOOD_CART, version=district.version, model=much_history).candidates[0]
    assert cgj.department_id == district.departments["CGJ"].pk and cgj.matter_id is None
    assert "按事项" not in cgj.reason


def test_answered_demands_are_learned_with_the_matter_they_were_handled_as(district):
    matter = district.version.matters.get(code="PS-0101-001")
    common = {"query_code_hash": "x", "citizen_name": "甲", "citizen_phone": "1", "submitted_at": timezone.now()}
    Demand.objects.create(
        tracking_number="PS-20260101-000001", title="售饭车", content="售饭车占道", status=Status.CLOSED,
        lead_department=district.departments["CGJ"], matter=matter, **common,
    )  # fmt: skip
    Demand.objects.create(
        tracking_number="PS-20260101-000002", title="噪音", content="工地噪音", status=Status.REPLIED,
        lead_department=district.departments["ZJJ"], **common,
    )  # fmt: skip
    HistoricalCase.objects.create(
        title="旧案", content="旧案内容", department=district.departments["CGJ"], matter_code="PS-0101-001"
    )
    cases = training_set().cases
    assert [(c.title, c.department_code, c.matter_code) for c in cases] == [
        ("旧案", "CGJ", "PS-0101-001"), ("售饭车", "CGJ", "PS-0101-001"), ("噪音", "ZJJ", ""),
    ]  # fmt: skip


def test_past_cases_indexed_before_matters_were_remembered_name_no_matter():
    data = _training({"CGJ": ["路边小贩摆摊占道"], "ZJJ": ["工地夜间打桩噪音"]}, repeat=20)
    trained = fit(data)
    stored = joblib.load(io.BytesIO(_pickled(trained.past_cases)))
    object.__delattr__(stored, "matters")  # as unpickled from a model stored before
    model = Learned("old", trained.pipeline, len(data.cases), past_cases=stored)
    neighbours = judge(model, "小贩摆摊占道", "路边小贩摆摊占道").neighbours
    assert neighbours and {(n.department_code, n.matter_code) for n in neighbours} == {("CGJ", "")}


def _pickled(value: object) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(value, buffer)
    return buffer.getvalue()


def test_a_past_matter_is_not_taken_when_the_demand_names_one_of_its_exclusions(district):
    # PS-0201-001 (construction noise) excludes 装修: home renovation is another matter.
    drills = ["楼上电钻声音刺耳", "隔壁电钻声音一整天", "电钻声音吵得头疼"]
    _handled_as(district, "PS-0201-001", "ZJJ", drills, ("CGJ", "路边小贩摆摊"))
    model = dataclasses.replace(load(train_and_activate()), sample_count=3000)

    def best(title: str):
        return route(title=title, content=title, location_text="", version=district.version, model=model).best

    plain = best("楼上电钻声音刺耳，天天响")
    assert (plain.department_id, plain.matter_code) == (district.departments["ZJJ"].pk, "PS-0201-001")
    renovation = best("楼上装修电钻声音刺耳")
    assert renovation.department_id == district.departments["ZJJ"].pk and renovation.matter_id is None


def test_a_territorial_past_matter_goes_with_the_street_office_of_the_demands_place(district):
    # Rooftop sheds were handled by street offices as 违法建设查处, a 属地 matter: a new one
    # takes that matter, with the street office where it is, whichever office handled the past ones.
    sheds = ["楼顶搭了铁皮房", "天台上盖了铁皮屋", "顶楼铁皮棚越盖越大"]
    _handled_as(district, "PS-0101-002", "KZJD", sheds, ("CGJ", "路边小贩摆摊"))
    model = dataclasses.replace(load(train_and_activate()), sample_count=3000)
    best = route(
        title="楼顶铁皮房", content="楼顶有人搭铁皮房", location_text="坪山街道六和城", version=district.version,
        model=model,
    ).best  # fmt: skip
    assert (best.department_id, best.matter_code) == (district.departments["PSJD"].pk, "PS-0101-002")
    assert "属地事项" in best.reason and "按事项「违法建设查处」办理" in best.reason


def test_a_suggestion_shows_the_most_similar_past_cases_it_rests_on(district, submit):
    past_cases(district, n=12)
    answered = submit(**NOISE).demand  # answered here: it becomes a past case with its number
    Demand.objects.filter(pk=answered.pk).update(
        status=Status.CLOSED, lead_department=district.departments["ZJJ"], replied_at=timezone.now()
    )
    HistoricalCase.objects.filter(department=district.departments["ZJJ"]).update(external_id="OLD-7")
    model = train_and_activate()
    answer = route(**NOISE, version=district.version, model=model)
    shown = answer.best.similar_cases
    assert len(shown) == 2 and shown[0]["reference"] == answered.tracking_number  # the same words
    assert shown[0]["title"] == NOISE["title"] and shown[0]["similarity"] >= shown[1]["similarity"]
    assert shown[1]["reference"] == "OLD-7" and shown[1]["title"] in {
        "工地夜里打桩噪音扰民",
        "建筑工地晚上施工太吵",
        "工地渣土车夜间施工影响睡眠",
    }

    # The dispatch officer reads them beside the suggestion; a demand of this platform opens.
    demand = submit(**NOISE).demand
    desk = logged_in(district.users["dispatcher"])
    page = desk.get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    listed = page[page.index('class="similar-cases"') :][:800]
    assert f'<a href="/desk/demands/{answered.tracking_number}/">{answered.tracking_number}</a>' in listed
    assert "OLD-7" in listed and '<a href="/desk/demands/OLD-7/">' not in listed


def test_an_index_stored_before_titles_were_remembered_shows_no_cases(district):
    past_cases(district, n=12)
    learned_model = load(train_and_activate())
    old_index = dataclasses.replace(learned_model.past_cases, titles=None, references=None)
    old = dataclasses.replace(learned_model, past_cases=old_index)
    answer = route(**NOISE, version=district.version, model=old)
    assert answer.best.similar_cases == [] and "最相近的10件历史诉求中10件" in answer.best.reason


def test_titles_are_learned_on_their_own_and_the_past_cases_are_indexed_by_words_alone():
    data = _training({"CGJ": ["路边小贩摆摊占道"], "ZJJ": ["工地夜间打桩噪音"]}, repeat=20)
    trained = fit(data)
    parts = dict(trained.pipeline.named_steps["features"].parts)
    assert set(parts["title"].vocabulary_) <= {
        title[i : i + n]
        for title in ("路边小贩摆摊占道", "工地夜间打桩噪音")
        for n in (1, 2, 3)
        for i in range(len(title))
    }
    # The index holds the jieba words of each case, not its characters nor its title's.
    assert trained.past_cases.postings.shape[0] == len(parts["words"].vocabulary_)


def test_history_kept_without_titles_is_learned_from_its_texts():
    data = TrainingSet(
        [
            PastCase("", f"{text}，第{i}次", "", code)
            for code, text in (("CGJ", "路边小贩摆摊占道"), ("ZJJ", "工地夜间打桩噪音"))
            for i in range(20)
        ]
    )
    trained = fit(data)
    assert "title" not in dict(trained.pipeline.named_steps["features"].parts)
    judgement = judge(Learned.of("t", trained, len(data.cases)), "工地噪音", "工地夜间打桩噪音很大")
    assert max(judgement.probabilities, key=judgement.probabilities.get) == "ZJJ"
    assert judgement.neighbours[0].department_code == "ZJJ"
