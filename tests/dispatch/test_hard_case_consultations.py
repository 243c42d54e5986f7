"""Convening a hard case (疑难件会商): a dispatcher records who took part and what they decided; the
decision re-dispatches the case to the lead and assisting departments decided, and may propose the
list amendment that names the new lead."""

from __future__ import annotations

import pytest

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.workflow import Action, Status
from dispatch.assignment_workflow import AssignmentStatus
from dispatch.models import Assignment, AssignmentRole, HardCaseConsultation, Notification
from dispatch.services import assignment_sign, consultation_convene
from responsibility_lists.models import AmendmentKind, AmendmentProposal
from tests.citizens import STALL, VAGUE
from tests.staff import answered, logged_in, open_lead

DECISION = "会商认定占道经营由坪山街道牵头整治，城管局配合执法。"


@pytest.fixture
def in_hand(district, submit):
    """The stall case, signed for by the city management bureau (CGJ)."""
    demand = submit(**STALL).demand
    assignment_sign(assignment_id=open_lead(demand).pk, actor=district.users["cgj"])
    return demand


def _convene(district, demand, actor=None, **given):
    d = district.departments
    options = {
        "participant_ids": [d["CGJ"].pk, d["PSJD"].pk, d["ZJJ"].pk],
        "lead_id": d["PSJD"].pk,
        "assisting_ids": [d["CGJ"].pk],
        "decision": DECISION,
        **given,
    }
    return consultation_convene(demand_id=demand.pk, actor=actor or district.users["dispatcher"], **options)


def test_the_decision_re_dispatches_the_case_and_is_recorded(district, in_hand):
    d = district.departments
    before = open_lead(in_hand)
    consultation = _convene(district, in_hand)

    assert {p.code for p in consultation.participants.all()} == {"CGJ", "PSJD", "ZJJ"}
    assert consultation.lead == d["PSJD"] and list(consultation.assisting.all()) == [d["CGJ"]]
    assert consultation.proposal is None
    in_hand.refresh_from_db()
    assert in_hand.status == Status.DISPATCHED and in_hand.lead_department == d["PSJD"]
    before.refresh_from_db()
    assert not before.is_open  # the old lead's work is let go
    lead = open_lead(in_hand)
    assert lead.department == d["PSJD"] and lead.is_redispatch and lead.matter == before.matter
    assist = Assignment.objects.get(demand=in_hand, role=AssignmentRole.ASSIST, status=AssignmentStatus.PENDING_SIGN)
    assert assist.department == d["CGJ"]
    event = DemandEvent.objects.get(demand=in_hand, action=Action.CONVENE)
    assert event.reason == DECISION and event.department == d["PSJD"] and not event.is_public
    assert set(event.data["participants"]) == {d["CGJ"].name, d["PSJD"].name, d["ZJJ"].name}
    assert event.data["assisting"] == [d["CGJ"].name]
    # The new lead is told, through the dispatch's own notice.
    assert Notification.objects.filter(demand=in_hand, message__contains="（主办）").exists()


def test_a_case_waiting_in_triage_may_be_convened_too(district, submit):
    waiting = submit(**VAGUE).demand
    assert waiting.status == Status.TRIAGE
    _convene(district, waiting)
    waiting.refresh_from_db()
    assert waiting.status == Status.DISPATCHED and not open_lead(waiting).is_redispatch


def test_the_decision_may_propose_the_list_name_the_new_lead(district, in_hand):
    consultation = _convene(district, in_hand, propose_amendment=True)
    proposal = AmendmentProposal.objects.get()
    assert consultation.proposal == proposal
    assert proposal.kind == AmendmentKind.CHANGE_LEAD and proposal.department == district.departments["PSJD"]
    assert proposal.demand_id == in_hand.pk and in_hand.tracking_number in proposal.reason


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"decision": "改派街道"}, "会商意见"),
        ({"participant_ids": ["CGJ"]}, "至少两个参会部门"),
        ({"lead_id": "SHJ"}, "主办部门须是参会部门"),
        ({"assisting_ids": ["PSJD"]}, "主办部门不能同时协办"),
        ({"assisting_ids": ["SHJ"]}, "协办部门须是参会部门"),
    ],
)
def test_refusals_say_why_and_change_nothing(district, in_hand, given, refusal):
    d = district.departments
    resolved = {
        key: d[value].pk if key == "lead_id" else [d[v].pk for v in value] if key.endswith("_ids") else value
        for key, value in given.items()
    }
    with pytest.raises(ValidationFailed, match=refusal):
        _convene(district, in_hand, **resolved)
    assert not HardCaseConsultation.objects.exists()
    assert open_lead(in_hand).department == d["CGJ"]


def test_only_dispatchers_convene_and_not_on_an_answered_case(district, submit, in_hand):
    for name in ("cgj", "intake", "auditor", "maintainer"):
        with pytest.raises(NotAllowed, match="只有分拨员"):
            _convene(district, in_hand, actor=district.users[name])
    replied = answered(district, submit(**STALL).demand, by="cgj")
    with pytest.raises(IllegalTransition, match="疑难件会商"):
        _convene(district, replied)
    assert not HardCaseConsultation.objects.exists()


def test_from_the_case_page_and_the_api(district, in_hand, submit):
    d = district.departments
    number = in_hand.tracking_number
    dispatcher = logged_in(district.users["dispatcher"])
    page = dispatcher.get(f"/desk/demands/{number}/").content.decode()
    assert 'id="convene"' in page
    response = dispatcher.post(
        f"/desk/demands/{number}/convene/",
        {
            "participants": [d["CGJ"].pk, d["PSJD"].pk],
            "lead": d["PSJD"].pk,
            "assisting": [d["CGJ"].pk],
            "decision": DECISION,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已记录会商结果，并按会商意见重新派单。" in page
    shown = page[page.index('id="consultations"') :]
    assert DECISION in shown and d["PSJD"].name in shown
    in_hand.refresh_from_db()
    assert in_hand.lead_department == d["PSJD"]

    other = submit(**STALL).demand
    url = f"/api/v1/demands/{other.tracking_number}/convene/"
    body = {"participants": [d["CGJ"].pk, d["ZJJ"].pk], "lead": d["ZJJ"].pk, "decision": DECISION}
    made = dispatcher.post(url, body, content_type="application/json")
    assert made.status_code == 201 and made.json()["lead"] == d["ZJJ"].name and made.json()["assisting"] == []
    assert logged_in(district.users["cgj"]).post(url, body, content_type="application/json").status_code in (403, 404)
    wrong = dispatcher.post(url, {**body, "lead": d["SHJ"].pk}, content_type="application/json")
    assert wrong.status_code == 400
