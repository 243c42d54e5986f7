"""The plain baseline the router is measured beside, and the router never below it."""

from __future__ import annotations

import random

from routing.evaluation import evaluate_folds, plain_baseline

# Another city's history, in traditional Chinese: departments the sample district does not have
# (so the router learns from history alone), four of them common and six with three past cases
# each, as a real city's list of departments has.
COMMON = {
    "住房和建設局": ["工地半夜施工噪音擾民", "建築工地晚上打樁太吵", "工地渣土車夜間運輸撒落"],
    "交通運輸局": ["公交車班次太少等很久", "公交站台被拆沒地方等車", "計程車拒載還繞路"],
    "教育局": ["孩子入學學位不夠", "學校亂收補課費", "幼兒園收費太高"],
    "人力資源局": ["公司拖欠三個月工資", "工廠不簽勞動合同", "辭職後老闆扣押工資"],
}
RARE = {
    "稅務局": ["商家結賬拒絕開發票", "開發票要另加稅點", "餐廳說發票用完了不給開"],
    "信訪局": ["上次信訪件一直沒有答覆", "信訪事項超期未辦結", "信訪答覆意見不服想複查"],
    "科技創新局": ["高新技術企業認定補貼", "科技型企業研發補助申請", "高新技術企業補貼何時發放"],
    "退役軍人事務局": ["退伍軍人優待證辦理", "退伍軍人安置待遇", "退伍軍人優待證在哪裡領"],
    "殘疾人聯合會": ["殘疾證辦理進度", "殘疾人輔具申領流程", "殘疾證年審怎麼辦"],
    "消防救援大隊": ["樓道堆放雜物堵塞消防通道", "消防栓被圈在店裡", "消防通道被汽車佔用"],
}
SAYINGS = ["已經很久了", "請盡快處理", "嚴重影響生活", "多次反映無果", "希望有人管一管"]


def _labelled_rows() -> list[dict]:
    rng = random.Random(0)
    rows = []
    for department, titles in COMMON.items():
        for i in range(15):
            title = titles[i % 3]
            rows.append({"title": title, "text": f"{title}，{rng.choice(SAYINGS)}，第{i + 1}次", "label": department})
    for department, titles in RARE.items():
        for title in titles:
            rows.append({"title": title, "text": f"{title}，{rng.choice(SAYINGS)}", "label": department})
    rng.shuffle(rows)
    return rows


def test_the_plain_baseline_ranks_the_labels_of_its_training_rows():
    training = [{"t": "工地半夜施工噪音", "d": "住建"}, {"t": "老闆拖欠工資", "d": "人社"}] * 3
    held_out = [(7, {"t": "半夜施工太吵"}), (8, {"t": "拖欠工資不發"})]
    guesses = plain_baseline(training, held_out, text="t", title="", label="d")
    assert guesses[7].department == "住建" and guesses[8].department == "人社"
    assert guesses[7].top3 == ["住建", "人社"]  # two classes: both, best first
    # One label in the training rows: it is the only answer there is.
    only = plain_baseline(training[:1], held_out, text="t", title="", label="d")
    assert only[8].department == "住建" and only[8].top3 == ["住建"]


def test_the_router_is_not_below_the_plain_baseline_with_rare_departments(db):
    report = evaluate_folds(
        _labelled_rows(), folds=5, text="text", title="title", location="", label="label", threshold=0.8
    )
    figures = report.figures()
    assert figures["list_used"] is False and figures["scored_rows"] == 78
    baseline = figures["baseline"]
    # The plain baseline learns a department from two past cases, and answers most rare rows.
    assert baseline["accuracy"] >= 0.9
    assert figures["accuracy"] >= baseline["accuracy"]
    assert figures["macro_f1"] >= baseline["macro_f1"]
    assert figures["top3_accuracy"] >= baseline["top3_accuracy"]
    # A department with three past cases is found: each of its rows is held out with at most two
    # others of its own to learn from (the old router learned none from fewer than three).
    for department in RARE:
        assert figures["by_label"][department]["recall"] >= 2 / 3, department
