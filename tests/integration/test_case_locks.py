"""Changes to one case at the same moment wait in turn on PostgreSQL instead of deadlocking:
every change locks the case's demand row before any of its assignments, and locks assignments
alone, not their departments (which other cases' changes lock too)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection

from demands.services import demand_submit
from dispatch.models import Assignment
from dispatch.services import (
    assignment_contribute,
    assignment_sign,
    citizen_info,
    info_request_answer,
    info_request_ask,
)
from tests.factories import build_district
from tests.services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)
QUESTION = "请提供施工的具体时间段和位置"


def _noise(n: int = 0):
    # Construction noise: 住建 leads, 生态环境 assists.
    return demand_submit(
        title="工地半夜施工噪音太大", content=f"六和城旁边的工地每天半夜施工打桩，吵得无法入睡（{n}）",
        location_text="坪山街道六和城", citizen_name="甲", citizen_phone="13800000000",
    ).demand  # fmt: skip


def _signed_case():
    """(district, demand, lead, assist): a construction-noise case whose lead has signed."""
    require_postgres()
    district = build_district()
    demand = _noise()
    lead, assist = (Assignment.objects.get(demand=demand, role=role) for role in ("lead", "assist"))
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    return district, demand, lead, assist


def _held_in(monkeypatch, step: str, *, parties: int = 1) -> threading.Barrier:
    """Make citizen_info.`step` wait, inside its transaction, until `parties` + 1 threads have
    met at the returned barrier: the other change then runs while the first holds its locks."""
    barrier = threading.Barrier(parties + 1, timeout=20)
    original = getattr(citizen_info, step)

    def held(*args, **kwargs):
        barrier.wait()
        time.sleep(1)  # the other change runs into this one's locks meanwhile
        return original(*args, **kwargs)

    monkeypatch.setattr(citizen_info, step, held)
    return barrier


def _at_once(*changes: Callable[[], object]) -> list[str]:
    errors: list[str] = []

    def run(change: Callable[[], object]) -> None:
        try:
            change()
        except Exception as error:  # any failure of either change is the finding
            errors.append(repr(error)[:300])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(change,)) for change in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def _after(barrier: threading.Barrier, change: Callable[[], object]) -> Callable[[], object]:
    def waited() -> object:
        barrier.wait()
        return change()

    return waited


def test_a_question_and_an_assisting_answer_at_once(monkeypatch):
    district, _, lead, assist = _signed_case()
    barrier = _held_in(monkeypatch, "_pause_assists")
    errors = _at_once(
        lambda: info_request_ask(assignment_id=lead.pk, actor=district.users["zjj"], question=QUESTION),
        _after(barrier, lambda: assignment_contribute(
            assignment_id=assist.pk, actor=district.users["shj"], body="已安排夜间噪声监测。")),
    )  # fmt: skip
    assert errors == []
    assert Assignment.objects.get(pk=assist.pk).status == "done"


def test_the_citizens_answer_and_an_assisting_answer_at_once(monkeypatch):
    district, demand, lead, assist = _signed_case()
    info_request_ask(assignment_id=lead.pk, actor=district.users["zjj"], question=QUESTION)
    barrier = _held_in(monkeypatch, "_resume_assists")
    errors = _at_once(
        lambda: info_request_answer(demand=demand, answer="每晚十点以后在六和城北侧工地"),
        _after(barrier, lambda: assignment_contribute(
            assignment_id=assist.pk, actor=district.users["shj"], body="已安排夜间噪声监测。")),
    )  # fmt: skip
    assert errors == []
    assert Assignment.objects.get(pk=assist.pk).paused_since is None


def test_two_questions_whose_departments_assist_each_other(monkeypatch):
    require_postgres()
    district = build_district()
    first, second = _noise(1), _noise(2)
    zjj, shj = district.departments["ZJJ"], district.departments["SHJ"]
    # The second case the other way round: 生态环境 leads, 住建 assists.
    # (by way of 城管: one department holds one open assignment of a case).
    Assignment.objects.filter(demand=second, role="assist").update(department=district.departments["CGJ"])
    Assignment.objects.filter(demand=second, role="lead").update(department=shj)
    Assignment.objects.filter(demand=second, role="assist").update(department=zjj)
    leads = [Assignment.objects.get(demand=d, role="lead") for d in (first, second)]
    assignment_sign(assignment_id=leads[0].pk, actor=district.users["zjj"])
    assignment_sign(assignment_id=leads[1].pk, actor=district.users["shj"])
    barrier = _held_in(monkeypatch, "_pause_assists", parties=2)

    errors = _at_once(
        lambda: info_request_ask(assignment_id=leads[0].pk, actor=district.users["zjj"], question=QUESTION),
        lambda: info_request_ask(assignment_id=leads[1].pk, actor=district.users["shj"], question=QUESTION),
        barrier.wait,  # both questions are in, each holding its case, before either pauses its assist
    )
    assert errors == []
    assert Assignment.objects.filter(demand__in=[first, second], paused_since__isnull=False).count() == 4
