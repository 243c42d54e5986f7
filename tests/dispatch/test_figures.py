from __future__ import annotations

from django.test import Client

from dispatch.audit_figures import AuditFilters, department_rows
from dispatch.figures import dispatch_figures, return_rates_by_matter
from dispatch.models import Assignment
from dispatch.services import assignment_reply, assignment_return, assignment_sign, return_rule

STALL = {"title": "路边有流动摊贩占道经营", "content": "坪山大道上每天傍晚都有小贩摆摊占道经营"}


def _answer(district, demand, user):
    lead = Assignment.objects.get(demand=demand, role="lead", status="pending_sign")
    assignment_sign(assignment_id=lead.pk, actor=district.users[user])
    assignment_reply(assignment_id=lead.pk, actor=district.users[user], body="已处理完毕并回访群众，群众认可。")


def test_first_dispatch_accuracy_second_dispatch_rate_and_return_rates(district, submit):
    right = submit(**STALL).demand
    _answer(district, right, "cgj")
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
    _answer(district, wrong, "psjd")
    submit(**STALL)  # dispatched, not answered yet

    figures = dispatch_figures()
    assert (figures.answered, figures.first_dispatch_right) == (2, 1)
    assert figures.first_dispatch_accuracy == 0.5
    assert (figures.dispatched, figures.redispatched) == (3, 1)
    by_department = {r.name: r for r in department_rows(AuditFilters.default())}
    cgj = by_department["坪山区城市管理和综合执法局"]
    assert (cgj.received, cgj.returns, cgj.upheld) == (3, 1, 1)
    assert by_department["坪山区坪山街道办事处"].redispatched == 1
    assert return_rates_by_matter()[0]["matter__code"] == "PS-0101-001"

    auditor = Client()
    auditor.force_login(district.users["auditor"])
    page = auditor.get("/audit/").content.decode()
    assert "首次分拨准确率" in page and "50%" in page
