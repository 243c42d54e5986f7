"""On real PostgreSQL, Redis and a Celery worker: a demand submitted through the API is routed
and dispatched by the worker, with nobody touching it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from demands.models import Demand
from demands.workflow import Status
from dispatch.models import Assignment
from tests.factories import build_district
from tests.integration.workers import wait_for

pytestmark = pytest.mark.integration


def test_api_submission_is_dispatched_by_the_worker(celery_worker_process):
    district = build_district()
    response = APIClient().post(
        "/api/v1/citizen/demands/",
        {
            "title": "工地半夜施工噪音太大",
            "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡。",
            "location_text": "坪山街道六和城",
            "citizen_name": "李四",
            "citizen_phone": "13900001111",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    tracking_number = response.json()["tracking_number"]

    def dispatched():
        demand = Demand.objects.get(tracking_number=tracking_number)
        return demand if demand.status == Status.DISPATCHED else None

    demand = wait_for(dispatched)
    assert demand is not None, "the worker did not route the demand within 30 seconds"
    assert demand.lead_department == district.departments["ZJJ"]
    assert Assignment.objects.filter(demand=demand, department=district.departments["ZJJ"]).exists()
    assert list(demand.events.values_list("actor_label", flat=True)) == ["citizen", "system"]
