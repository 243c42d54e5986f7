"""A department whose return (退单) is upheld stops reading the case: not its pages, not the API,
not the next department's answer, not the citizen's details. While the ruling is pending, or
when the return is overruled, the case is still its own."""

from __future__ import annotations

from rest_framework.test import APIClient

from dispatch.services import assignment_reply, assignment_return, assignment_sign, return_rule
from dispatch.workbench_queries import INBOX_VIEWS
from tests.citizens import STALL
from tests.staff import latest_lead, logged_in

NEXT_ANSWER = "街道执法队已经清理摊点并加强巡查"


def _what_cgj_reads(district, demand, assignment) -> dict[str, tuple[int, str]]:
    page = logged_in(district.users["cgj"])
    api = APIClient()
    api.force_authenticate(district.users["cgj"])
    responses = {
        "workbench case": page.get(f"/workbench/{assignment.pk}/"),
        **{f"workbench {view}": page.get(f"/workbench/?view={view}") for view in INBOX_VIEWS},
        "api demand": api.get(f"/api/v1/demands/{demand.tracking_number}/"),
        "api demands": api.get("/api/v1/demands/"),
        "api assignments": api.get("/api/v1/assignments/?all=1"),
        "notifications": page.get("/notifications/"),
    }
    return {name: (r.status_code, r.content.decode()) for name, r in responses.items()}


def test_an_upheld_return_takes_the_case_away_from_the_returning_department(district, submit):
    demand = submit(**STALL, citizen_name="李秀英").demand
    returned = latest_lead(demand)
    request = assignment_return(
        assignment_id=returned.pk, actor=district.users["cgj"], reason_code="not_ours", reason="属于街道巡查范围"
    )
    # Pending: 城管 still follows the case it gave back.
    pending = _what_cgj_reads(district, demand, returned)
    assert pending["workbench case"][0] == 200
    assert pending["api demand"][0] == 200

    return_rule(
        return_id=request.pk,
        actor=district.users["dispatcher"],
        uphold=True,
        department_id=district.departments["PSJD"].pk,
        note="属街道巡查范围",
    )
    street = latest_lead(demand)
    assignment_sign(assignment_id=street.pk, actor=district.users["psjd"])
    assignment_reply(assignment_id=street.pk, actor=district.users["psjd"], body=NEXT_ANSWER)

    after = _what_cgj_reads(district, demand, returned)
    assert after["workbench case"][0] == 404
    assert after["api demand"][0] == 404
    for name, (status, body) in after.items():
        assert NEXT_ANSWER not in body, name
        assert STALL["title"] not in body and STALL["content"] not in body, name
        assert "李秀英" not in body and "李**" not in body and "李*英" not in body, name
        assert status in (200, 404), name
    # The notice of the dispatch it once had keeps its number, not the case's words.
    assert demand.tracking_number in after["notifications"][1]
    for view in INBOX_VIEWS:
        assert demand.tracking_number not in after[f"workbench {view}"][1], view
    assert demand.tracking_number not in after["api demands"][1]
    # The street office, which has the case now, reads it all.
    street_client = logged_in(district.users["psjd"])
    assert NEXT_ANSWER in street_client.get(f"/workbench/{street.pk}/").content.decode()


def test_an_overruled_return_leaves_the_case_with_the_department(district, submit):
    demand = submit(**STALL).demand
    returned = latest_lead(demand)
    request = assignment_return(
        assignment_id=returned.pk, actor=district.users["cgj"], reason_code="not_ours", reason="属于街道巡查范围"
    )
    return_rule(return_id=request.pk, actor=district.users["dispatcher"], uphold=False, note="清单明确由城管主责")
    again = latest_lead(demand)
    reads = _what_cgj_reads(district, demand, again)
    assert reads["workbench case"][0] == 200
    assert reads["api demand"][0] == 200
    assert demand.tracking_number in reads["workbench all"][1]
