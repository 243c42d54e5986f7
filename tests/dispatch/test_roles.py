"""Each role is kept out of what it may not do, at the service level (pages and API call these)."""

from __future__ import annotations

import pytest

from config.errors import NotAllowed
from demands.services import demand_submit
from dispatch.models import Assignment
from dispatch.selectors import demands_visible_to
from dispatch.services import (
    assignment_release,
    assignment_reply,
    assignment_return,
    assignment_sign,
    demand_dispatch,
    demand_merge,
    demand_reject,
    extension_decide,
    extension_request,
    return_rule,
)
from responsibility_lists.services import version_publish

NON_DISPATCHERS = ["intake", "auditor", "maintainer", "cgj", "zjj", "nobody"]


@pytest.mark.parametrize("who", NON_DISPATCHERS)
def test_only_dispatch_officers_dispatch_reject_merge_rule_and_decide(district, submit, who):
    user = district.users[who]
    demand = submit().demand
    other = submit().demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    assist = Assignment.objects.get(demand=demand, role="assist")
    calls = [
        lambda: demand_dispatch(demand_id=demand.pk, actor=user, department_id=district.departments["CGJ"].pk),
        lambda: demand_reject(demand_id=demand.pk, actor=user, reason="不属于受理范围的事项"),
        lambda: demand_merge(demand_id=other.pk, original_id=demand.pk, actor=user),
        lambda: return_rule(return_id=0, actor=user, uphold=False, note="裁定"),
        lambda: extension_decide(extension_id=0, actor=user, approve=True),
        lambda: assignment_release(assignment_id=assist.pk, actor=user, reason="不需要"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
    lead.refresh_from_db()
    assert lead.status == "pending_sign"


@pytest.mark.parametrize("who", ["dispatcher", "intake", "auditor", "cgj", "shj", "nobody"])
def test_only_the_assigned_department_signs_replies_returns_and_extends(district, submit, who):
    user = district.users[who]
    lead = Assignment.objects.get(demand=submit().demand, role="lead")  # 住建局's case
    calls = [
        lambda: assignment_sign(assignment_id=lead.pk, actor=user),
        lambda: assignment_reply(assignment_id=lead.pk, actor=user, body="已经处理完毕，谢谢反映。"),
        lambda: assignment_return(assignment_id=lead.pk, actor=user, reason_code="not_ours", reason="不是我们的职责"),
        lambda: extension_request(assignment_id=lead.pk, actor=user, extra_days=2, reason="需要更多时间"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()


def test_departments_see_only_their_own_demands(district, submit):
    noise = submit().demand
    stall = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    assert set(demands_visible_to(district.users["zjj"])) == {noise}
    assert set(demands_visible_to(district.users["shj"])) == {noise}  # assisting
    assert set(demands_visible_to(district.users["cgj"])) == {stall}
    assert set(demands_visible_to(district.users["kzjd"])) == set()
    assert set(demands_visible_to(district.users["nobody"])) == set()
    assert set(demands_visible_to(district.users["auditor"])) == {noise, stall}


def test_only_list_maintainers_publish(district):
    with pytest.raises(NotAllowed):
        version_publish(version_id=district.version.pk, actor=district.users["dispatcher"])


def test_citizens_cannot_claim_a_phone_channel(district):
    with pytest.raises(NotAllowed):
        demand_submit(
            title="来信", content="来信反映路灯问题", citizen_name="甲", citizen_phone="13800000000",
            channel="letter", entered_by=district.users["cgj"],
        )  # fmt: skip
