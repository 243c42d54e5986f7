"""The monthly shortlist for 每月一题, adopting an item and following it; the hot-topic page and
its API."""

from __future__ import annotations

import pytest
from django.utils import timezone

from assessment.clusters import notify_new_clusters
from assessment.models import KeyProblem, KeyProblemStatus
from assessment.shortlist import key_problem_adopt, key_problem_update, month_shortlist
from config.errors import IllegalTransition, NotAllowed, NotFound
from demands.models import Demand
from departments.models import Role
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import logged_in

pytestmark = pytest.mark.django_db

LIFT = {"title": "小区电梯经常困人", "content": "六和城小区3栋的电梯这个月已经困人好几次了，请尽快检修。"}


@pytest.fixture
def month(district, submit):
    """This month: three callers about one lift in 六和社区 (a cluster), two stalls of which one
    was chased by its citizen (催办) and one merged (repeat complaints)."""
    lifts = [submit(**LIFT, citizen_phone=f"1380000000{n}").demand for n in range(3)]
    chased, merged = submit(**STALL).demand, submit(**STALL).demand
    Demand.objects.filter(pk=chased.pk).update(follow_up_count=1)
    Demand.objects.filter(pk=merged.pk).update(duplicate_of=chased)
    return {"month": timezone.localdate().replace(day=1), "lifts": lifts, "stalls": [chased, merged]}


@pytest.fixture
def supervisor(district):
    return make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])


def test_the_shortlist_puts_the_cluster_first_then_repeats_and_volume(month):
    items = month_shortlist(month["month"])
    kinds = [item.kind for item in items]
    assert kinds[0] == "cluster"
    assert items[0].demand_ids == [d.pk for d in month["lifts"]]
    repeat = next(item for item in items if item.kind == "repeat")
    assert repeat.key == "repeat:PS-0101-001" and repeat.count == 2
    assert sorted(repeat.demand_ids) == sorted(d.pk for d in month["stalls"])
    volume = {item.key: item.count for item in items if item.kind == "volume"}
    assert volume["volume:PS-0101-001"] == 2  # merged repeats count: each is one more person


def test_a_month_not_begun_has_no_shortlist(district):
    next_year = timezone.localdate().replace(day=1, year=timezone.localdate().year + 1)
    assert month_shortlist(next_year) == []


def test_a_supervisor_adopts_an_item_once_a_month_and_follows_it(month, supervisor, district):
    key = month_shortlist(month["month"])[0].key
    problem = key_problem_adopt(actor=supervisor, month=month["month"], item_key=key)
    assert problem.kind == "cluster" and problem.status == KeyProblemStatus.OPEN
    assert set(problem.demands.values_list("pk", flat=True)) == {d.pk for d in month["lifts"]}

    with pytest.raises(IllegalTransition):
        key_problem_adopt(actor=supervisor, month=month["month"], item_key="repeat:PS-0101-001")

    problem = key_problem_update(
        actor=supervisor, problem_id=problem.pk, status=KeyProblemStatus.RESOLVED, note="电梯已更换"
    )
    assert problem.resolved_at is not None and problem.note == "电梯已更换"
    problem = key_problem_update(actor=supervisor, problem_id=problem.pk, status=KeyProblemStatus.OPEN, note="又坏了")
    assert problem.status == KeyProblemStatus.OPEN and problem.resolved_at is None


def test_only_items_of_the_shortlist_and_only_supervisors_or_admins(month, supervisor, district):
    with pytest.raises(NotFound):
        key_problem_adopt(actor=supervisor, month=month["month"], item_key="cluster:999999")
    with pytest.raises(NotAllowed):
        key_problem_adopt(actor=district.users["auditor"], month=month["month"], item_key="repeat:PS-0101-001")
    with pytest.raises(NotFound):
        key_problem_update(actor=supervisor, problem_id=999, status="open", note="")
    assert not KeyProblem.objects.exists()


def test_the_page_shows_every_part_with_its_definition_and_adopts(month, supervisor, district):
    page = logged_in(district.users["auditor"]).get("/audit/hot-topics/")
    body = page.content.decode()
    assert page.status_code == 200
    for part in ('id="volume-matter"', 'id="volume-community"', 'id="spike-list"', 'id="cluster-list"'):
        assert part in body
    assert "平均数 + 3 倍标准差" in body and "至少 3 位不同来电人" in body
    assert month["lifts"][0].tracking_number in body
    assert "选定为每月一题" not in body  # auditors read; supervisors adopt

    browser = logged_in(supervisor)
    assert "选定为每月一题" in browser.get("/audit/hot-topics/").content.decode()
    key = month_shortlist(month["month"])[0].key
    response = browser.post("/audit/hot-topics/adopt/", {"month": f"{month['month']:%Y-%m}", "item": key})
    assert response.status_code == 302
    problem = KeyProblem.objects.get()
    page = browser.get(response["Location"]).content.decode()
    assert 'id="key-problem"' in page and "选定为每月一题" not in page

    browser.post(
        "/audit/hot-topics/key-problem/",
        {"problem": problem.pk, "status": "resolved", "note": "已全部更换", "month": f"{month['month']:%Y-%m}"},
    )
    problem.refresh_from_db()
    assert problem.status == KeyProblemStatus.RESOLVED and problem.note == "已全部更换"


def test_a_refused_adoption_is_a_message_not_an_error(month, supervisor):
    browser = logged_in(supervisor)
    response = browser.post("/audit/hot-topics/adopt/", {"month": "2026-13", "item": "x"}, follow=True)
    assert response.status_code == 200 and not KeyProblem.objects.exists()


def test_the_api_gives_the_same_report(month, district, submit, settings):
    settings.NOTIFICATION_EMAILS = False
    client = logged_in(district.users["auditor"])
    data = client.get("/api/v1/assessment/hot-topics/", {"month": f"{month['month']:%Y-%m}"}).json()
    assert set(data["volume"]) == {"matter", "category", "street", "community"}
    [cluster] = data["clusters"]
    assert cluster["demands"] == [d.tracking_number for d in month["lifts"]] and cluster["notified"] is False
    assert data["shortlist"][0]["kind"] == "cluster" and data["key_problem"] is None
    assert "spike" in data["definitions"]
    assert client.get("/api/v1/assessment/hot-topics/", {"date_from": "nonsense"}).status_code == 400
    assert logged_in(district.users["cgj"]).get("/api/v1/assessment/hot-topics/").status_code == 403

    # Once the sweep told the supervisors, the cluster says so; a later demand joining it too.
    notify_new_clusters()
    submit(**LIFT, citizen_phone="13800000009")
    [cluster] = client.get("/api/v1/assessment/hot-topics/").json()["clusters"]
    assert cluster["notified"] is True and len(cluster["demands"]) == 4
