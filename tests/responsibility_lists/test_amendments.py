"""Disputes feed the list: a ruling files a proposal, a maintainer accepts it into a draft (it
shows in the draft and in the diff) or declines it; hot spots and the impact preview show where
and what a revision changes."""

from __future__ import annotations

import pytest

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from dispatch.models import Assignment
from dispatch.services import assignment_return, return_rule
from responsibility_lists.amendments import amendment_accept, amendment_decline, amendment_file
from responsibility_lists.diff import diff_versions
from responsibility_lists.models import AmendmentProposal, EditAction, ListEdit, Matter
from responsibility_lists.services import matter_save, version_create_draft
from tests.staff import logged_in


def _returned_and_upheld(district, submit, propose=True):
    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    request = assignment_return(
        assignment_id=lead.pk, actor=district.users["cgj"], reason_code="not_ours", reason="属于街道巡查范围"
    )
    return_rule(
        return_id=request.pk, actor=district.users["dispatcher"], uphold=True,
        department_id=district.departments["PSJD"].pk, note="街道负责", propose_amendment=propose,
    )  # fmt: skip
    return demand


def test_ruling_files_a_proposal_accepted_into_the_draft_and_the_diff(district, submit):
    demand = _returned_and_upheld(district, submit)
    proposal = AmendmentProposal.objects.get()
    assert (proposal.matter_code, proposal.kind, proposal.department) == (
        "PS-0101-001",
        "change_lead",
        district.departments["PSJD"],
    )
    assert proposal.demand == demand
    draft = version_create_draft(actor=district.users["maintainer"])
    amendment_accept(proposal_id=proposal.pk, actor=district.users["maintainer"], draft_id=draft.pk)
    stall = Matter.objects.get(version=draft, code="PS-0101-001")
    assert stall.lead_department == district.departments["PSJD"]
    edit = ListEdit.objects.get(version=draft, action=EditAction.AMEND)
    assert f"#{proposal.pk}" in edit.note
    change = diff_versions(district.version, draft).changed[0]
    assert change.code == "PS-0101-001"
    assert {c.field: c.new for c in change.changes}["主责部门"] == "坪山区坪山街道办事处"
    with pytest.raises(IllegalTransition):
        amendment_accept(proposal_id=proposal.pk, actor=district.users["maintainer"], draft_id=draft.pk)


def test_keyword_and_limit_proposals(district):
    dispatcher, maintainer = district.users["dispatcher"], district.users["maintainer"]
    add = amendment_file(
        actor=dispatcher, version_id=district.version.pk, matter_code="PS-0101-001", kind="add_keyword",
        keyword="夜市", reason="群众常说夜市摆摊",
    )  # fmt: skip
    limit = amendment_file(
        actor=dispatcher, version_id=district.version.pk, matter_code="PS-0201-001", kind="change_limit",
        limit_field="handle_days_normal", limit_value=5, reason="夜间施工扰民需更快处理",
    )  # fmt: skip
    draft = version_create_draft(actor=maintainer)
    amendment_accept(proposal_id=add.pk, actor=maintainer, draft_id=draft.pk)
    amendment_accept(proposal_id=limit.pk, actor=maintainer, draft_id=draft.pk)
    assert "夜市" in Matter.objects.get(version=draft, code="PS-0101-001").keywords
    assert Matter.objects.get(version=draft, code="PS-0201-001").handle_days_normal == 5


def test_bad_proposals_are_refused(district):
    dispatcher = district.users["dispatcher"]
    base = {"actor": dispatcher, "version_id": district.version.pk, "reason": "理由写得足够长"}
    with pytest.raises(ValidationFailed):
        amendment_file(**base, matter_code="PS-9999-999", kind="add_keyword", keyword="x")
    with pytest.raises(ValidationFailed):
        amendment_file(**base, matter_code="PS-0101-001", kind="change_lead")
    with pytest.raises(ValidationFailed):
        amendment_file(**base, matter_code="PS-0101-001", kind="remove_keyword", keyword="不存在的词")
    with pytest.raises(NotAllowed):
        amendment_file(**{**base, "actor": district.users["cgj"]}, matter_code="PS-0101-001", kind="split")
    assert not AmendmentProposal.objects.exists()


def test_decline_needs_a_reason_and_changes_nothing(district):
    proposal = amendment_file(
        actor=district.users["dispatcher"], version_id=district.version.pk, matter_code="PS-0101-001",
        kind="add_keyword", keyword="夜市", reason="群众常说夜市摆摊",
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        amendment_decline(proposal_id=proposal.pk, actor=district.users["maintainer"], reason="")
    amendment_decline(proposal_id=proposal.pk, actor=district.users["maintainer"], reason="夜市另有专门事项")
    proposal.refresh_from_db()
    assert proposal.status == "declined" and proposal.decision_note == "夜市另有专门事项"


def test_pages_group_proposals_and_show_hotspots(district, submit):
    _returned_and_upheld(district, submit)
    _returned_and_upheld(district, submit)
    maintainer = logged_in(district.users["maintainer"])
    page = maintainer.get("/list/amendments/")
    groups = page.context["groups"]
    assert groups[0][0] == "PS-0101-001" and len(groups[0][1]) == 2
    hotspots = maintainer.get("/list/hotspots/").context["rows"]
    assert hotspots[0]["code"] == "PS-0101-001"
    assert (hotspots[0]["returns"], hotspots[0]["upheld"], hotspots[0]["redispatches"], hotspots[0]["proposals"]) == (
        2,
        2,
        2,
        2,
    )
    draft = version_create_draft(actor=district.users["maintainer"])
    proposal = groups[0][1][0]
    maintainer.post(f"/list/amendments/{proposal.pk}/decide/", {"decision": "accept", "draft": draft.pk})
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.applied_to == draft
    assert logged_in(district.users["cgj"]).get("/list/amendments/").status_code == 403


def test_impact_preview_shows_which_demands_would_move_and_why(district, submit, django_capture_on_commit_callbacks):
    submit()  # noise → 住建局
    submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营")
    maintainer = district.users["maintainer"]
    draft = version_create_draft(actor=maintainer)
    noise = Matter.objects.get(version=draft, code="PS-0201-001")
    matter_save(
        version_id=draft.pk, actor=maintainer, code=noise.code, category_id=noise.category_id,
        lead_department=district.departments["SHJ"], assisting_ids=[],
    )  # fmt: skip
    client = logged_in(maintainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/list/v{draft.number}/impact/", {"months": 1})
    page = client.get(f"/list/v{draft.number}/impact/?months=1")
    report = page.context["report"]
    assert report.total == 2
    assert [(r.before, r.after) for r in report.moved] == [("坪山区住房和建设局", "深圳市生态环境局坪山管理局")]
    assert "半夜施工" in page.content.decode().split('id="moved-demands"')[1]
