from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from config.errors import IllegalTransition
from demands.models import Demand
from demands.services import demand_rate
from demands.workflow import Status
from dispatch.duplicates import similarity
from dispatch.models import Assignment, DuplicateSuggestion
from dispatch.services import assignment_contribute, assignment_reply, assignment_sign
from dispatch.services.duplicates import duplicate_group_decide
from tests.citizens import citizen_of
from tests.staff import logged_in


def test_similar_demand_from_the_same_place_is_suggested_and_merged(district, submit):
    first = submit().demand
    second = submit(
        title="六和城工地半夜施工噪音大", content="六和城旁边工地每天半夜施工打桩，吵得无法入睡，希望处理。"
    ).demand
    elsewhere = submit(location_text="坑梓秀新村", citizen_phone="13900001111").demand  # another caller
    suggestion = DuplicateSuggestion.objects.get()
    assert (suggestion.demand, suggestion.original) == (second, first)
    assert not DuplicateSuggestion.objects.filter(demand=elsewhere).exists()

    desk = logged_in(district.users["dispatcher"])
    assert second.tracking_number in desk.get("/desk/?queue=duplicates").content.decode()
    decided = desk.post(
        "/desk/duplicates/decide/",
        {"original": first.pk, "shown": [second.pk], "merge": [second.pk], "decision": "merge"},
        follow=True,
    )
    assert f"已把 1 件合并到 {first.tracking_number}。它们是同一位群众的重复反映" in decided.content.decode()
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.duplicate_of == first
    # The score that suggested it is on record for the centre; the citizen reads why, not a score.
    merge = second.events.get(action="merge")
    assert merge.data["similarity"] == round(suggestion.similarity, 4) and "%" not in merge.reason
    assert merge.reason == f"与 {first.tracking_number} 重复，合并办理。"
    # Its citizen is given the original's department and time limit, not its own let-go ones.
    first.refresh_from_db()
    Demand.objects.filter(pk=second.pk).update(due_at=first.due_at + timedelta(days=9))
    tracking = citizen_of(second).get(f"/track/{second.tracking_number}/").content.decode()
    assert f"{timezone.localtime(first.due_at):%Y-%m-%d %H:%M}" in tracking
    assert f"{timezone.localtime(first.due_at + timedelta(days=9)):%Y-%m-%d %H:%M}" not in tracking

    # Whoever handles the original sees that its answer reaches the merged demand's citizen too,
    # and the merged demand's page leads to the original.
    lead = Assignment.objects.get(demand=first, role="lead")
    zjj = logged_in(district.users["zjj"])
    handled = zjj.get(f"/workbench/{lead.pk}/").content.decode()
    merged_from = handled[handled.index('id="merged-from"') :][:300]
    assert "1 件重复诉求" in merged_from and second.tracking_number in merged_from
    assert f"/desk/demands/{second.tracking_number}/" not in merged_from  # a department has no desk
    original_page = desk.get(f"/desk/demands/{first.tracking_number}/").content.decode()
    assert f'<a href="/desk/demands/{second.tracking_number}/" class="number">' in original_page
    merged_page = desk.get(f"/desk/demands/{second.tracking_number}/").content.decode()
    merged_into = merged_page[merged_page.index('id="merged-into"') :]
    assert f'<a href="/desk/demands/{first.tracking_number}/" class="number">' in merged_into

    # The original is answered: the merged demand's citizen sees the same answer.
    assist = Assignment.objects.get(demand=first, role="assist")
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工并处罚款。")
    page = citizen_of(second).get(f"/track/{second.tracking_number}/").content.decode()
    assert "已责令工地停止夜间施工" in page and first.tracking_number in page
    assert "相似度" not in page and f"{suggestion.similarity:.0%}" not in page


def test_dismissed_suggestion_changes_nothing(district, submit):
    submit()
    second = submit(content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理！").demand
    suggestion = DuplicateSuggestion.objects.get()
    desk = logged_in(district.users["dispatcher"])
    desk.post(
        "/desk/duplicates/decide/",
        {"original": suggestion.original_id, "shown": [second.pk], "merge": [second.pk], "decision": "dismiss"},
    )
    suggestion.refresh_from_db()
    second.refresh_from_db()
    assert suggestion.status == "dismissed" and second.status == Status.DISPATCHED


def test_similarity():
    assert similarity("工地半夜施工噪音", "工地半夜施工噪音") > 0.999
    assert similarity("工地半夜施工噪音", "小区停水没有通知") < 0.1


def test_a_merged_demands_citizen_rates_the_shared_answer_once_and_the_department_is_judged_by_it(district, submit):
    from assessment.figures import AuditFilters, department_rows
    from dispatch.workbench_queries import department_summary

    first = submit().demand
    second = submit(title="六和城工地半夜施工噪音大", content="六和城旁边工地每天半夜施工打桩，吵得无法入睡。").demand
    duplicate_group_decide(
        actor=district.users["dispatcher"], original_id=first.pk, merge_ids=[second.pk], dismiss_ids=[]
    )
    merged_citizen = citizen_of(second)
    rate_form = f'action="/track/{second.tracking_number}/rate/"'

    # Nothing to rate before the shared answer is given.
    assert rate_form not in merged_citizen.get(f"/track/{second.tracking_number}/").content.decode()
    with pytest.raises(IllegalTransition, match="答复后才能评价"):
        demand_rate(demand=second, rating=5)

    lead = Assignment.objects.get(demand=first, role="lead")
    zjj = district.users["zjj"]
    assignment_sign(assignment_id=lead.pk, actor=zjj)
    assist = Assignment.objects.get(demand=first, role="assist")
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
    assignment_reply(assignment_id=lead.pk, actor=zjj, body="已责令工地停止夜间施工并处罚款。")

    page = merged_citizen.get(f"/track/{second.tracking_number}/").content.decode()
    assert rate_form in page and "要求重办" not in page  # redoing is the original citizen's call
    answer = merged_citizen.post(f"/track/{second.tracking_number}/rate/", {"rating": "2", "comment": "还是很吵"})
    assert answer.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.rating, second.rating_comment) == (Status.MERGED, 2, "还是很吵")
    assert second.events.filter(action="rate", to_status=Status.MERGED).count() == 1
    page = merged_citizen.get(f"/track/{second.tracking_number}/").content.decode()
    assert rate_form not in page and "（2/5）" in page
    with pytest.raises(IllegalTransition, match="已评价过"):
        demand_rate(demand=second, rating=5)

    # The original's citizen rates too; the department's figures count both citizens.
    demand_rate(demand=first, rating=5)
    assert department_summary(zjj).average_rating == 3.5
    rows = {r.name: r for r in department_rows(AuditFilters.default())}
    assert rows[lead.department.name].rating == 3.5
    assert rows[assist.department.name].rating is None  # it assisted: the answer was not its own


def test_a_chain_of_merges_counts_every_citizens_rating_for_the_department_that_answered(district, submit):
    from assessment.figures import AuditFilters, department_rows
    from demands.merges import merged_into_q
    from demands.models import Demand
    from dispatch.services.closing import demand_merge

    first, second, third = (submit(title=f"工地半夜施工噪音{i}").demand for i in range(3))
    dispatcher = district.users["dispatcher"]
    demand_merge(demand_id=first.pk, original_id=second.pk, actor=dispatcher)
    demand_merge(demand_id=second.pk, original_id=third.pk, actor=dispatcher)  # first → second → third
    assert set(Demand.objects.filter(merged_into_q(third.pk))) == {first, second}
    lead = Assignment.objects.get(demand=third, role="lead")
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    for assist in Assignment.objects.filter(demand=third, role="assist"):
        assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工。")
    for demand, rating in ((first, 1), (second, 2), (third, 5)):
        demand_rate(demand=demand, rating=rating)
    assert {r.name: r for r in department_rows(AuditFilters.default())}[lead.department.name].rating == 8 / 3


def _answer(district, demand) -> Assignment:
    from dispatch.models import OPEN_ASSIGNMENT_STATUSES

    lead = Assignment.objects.get(demand=demand, role="lead", status__in=OPEN_ASSIGNMENT_STATUSES)
    if lead.status == "pending_sign":
        assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    for assist in Assignment.objects.filter(demand=demand, role="assist", status__in=OPEN_ASSIGNMENT_STATUSES):
        assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工并处罚款。")
    return lead


def _ratings(district) -> tuple[float | None, float | None]:
    from assessment.figures import AuditFilters, department_rows
    from dispatch.workbench_queries import department_summary

    zjj = district.departments["ZJJ"]
    row = {r.name: r for r in department_rows(AuditFilters.default())}[zjj.name]
    return row.rating, department_summary(district.users["zjj"]).average_rating


def test_each_rating_counts_once_for_the_answer_it_was_given_to(district, submit):
    from demands.models import Demand
    from dispatch.services.closing import demand_merge, demand_reopen

    # Answered, redo asked for with a rating of that answer, then merged into another demand.
    redone = submit(title="工地半夜施工噪音A").demand
    _answer(district, redone)
    demand_reopen(demand=Demand.objects.get(pk=redone.pk), reason="还是很吵，没有解决", rating=1)
    original = submit(title="工地半夜施工噪音B").demand
    demand_merge(demand_id=redone.pk, original_id=original.pk, actor=district.users["dispatcher"])
    _answer(district, original)
    # The rating from before the merge was of the first answer: it counts once, and the citizen
    # may still rate the answer they now share.
    demand_rate(demand=Demand.objects.get(pk=original.pk), rating=5)
    assert _ratings(district) == (3.0, 3.0)
    demand_rate(demand=Demand.objects.get(pk=redone.pk), rating=2)
    assert _ratings(district) == (3.5, 3.5)  # now a rating of the shared answer instead


def test_a_redone_original_counts_its_ratings_once_for_the_latest_answer(district, submit):
    from demands.models import Demand
    from dispatch.services.closing import demand_merge, demand_reopen

    merged = submit(title="工地半夜施工噪音A").demand
    original = submit(title="工地半夜施工噪音B").demand
    demand_merge(demand_id=merged.pk, original_id=original.pk, actor=district.users["dispatcher"])
    _answer(district, original)
    demand_rate(demand=Demand.objects.get(pk=merged.pk), rating=1)
    demand_reopen(demand=Demand.objects.get(pk=original.pk), reason="夜间还在施工，没有解决")
    _answer(district, original)  # two answers by the department now
    demand_rate(demand=Demand.objects.get(pk=original.pk), rating=5)
    assert _ratings(district) == (3.0, 3.0)


def _desk(district) -> Client:
    return logged_in(district.users["dispatcher"])


def _group_form(page: str, original: Demand) -> str:
    start = page.index(f'id="group-{original.tracking_number}"')
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_one_callers_six_reports_are_one_group_merged_in_one_action(district, submit):
    reports = [submit().demand for _ in range(6)]
    neighbour = submit(citizen_phone="13900001111", title="六和城工地半夜施工噪音大").demand
    assert DuplicateSuggestion.objects.count() == 15 + 6  # every pair, as the finder records them
    desk = _desk(district)
    page = desk.get("/desk/?queue=duplicates").content.decode()
    assert 'id="count-duplicates">1<' in page  # one item to decide, not 21
    row = _group_form(page, reports[0])
    assert all(row.count(d.tracking_number) >= 1 for d in [*reports, neighbour])
    assert row.count('name="merge"') == 6 and "同一来电人" in row
    assert page.count("<tr data-row") == 1

    # Merged at once, the neighbour's report with them: two callers will hear the one answer.
    everyone = [d.pk for d in [*reports[1:], neighbour]]
    answer = desk.post(
        "/desk/duplicates/decide/",
        {
            "original": reports[0].pk,
            "shown": everyone,
            "merge": everyone,
            "decision": "merge",
            "next": "/desk/?queue=duplicates",
        },
        follow=True,
    )
    page = answer.content.decode()
    assert f"已把 6 件合并到 {reports[0].tracking_number}，答复将告知这 2 位群众。" in page
    assert 'id="count-duplicates">0<' in page and "没有疑似重复的诉求" in page
    assert set(Demand.objects.filter(pk__in=everyone).values_list("status", "duplicate_of", flat=False)) == {
        (Status.MERGED, reports[0].pk)
    }
    # Twelve assignments to sign become the kept demand's own two.
    open_work = Assignment.objects.filter(status__in=["pending_sign", "in_progress"])
    assert set(open_work.values_list("demand", flat=True)) == {reports[0].pk}
    assert not DuplicateSuggestion.objects.filter(status="pending").exists()


def test_left_unticked_is_not_a_duplicate_and_stays_open(district, submit):
    first, second, third = (submit().demand for _ in range(3))
    duplicate_group_decide(
        actor=district.users["dispatcher"], original_id=first.pk, merge_ids=[second.pk], dismiss_ids=[third.pk]
    )
    third.refresh_from_db()
    assert third.status == Status.DISPATCHED and third.duplicate_of is None
    assert set(DuplicateSuggestion.objects.values_list("demand", "original", "status")) == {
        (second.pk, first.pk, "merged"),
        (third.pk, first.pk, "dismissed"),
        (third.pk, second.pk, "dismissed"),
    }


def test_a_group_changed_since_it_was_shown_is_refused_whole(district, submit):
    first, second, third = (submit().demand for _ in range(3))
    dispatcher = district.users["dispatcher"]
    # Someone else merged the second meanwhile, from the demand's page.
    from dispatch.services.closing import demand_merge

    demand_merge(demand_id=second.pk, original_id=first.pk, actor=dispatcher)
    # The merge decided the suggestions the second was in: the pair it was merged by, and the one
    # tying the third to it (the third is still offered against the first).
    assert DuplicateSuggestion.objects.get(demand=second, original=first).status == "merged"
    with pytest.raises(IllegalTransition, match="请刷新"):
        duplicate_group_decide(actor=dispatcher, original_id=first.pk, merge_ids=[second.pk, third.pk], dismiss_ids=[])
    third.refresh_from_db()
    assert third.status == Status.DISPATCHED
    pending = DuplicateSuggestion.objects.filter(demand=third, status="pending")
    assert [s.original for s in pending] == [first]


def test_a_demand_tied_in_after_the_group_was_shown_is_offered_against_the_one_kept(district, submit):
    first, second = (submit().demand for _ in range(2))
    late = submit(citizen_phone="13900001111", location_text="坑梓秀新村").demand  # another place and caller
    DuplicateSuggestion.objects.create(demand=late, original=second, similarity=0.7)
    duplicate_group_decide(
        actor=district.users["dispatcher"], original_id=first.pk, merge_ids=[second.pk], dismiss_ids=[]
    )
    assert DuplicateSuggestion.objects.get(demand=late, status="pending").original == first
