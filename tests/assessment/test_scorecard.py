"""The scorecard of a list version, on two hand-built versions with demands under each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import resolve
from django.utils import timezone

from assessment.scorecard import ChangeKind, version_scorecard
from demands.models import Demand
from dispatch.models import Assignment, AssignmentRole
from dispatch.services import assignment_contribute, assignment_return, return_rule
from responsibility_lists.models import ListVersion, Matter
from responsibility_lists.services import matter_save, version_create_draft, version_publish
from tests.citizens import NOISE, STALL
from tests.staff import answered, latest_lead, logged_in

STALL_CODE, NOISE_CODE, BIKES_CODE = "PS-0101-001", "PS-0201-001", "PS-0101-009"


@dataclass
class TwoVersions:
    v1: ListVersion
    v2: ListVersion


def _returned(district, demand: Demand, *, uphold: bool, to: str = "PSJD") -> None:
    request = assignment_return(
        assignment_id=latest_lead(demand).pk, actor=district.users["cgj"], reason_code="not_ours", reason="不属本单位"
    )
    return_rule(
        return_id=request.pk,
        actor=district.users["dispatcher"],
        uphold=uphold,
        department_id=district.departments[to].pk if uphold else None,
        note="裁定意见",
    )


def _revise(district) -> ListVersion:
    """V2: the stall matter gets a keyword, the noise matter a shorter time limit, and a matter
    for shared bikes is new."""
    maintainer = district.users["maintainer"]
    draft = version_create_draft(actor=maintainer, based_on_id=district.version.pk, title="第二版")
    stall = Matter.objects.get(version=draft, code=STALL_CODE)
    matter_save(
        version_id=draft.pk, actor=maintainer, code=STALL_CODE, category_id=stall.category_id,
        keywords=[*stall.keywords, "占道卖菜"],
    )  # fmt: skip
    noise = Matter.objects.get(version=draft, code=NOISE_CODE)
    matter_save(
        version_id=draft.pk, actor=maintainer, code=NOISE_CODE, category_id=noise.category_id,
        assisting_ids=[district.departments["SHJ"].pk], handle_days_normal=Decimal(5),
    )  # fmt: skip
    matter_save(
        version_id=draft.pk, actor=maintainer, code=BIKES_CODE, category_id=stall.category_id, name="共享单车乱停放",
        keywords=["共享单车"], lead_department=district.departments["CGJ"],
        sign_hours_normal=Decimal(4), sign_hours_urgent=Decimal(2), sign_hours_critical=Decimal(1),
        handle_days_normal=Decimal(5), handle_days_urgent=Decimal(2), handle_days_critical=Decimal(1),
    )  # fmt: skip
    return version_publish(version_id=draft.pk, actor=maintainer)


@pytest.fixture
def two_versions(district, submit) -> TwoVersions:
    """Under V1: a stall case answered on time by 城管; a stall case 城管 returned, upheld and
    answered by the street; a noise case answered late.
    Under V2: a stall case answered on time; a stall case returned, overruled and now overdue at
    城管 again."""
    on_time = submit(**STALL).demand
    answered(district, on_time, by="cgj")
    moved = submit(**STALL).demand
    _returned(district, moved, uphold=True)
    answered(district, moved, by="psjd")
    late = submit(**NOISE).demand
    assist = Assignment.objects.get(demand=late, role=AssignmentRole.ASSIST)
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="夜间噪声监测结果超标。")
    Assignment.objects.filter(pk=latest_lead(late).pk).update(handle_deadline=timezone.now() - timedelta(minutes=5))
    answered(district, late, by="zjj")

    v2 = _revise(district)
    kept = submit(**STALL).demand
    answered(district, kept, by="cgj")
    overruled = submit(**STALL).demand
    _returned(district, overruled, uphold=False)
    Assignment.objects.filter(pk=latest_lead(overruled).pk).update(handle_deadline=timezone.now() - timedelta(hours=1))
    assert set(Demand.objects.values_list("list_version__number", flat=True)) == {1, 2}
    return TwoVersions(v1=district.version, v2=v2)


def test_each_figure_of_a_version_beside_the_previous_one(two_versions):
    card = version_scorecard(two_versions.v2)
    assert card.previous == two_versions.v1 and card.in_force_until is None
    v2, v1 = card.figures, card.previous_figures
    assert v1 is not None
    assert (v1.demands, v1.dispatched, v1.answered, v1.first_dispatch_right) == (3, 3, 3, 2)
    assert (v1.returned, v1.redispatched, v1.rulings, v1.upheld) == (1, 1, 1, 1)
    # The returned stall case's first lead assignment ended in the return and never fell due.
    assert (v1.due, v1.on_time) == (3, 2)
    assert round(v1.first_dispatch_accuracy, 3) == 0.667 and round(v1.return_rate, 3) == 0.333
    assert (v2.demands, v2.dispatched, v2.answered, v2.first_dispatch_right) == (2, 2, 1, 1)
    # Overruled: the case went back to 城管, no second dispatch, no ruling against the list.
    assert (v2.returned, v2.redispatched, v2.rulings, v2.upheld) == (1, 0, 1, 0)
    assert (v2.due, v2.on_time) == (2, 1)  # one answered on time, one open past its deadline
    assert (v2.return_rate, v2.second_dispatch_rate, v2.upheld_rate, v2.on_time_rate) == (0.5, 0.0, 0.0, 0.5)
    # V1 has been in force until V2 took over.
    assert version_scorecard(two_versions.v1).in_force_until == two_versions.v2.effective_from


def test_each_changed_matter_before_and_after(two_versions):
    rows = {row.code: row for row in version_scorecard(two_versions.v2).matters}
    assert set(rows) == {STALL_CODE, NOISE_CODE, BIKES_CODE}
    stall = rows[STALL_CODE]
    assert (stall.kind, stall.columns) == (ChangeKind.CHANGED, ["关键词"])
    assert stall.before is not None and stall.after is not None
    assert (stall.before.dispatched, stall.before.returned, stall.before.redispatched) == (2, 1, 1)
    assert (stall.after.dispatched, stall.after.returned, stall.after.redispatched) == (2, 1, 0)
    assert (stall.before.redispatch_rate, stall.after.redispatch_rate) == (0.5, 0.0)
    noise = rows[NOISE_CODE]
    assert noise.columns == ["办理时限"]
    # No noise case under V2 yet: nothing to divide by.
    assert noise.after is not None and (noise.after.dispatched, noise.after.return_rate) == (0, None)
    bikes = rows[BIKES_CODE]
    assert (bikes.kind, bikes.before) == (ChangeKind.ADDED, None)
    # The unchanged matter (illegal building) is not listed.
    assert "PS-0101-002" not in rows


def test_the_first_version_and_a_version_with_no_demands(two_versions, district):
    first = version_scorecard(two_versions.v1)
    assert first.previous is None and first.previous_figures is None and first.matters == []
    maintainer = district.users["maintainer"]
    draft = version_create_draft(actor=maintainer, based_on_id=two_versions.v2.pk, title="第三版")
    empty = version_scorecard(version_publish(version_id=draft.pk, actor=maintainer))
    figures = empty.figures
    assert (figures.demands, figures.dispatched, figures.due) == (0, 0, 0)
    assert (figures.first_dispatch_accuracy, figures.return_rate, figures.on_time_rate) == (None, None, None)
    assert empty.previous == two_versions.v2 and empty.matters == []
    # A removed matter has no "after".
    draft = version_create_draft(actor=maintainer, title="第四版")
    Matter.objects.filter(version=draft, code=BIKES_CODE).delete()
    (removed,) = version_scorecard(draft).matters
    assert (removed.code, removed.kind, removed.after) == (BIKES_CODE, ChangeKind.REMOVED, None)


def test_the_page_writes_each_definition_next_to_its_figure(two_versions, district):
    assert resolve("/list/v2/scorecard/").url_name == "list-version-scorecard"
    page = logged_in(district.users["maintainer"]).get("/list/v2/scorecard/").content.decode()
    figures = page[page.index('id="scorecard-figures"') : page.index('id="changed-matters"')]
    assert '<th scope="col">V2</th>' in figures and "V1" in figures
    second = figures[figures.index('id="row-second-dispatch"') :]
    second = second[: second.index("</tr>")]
    assert '0% <span class="muted">0/2</span>' in second and '33% <span class="muted">1/3</span>' in second
    assert "退单成立后再次分拨给其他部门的比例" in second
    assert "已到期的" in figures and "由第一次派给的主办部门答复的比例" in figures
    matters = page[page.index('id="scorecard-matters"') :]
    assert "PS-0101-009 共享单车乱停放" in matters and "新增事项" in matters and "不在上一版本" in matters
    assert "关键词" in matters and "办理时限" in matters
    # The version page and the audit page link to it.
    version_page = logged_in(district.users["maintainer"]).get("/list/v2/").content.decode()
    assert 'href="/list/v2/scorecard/"' in version_page
    audit_page = logged_in(district.users["auditor"]).get("/audit/").content.decode()
    assert 'href="/list/v1/scorecard/"' in audit_page and 'href="/list/v2/scorecard/"' in audit_page


def test_the_first_version_and_a_draft_on_the_page(two_versions, district):
    client = logged_in(district.users["auditor"])
    first = client.get("/list/v1/scorecard/").content.decode()
    assert 'id="no-previous"' in first and 'id="scorecard-matters"' not in first
    draft = version_create_draft(actor=district.users["maintainer"], title="草稿")
    page = client.get(f"/list/v{draft.number}/scorecard/").content.decode()
    assert 'id="draft-note"' in page and "尚未发布" in page
    assert client.get("/list/v99/scorecard/").status_code == 404


def test_the_api_gives_the_same_figures(two_versions, district):
    client = logged_in(district.users["auditor"])
    body = client.get("/api/v1/assessment/versions/2/scorecard/").json()
    assert (body["version"], body["previous_version"], body["status"]) == (2, 1, "published")
    assert body["figures"]["dispatched"] == 2 and body["figures"]["on_time_rate"] == 0.5
    assert body["previous_figures"]["upheld"] == 1 and body["previous_figures"]["upheld_rate"] == 1.0
    by_code = {m["code"]: m for m in body["matters"]}
    assert by_code[BIKES_CODE]["before"] is None and by_code[BIKES_CODE]["kind"] == "added"
    assert by_code[STALL_CODE]["before"]["redispatch_rate"] == 0.5
    first = client.get("/api/v1/assessment/versions/1/scorecard/").json()
    assert first["previous_version"] is None and first["previous_figures"] is None and first["matters"] == []
    refused = logged_in(district.users["cgj"]).get("/api/v1/assessment/versions/2/scorecard/")
    assert refused.status_code == 403
