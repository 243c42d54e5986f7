from __future__ import annotations

from assessment.dispatch_quality import dispatch_figures, first_dispatch_rows
from assessment.figures import AuditFilters, department_rows
from dispatch.models import Assignment
from dispatch.services import assignment_return, return_rule
from tests.citizens import STALL
from tests.staff import answered, logged_in


def test_first_dispatch_accuracy_second_dispatch_rate_and_return_rates(district, submit):
    right = submit(**STALL).demand
    answered(district, right, by="cgj")
    wrong = submit(**STALL).demand
    lead = Assignment.objects.get(demand=wrong, role="lead")
    request = assignment_return(
        assignment_id=lead.pk, actor=district.users["cgj"], reason_code="wrong_territory", reason="属于街道管理范围"
    )
    return_rule(
        return_id=request.pk,
        actor=district.users["dispatcher"],
        uphold=True,
        department_id=district.departments["PSJD"].pk,
        note="街道负责",
    )
    answered(district, wrong, by="psjd")
    submit(**STALL)  # dispatched, not answered yet

    figures = dispatch_figures()
    assert (figures.answered, figures.first_dispatch_right) == (2, 1)
    assert figures.first_dispatch_accuracy == 0.5
    assert (figures.dispatched, figures.redispatched) == (3, 1)
    # All three went out without a person; of the two answered, one stayed where it was sent.
    assert (figures.auto_dispatched, figures.auto_answered, figures.auto_right) == (3, 2, 1)
    assert figures.auto_precision == 0.5
    by_department = {r.name: r for r in department_rows(AuditFilters.default())}
    cgj = by_department["坪山区城市管理和综合执法局"]
    assert (cgj.received, cgj.returns, cgj.upheld) == (3, 1, 1)
    assert by_department["坪山区坪山街道办事处"].redispatched == 1

    # Per department and per matter of the first dispatch: all three went first to 城管 under the
    # stall matter; one of the two answered stayed there, one was returned and dispatched again.
    (first_department,) = first_dispatch_rows(AuditFilters.default(), by="department")
    assert first_department.name == "坪山区城市管理和综合执法局"
    (first_matter,) = first_dispatch_rows(None, by="matter")
    assert first_matter.name.startswith("PS-0101-001 ")
    for row in (first_department, first_matter):
        assert (row.dispatched, row.answered, row.first_dispatch_right, row.redispatched, row.returned) == (
            3,
            2,
            1,
            1,
            1,
        )
        assert (row.first_dispatch_accuracy, round(row.second_dispatch_rate, 3), round(row.return_rate, 3)) == (
            0.5,
            0.333,
            0.333,
        )
    # The street office that answered the returned one was never its first dispatch.
    assert district.departments["PSJD"].pk not in {r.key for r in first_dispatch_rows(None, by="department")}

    auditor = logged_in(district.users["auditor"])
    page = auditor.get("/audit/").content.decode()
    assert "首次分拨准确率" in page and "50%" in page
    assert '自动分拨准确率 <b id="auto-precision">50%</b>' in page
    assert "本期派出的 3 件诉求都由系统按置信度自动分拨" in page  # none was left for a person
    assert "尚无学习模型" in page and "此时置信度未经校准" in page
    quality = page[page.index('id="first-dispatch-by-department"') : page.index('id="first-dispatch-by-matter"')]
    assert '<th scope="row">坪山区城市管理和综合执法局</th><td>3</td><td>2</td>' in quality
    assert '50% <span class="muted">1/2</span>' in quality and '33% <span class="muted">1/3</span>' in quality
    assert "PS-0101-001" in page[page.index('id="first-dispatch-by-matter"') :]


def test_the_audit_page_shows_the_model_in_service_and_what_its_held_out_test_said(district):
    from routing.models import CategoryThreshold, HistoricalCase
    from routing.training import train_and_activate

    texts = {
        "CGJ": ["路边小贩摆摊占道", "夜市摊位占满马路", "商铺占道经营"],
        # Every construction case reads as the street office's below: the two cannot be told apart
        # (a model that tells apart the ones worded otherwise dispatches those, rightly).
        "ZJJ": ["工地夜里打桩噪音", "工地夜里打桩噪音", "工地夜里打桩噪音"],
        "SHJ": ["工厂排放废气刺鼻", "河边工厂偷排污水", "烧烤店油烟直排"],
    }
    for code, samples in texts.items():
        for i in range(15):
            HistoricalCase.objects.create(
                title=samples[i % 3], content=f"{samples[i % 3]}，第{i + 1}次", department=district.departments[code]
            )
    # One department whose cases read like another's: the held-out test cannot tell them apart.
    for i in range(10):
        HistoricalCase.objects.create(
            title="工地夜里打桩噪音", content=f"工地夜里打桩噪音，第{i + 1}次", department=district.departments["PSJD"]
        )
    CategoryThreshold.objects.create(category_name="住房建设", threshold=0.95)
    model = train_and_activate(assessed=True)
    held_out = model.metrics["held_out"]
    assert held_out["cases"] == 55 and held_out["folds"] == 5
    recall = {code: row["recall"] for code, row in held_out["by_department"].items()}
    assert recall["SHJ"] == recall["CGJ"] == 1.0
    weakest = min(recall, key=recall.get)
    assert weakest in ("ZJJ", "PSJD") and recall[weakest] < 0.8

    auditor = logged_in(district.users["auditor"])
    page = auditor.get("/audit/").content.decode()
    assert model.version in page and "尚无学习模型" not in page
    calibrated = "calibration" in model.metrics
    assert ("置信度按这次检验校准" in page) is calibrated and ("不足以校准置信度" in page) is not calibrated
    table = page[page.index('id="weakest-departments"') :]
    assert table.index(district.departments[weakest].name) < table.index(district.departments["SHJ"].name)
    # Construction noise went to two departments alike: no threshold kept nine in ten right.
    assert model.metrics["by_category"]["住房建设"] == {"cases": 25, "accuracy": 0.6, "suggested_threshold": None}
    advice = page[page.index('id="category-thresholds"') :]
    assert "<td>住房建设</td><td>25</td><td>60%</td>\n<td>1（一律人工）</td><td>0.95</td>" in advice
