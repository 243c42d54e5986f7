"""The router: list evidence, the learned model, territory, and reproducibility."""

from __future__ import annotations

import csv
import dataclasses
import json

import pytest
from django.core.management import CommandError, call_command

from routing.history import title_column_in
from routing.models import HistoricalCase, RoutingModel
from routing.router import route
from routing.training import train_and_activate
from tests.routing_history import NOISE, past_cases


def test_same_inputs_and_versions_give_the_same_answer(district):
    past_cases(district)
    model = train_and_activate()
    first = route(**NOISE, version=district.version, model=model)
    second = route(**NOISE, version=district.version, model=model)
    assert first.candidates_as_json() == second.candidates_as_json()
    assert first.router_version == second.router_version and model.version in first.router_version
    retrained = train_and_activate()
    assert retrained.sha256 == model.sha256  # same history, same model bytes
    assert route(**NOISE, version=district.version, model=retrained).candidates_as_json() == first.candidates_as_json()


def test_the_model_finds_what_the_list_words_miss(district):
    text = {"title": "工厂排气味道刺鼻", "content": "隔壁工厂天天排放废气，味道很难闻。", "location_text": ""}
    assert route(**text, version=district.version, model=None).best is None  # no keyword of the list
    past_cases(district)
    model = train_and_activate()
    answer = route(**text, version=district.version, model=model)
    assert answer.best.department_id == district.departments["SHJ"].pk
    assert "相似历史诉求" in answer.best.reason


def test_a_calibrated_confidence_says_how_often_such_best_answers_were_right(district):
    from routing.learned import Calibration, load

    past_cases(district, n=20)
    for i in range(16):  # one kind of case that went to either department: held-out routing errs
        HistoricalCase.objects.create(
            title="楼道里贴满小广告", content=f"楼道墙上贴满开锁小广告，第{i + 1}次",
            department=district.departments["PSJD" if i % 2 else "CGJ"], location_text="六和城",
        )  # fmt: skip
    model = train_and_activate(assessed=True)
    calibration = Calibration.of(model.metrics)
    assert calibration is not None and model.metrics["calibration"]["cases"] == 76
    assert calibration.weights["score"] > 0  # a higher score was right more often
    held_out = model.metrics["held_out"]
    assert 0.5 < held_out["accuracy"] < 1 and held_out["by_department"]["SHJ"]["recall"] == 1.0

    calibrated = route(**NOISE, version=district.version, model=model)
    uncalibrated = dataclasses.replace(load(model), version="raw", calibration=None)
    raw = route(**NOISE, version=district.version, model=uncalibrated)
    # The same order; the best answer's confidence is the calibrated one, the others keep their share.
    assert [c.department_id for c in calibrated.candidates] == [c.department_id for c in raw.candidates]
    assert calibrated.best.confidence == pytest.approx(calibration(raw.evidence), abs=0.002)
    assert raw.evidence.score == pytest.approx(raw.best.confidence, abs=0.001)
    for mine, theirs in zip(calibrated.candidates[1:], raw.candidates[1:], strict=True):
        assert mine.confidence == pytest.approx(
            theirs.confidence * calibrated.best.confidence / raw.best.confidence, abs=0.002
        )


def test_without_a_list_the_score_is_the_models_probability_whatever_its_history(district):
    from routing.learned import judge, load

    past_cases(district)
    loaded = dataclasses.replace(load(train_and_activate()), calibration=None)
    probabilities = judge(loaded, NOISE["title"], NOISE["content"]).probabilities
    scores = [
        route(**NOISE, version=None, model=dataclasses.replace(loaded, sample_count=count)).evidence.score
        for count in (36, 3600)
    ]
    # Its calibration was fitted on held-out models that learned from less: the same probability
    # must read the same, or the confidence would depend on how much history the model had.
    assert scores == [pytest.approx(max(probabilities.values()))] * 2
    answer = route(**NOISE, version=None, model=loaded)
    assert answer.best.department_id == district.departments["ZJJ"].pk


def test_history_at_odds_with_the_list_gets_no_calibration(district):
    # The list is sure these are construction noise (住建), but they ended at the street office:
    # the surer the router, the more often wrong. Such a score cannot be read as a probability.
    past_cases(district, n=20)
    for i in range(12):
        HistoricalCase.objects.create(
            title="工地夜里打桩噪音扰民", content=f"工地夜里打桩，第{i + 1}次", department=district.departments["PSJD"]
        )
    model = train_and_activate(assessed=True)
    assert "held_out" in model.metrics and "calibration" not in model.metrics


def test_a_department_the_model_never_learned_is_judged_by_the_list_alone(district):
    past_cases(district, n=16, codes=("CGJ", "SHJ"))
    model = train_and_activate()
    assert "ZJJ" not in model.classes
    works = district.departments["ZJJ"].pk

    def confidence(answer) -> float:
        return next(c.confidence for c in answer.candidates if c.department_id == works)

    with_model = route(**NOISE, version=district.version, model=model)
    assert with_model.best.department_id == works
    assert confidence(with_model) == confidence(route(**NOISE, version=district.version, model=None))


def test_explanations_name_the_keywords_and_the_territory(district):
    answer = route(
        title="秀新村有人违建",
        content="有人私搭乱建三层铁皮房",
        location_text="坑梓秀新村",
        version=district.version,
        model=None,
    )
    assert answer.best.department_id == district.departments["KZJD"].pk
    assert "私搭乱建" in answer.best.reason and "秀新村" in answer.best.reason
    assert answer.location.community_id == district.communities["秀新社区"].pk


def test_a_title_column_is_found_by_its_name_unless_it_is_the_text():
    assert title_column_in(["留言编号", "留言主题", "留言详情", "一级标签"], besides="留言详情") == "留言主题"
    assert title_column_in(["id", "Title", "body"], besides="body") == "Title"
    assert title_column_in(["标题", "内容"], besides="标题") == ""
    assert title_column_in(["内容", "部门"], besides="内容") == ""


def test_too_little_history_trains_no_model(district):
    HistoricalCase.objects.create(content="一条", department=district.departments["CGJ"])
    assert train_and_activate() is None
    assert not RoutingModel.objects.exists()


def test_import_history_imports_all_or_nothing_and_trains(district, tmp_path, capsys):
    good = tmp_path / "history.csv"
    with good.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "标题", "内容", "承办部门", "时间"])
        for i in range(40):
            department = ["坪山区城市管理和综合执法局", "坪山区住房和建设局", "ZJJ", "SHJ"][i % 4]
            writer.writerow([f"H{i}", f"标题{i}", f"第{i}件历史诉求的内容", department, "2024-05-01 09:30"])
    call_command(
        "import_history", str(good), "--text-column", "内容", "--department-column", "承办部门",
        "--time-column", "时间", "--id-column", "编号",
    )  # fmt: skip
    assert HistoricalCase.objects.count() == 40
    # A column named as a title is read as one without being named: the model learns from it.
    assert HistoricalCase.objects.get(external_id="H7").title == "标题7"
    assert RoutingModel.objects.filter(is_active=True).count() == 1
    out = capsys.readouterr().out
    assert "Titles from column '标题'" in out
    # The district learns at once what history alone is worth, on cases the model had not seen.
    assert "On past cases it had not seen (5 folds): accuracy" in out
    assert RoutingModel.objects.get(is_active=True).metrics["held_out"]["cases"] == 40
    bad = tmp_path / "bad.csv"
    bad.write_text("内容,承办部门\n有内容,不存在的局\n,坪山区住房和建设局\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未导入任何历史案例"):
        call_command("import_history", str(bad), "--text-column", "内容", "--department-column", "承办部门")
    err = capsys.readouterr().err
    assert "第2行：承办部门「不存在的局」不存在" in err and "第3行：缺少内容" in err
    assert HistoricalCase.objects.count() == 40


@pytest.mark.django_db(transaction=True)
def test_evaluate_routing_works_in_a_throwaway_database(tmp_path):
    labelled = tmp_path / "labelled.csv"
    rows = [
        ("商铺占道经营堵住人行道", "坪山区城市管理和综合执法局"),
        ("工地半夜施工噪音", "坪山区住房和建设局"),
        ("老板三个月不发工资", "坪山区人力资源局"),
        ("小区停水没有通知", "某个不存在的部门"),
        ("楼道里到处贴小广告", "属地"),  # a 属地 matter with no place given: right, though not dispatchable
    ]
    with labelled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i in range(12):
            for text, label in rows:
                writer.writerow([f"{text}，第{i}次反映", label])
    predictions, figures = tmp_path / "predictions.csv", tmp_path / "figures.json"
    call_command(
        "evaluate_routing", str(labelled), "--text-column", "text", "--label-column", "label", "--zero-shot",
        "--predictions", str(predictions), "--json", str(figures),
    )  # fmt: skip
    result = json.loads(figures.read_text(encoding="utf-8"))
    assert result["rows"] == 60 and result["scored_rows"] == 48  # the unknown department is not scored
    assert result["accuracy"] == 1.0 and result["coverage_at_threshold"] <= 36 / 48
    # Per category of the answered matter, with what a per-category threshold could be.
    building = result["by_category"]["住房建设与工程质量"]
    assert building["rows"] == 12 and building["accuracy"] == 1.0
    assert 0 < building["threshold_for_precision_0.95"] <= 1
    # Per label, with what each was taken for when wrong.
    assert result["by_label"]["坪山区人力资源局"] == {
        "rows": 12, "recall": 1.0, "precision": 1.0, "most_often_taken_for": None,
    }  # fmt: skip
    with predictions.open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == 60 and lines[0]["row"] == "2"
    assert {"predicted_department", "matter_code", "confidence", "top3", "routing_ms"} <= set(lines[0])
    with pytest.raises(CommandError, match=r"No column 'content' .* its columns are: text, label"):
        call_command(
            "evaluate_routing", str(labelled), "--text-column", "content", "--label-column", "label", "--zero-shot"
        )
    # The configured database was not touched.
    from departments.models import Department

    assert not Department.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_evaluate_routing_learns_labels_from_elsewhere_from_history_alone(tmp_path, capfd):
    # Labels that are categories, not the sample district's departments: the sample list would
    # send every demand to a department no label names, so the folds are routed by history.
    labelled = tmp_path / "categories.csv"
    texts = {
        "城乡建设": ["工地半夜施工噪音扰民", "小区道路破损积水", "楼顶违章搭建铁皮房"],
        "劳动和社会保障": ["公司拖欠三个月工资", "社保断缴无法补缴", "退休金领取手续咨询"],
        "教育文体": ["孩子入学学位不够", "学校乱收补课费", "体育馆周末不开放"],
    }
    with labelled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "text", "category"])
        for i in range(20):
            for category, samples in texts.items():
                writer.writerow([samples[i % 3], f"{samples[i % 3]}，第{i + 1}次反映", category])
        # Real exports have holes: these cannot be learned from, and must not sink the folds.
        writer.writerow(["孩子入学学位不够", "", "教育文体"])
        writer.writerow(["公司拖欠三个月工资", "公司拖欠三个月工资，没人管", ""])
    figures = tmp_path / "figures.json"
    call_command(
        "evaluate_routing", str(labelled), "--text-column", "text", "--label-column", "category", "--folds", "3",
        "--json", str(figures),
    )  # fmt: skip
    out = capfd.readouterr().out  # the figures are printed by the evaluation's own process
    assert "Titles from column 'title'" in out
    result = json.loads(figures.read_text(encoding="utf-8"))
    assert result["list_used"] is False
    # A plain classifier on the same folds, printed beside the router's figures.
    assert "beside a plain baseline on the same folds" in out
    assert set(result["baseline"]) == {"accuracy", "macro_f1", "top3_accuracy"}
    assert f"accuracy  {result['accuracy']!s:>8}  {result['baseline']['accuracy']!s:>8}" in out
    assert result["rows"] == 62 and result["rows_without_text_or_label"] == 2
    assert result["scored_rows"] == 61  # the row without a label is routed, not scored
    assert result["accuracy"] >= 60 / 61 and result["top3_accuracy"] == 1.0
    assert result["precision_targets"]["0.9"]["coverage"] >= 60 / 61
    assert sum(row["rows"] for row in result["reliability"]) == 61
    # Per label: what a district reads to see which of its labels are confused; no answer names
    # a matter without the list, so there are no per-大类 figures to print.
    assert list(result["by_label"]) == ["教育文体", "劳动和社会保障", "城乡建设"]
    assert result["by_label"]["教育文体"]["rows"] == 21 and result["by_label"]["城乡建设"]["recall"] == 1.0
    assert "by_category" not in result


def test_a_category_can_ask_for_more_confidence_than_the_default(district, submit):
    from demands.workflow import Status
    from routing.models import CategoryThreshold
    from routing.thresholds import auto_dispatch_thresholds

    noise = {"title": "工地半夜施工噪音太大", "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡。"}
    stall = {"title": "路边有流动摊贩占道经营", "content": "坪山大道上每天傍晚都有小贩摆摊占道经营"}
    first = submit(**noise).demand
    assert first.status == Status.DISPATCHED
    CategoryThreshold.objects.create(category_name="住房建设", threshold=1.0, note="施工投诉一律人工核对")
    auto_dispatch_thresholds.clear()
    held = submit(**noise).demand
    assert held.status == Status.TRIAGE
    assert held.events.get(action="send_to_triage").data["threshold"] == 1.0
    # Another category keeps the district's default.
    assert submit(**stall).demand.status == Status.DISPATCHED


def test_what_the_model_learned_from_a_street_office_goes_to_the_street_of_the_demand(district):
    past_cases(district, n=12, codes=("CGJ", "SHJ"))
    for i in range(12):  # every past case of this kind happened in 坪山街道
        HistoricalCase.objects.create(
            title="楼道里被贴满小广告",
            content=f"楼道墙上贴满开锁小广告，第{i + 1}次了。",
            department=district.departments["PSJD"],
        )
    model = train_and_activate()
    text = {"title": "楼道里被贴满小广告", "content": "单元楼道墙上贴满了开锁小广告。"}
    in_kengzi = route(**text, location_text="坑梓街道", version=district.version, model=model)
    departments = [c.department_id for c in in_kengzi.candidates]
    assert in_kengzi.best.department_id == district.departments["KZJD"].pk
    assert district.departments["PSJD"].pk not in departments
    unplaced = route(**text, location_text="", version=district.version, model=model)
    assert district.departments["PSJD"].pk not in [c.department_id for c in unplaced.candidates]


def test_a_demand_routed_with_a_learned_model_keeps_its_routing_record(district, submit):
    # The record names the list router and the model ("list-bm25-4+m20261127…-1a2b3c4d"); on
    # PostgreSQL a column too short for that refused every demand once a model was active.
    from routing.models import RoutingResult

    past_cases(district)
    model = train_and_activate()
    demand = submit(title=NOISE["title"], content=NOISE["content"]).demand
    record = RoutingResult.objects.get(demand=demand)
    assert record.router_version.endswith(model.version)
    assert len(record.router_version) <= RoutingResult._meta.get_field("router_version").max_length


def test_a_department_of_two_past_cases_is_learned_but_judged_by_the_list_beside_it(district):
    past_cases(district, n=15, codes=("CGJ", "SHJ"))
    for i in range(2):
        HistoricalCase.objects.create(
            title="楼盘交房一再延期", content=f"开发商交房延期，第{i + 1}次", department=district.departments["ZJJ"]
        )
    model = train_and_activate()
    assert "ZJJ" in model.classes
    by_the_list = route(**NOISE, version=district.version, model=None).best
    answer = route(**NOISE, version=district.version, model=model).best
    # Its tiny probability does not damp what the list says of it: the list's answer stands whole.
    assert answer.department_id == district.departments["ZJJ"].pk
    assert answer.confidence == by_the_list.confidence
    # With history alone, the model knows it from those two cases.
    alone = route(title="楼盘交房延期", content="开发商交房一再延期", location_text="", version=None, model=model)
    assert alone.best.department_id == district.departments["ZJJ"].pk
