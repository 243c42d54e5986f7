"""What the pages of the assessment do, the API does too: the figures grouped by any dimension (the
ranking page's breakdown), and the month's key problem adopted and followed (the hot-topics page)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import KeyProblem, KeyProblemStatus
from departments.models import Role
from tests.assessment_cases import lead, make_demand, visit
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
LIFT = {"title": "小区电梯经常困人", "content": "六和城小区3栋的电梯这个月已经困人好几次了，请尽快检修。"}


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def november(district):
    """Two cases in 坪山街道 (one solved, one partly), one in 坑梓街道 (unsolved), all about stalls."""
    visit(lead(district, "CGJ"), resolution="solved", satisfaction="satisfied")
    visit(lead(district, "PSJD"), resolution="partly", satisfaction="basically")
    visit(lead(district, "KZJD", demand=make_demand(district, street="KZJD")), resolution="unsolved")


def test_the_figures_come_by_street_as_the_ranking_page_breaks_them_down(district, november):
    answer = api_as(district.users["auditor"]).get(reverse("api-assessment-figures"), {**NOVEMBER, "by": "street"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["date_from"], body["date_to"], body["by"]) == ("2026-11-01", "2026-11-30", "street")
    rows = {row["name"]: row for row in body["rows"]}
    assert set(rows) == {"坪山街道", "坑梓街道"}
    assert rows["坪山街道"]["key"] == district.streets["PSJD"].pk
    assert (rows["坪山街道"]["received"], rows["坪山街道"]["resolution_rate"]) == (2, 0.75)  # (1 + ½) / 2
    assert (rows["坑梓街道"]["received"], rows["坑梓街道"]["resolution_rate"]) == (1, 0.0)
    assert body["definitions"]["resolution_rate"].startswith("解决率：")


def test_the_figures_come_by_department_type_and_by_matter(district, november):
    auditor = api_as(district.users["auditor"])
    by_type = auditor.get(reverse("api-assessment-figures"), {**NOVEMBER, "by": "department_type"}).json()
    assert {row["key"]: row["received"] for row in by_type["rows"]} == {"bureau": 1, "territory": 2}
    by_matter = auditor.get(reverse("api-assessment-figures"), {**NOVEMBER, "by": "matter"}).json()
    assert [(row["name"], row["received"]) for row in by_matter["rows"]] == [("占道经营查处", 3)]
    by_department = auditor.get(reverse("api-assessment-figures"), NOVEMBER).json()
    assert by_department["by"] == "department" and len(by_department["rows"]) == 3


def test_the_figures_refuse_an_unknown_dimension_a_bad_period_and_department_staff(district):
    auditor = api_as(district.users["auditor"])
    unknown = auditor.get(reverse("api-assessment-figures"), {"by": "citizen"})
    assert unknown.status_code == 400 and "by" in unknown.json()["fields"]
    backwards = auditor.get(reverse("api-assessment-figures"), {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert backwards.status_code == 400
    assert api_as(district.users["cgj"]).get(reverse("api-assessment-figures")).status_code == 403


@pytest.fixture
def supervisor(district):
    return make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])


@pytest.fixture
def lifts(district, submit):
    """Three callers about one lift in 六和社区 this month: a cluster, first on the shortlist."""
    return [submit(**LIFT, citizen_phone=f"1380000000{n}").demand for n in range(3)]


def test_a_supervisor_adopts_the_months_key_problem_and_follows_it_in_the_api(district, supervisor, lifts):
    api = api_as(supervisor)
    month = f"{timezone.localdate():%Y-%m}"
    shortlist = api.get(reverse("api-hot-topics"), {"month": month}).json()["shortlist"]
    cluster = next(item for item in shortlist if item["kind"] == "cluster")

    adopted = api.post(reverse("api-key-problem-adopt"), {"month": month, "item": cluster["key"]}, format="json")
    assert adopted.status_code == 201, adopted.json()
    problem = adopted.json()
    assert (problem["month"], problem["kind"], problem["status"]) == (month, "cluster", "open")
    assert sorted(problem["demands"]) == sorted(d.tracking_number for d in lifts)
    again = api.post(reverse("api-key-problem-adopt"), {"month": month, "item": cluster["key"]}, format="json")
    assert again.status_code == 409  # one key problem a month

    shown = api.get(reverse("api-hot-topics"), {"month": month}).json()["key_problem"]
    assert shown["id"] == problem["id"]
    resolved = api.post(
        reverse("api-key-problem-update", args=[problem["id"]]),
        {"status": "resolved", "note": "物业已更换电梯主板"},
        format="json",
    )
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["note"]) == ("resolved", "物业已更换电梯主板")
    assert resolved.json()["resolved_at"] is not None
    assert KeyProblem.objects.get().status == KeyProblemStatus.RESOLVED


def test_only_supervisors_adopt_and_only_items_of_the_shortlist(district, supervisor, lifts):
    month = f"{timezone.localdate():%Y-%m}"
    refused = api_as(district.users["auditor"]).post(
        reverse("api-key-problem-adopt"), {"month": month, "item": "cluster:1"}, format="json"
    )
    assert refused.status_code == 403
    unknown = api_as(supervisor).post(
        reverse("api-key-problem-adopt"), {"month": month, "item": "cluster:999999"}, format="json"
    )
    assert unknown.status_code == 404
    bad_month = api_as(supervisor).post(
        reverse("api-key-problem-adopt"), {"month": "2026-13", "item": "cluster:1"}, format="json"
    )
    assert bad_month.status_code == 400 and "month" in bad_month.json()["fields"]
    missing = api_as(supervisor).post(
        reverse("api-key-problem-update", args=[999999]), {"status": "resolved"}, format="json"
    )
    assert missing.status_code == 404
    assert not KeyProblem.objects.exists()
