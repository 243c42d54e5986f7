"""The impact preview of a draft list: computed by a worker with its progress shown, kept for the
draft while what it was computed from stands, and read once per demand for both versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.errors import NotAllowed, ValidationFailed
from responsibility_lists.models import Matter
from responsibility_lists.services import matter_save, version_create_draft
from routing import impact
from routing import impact_runs as impact_service
from routing.impact import ImpactReport, preview_impact
from routing.impact_runs import impact_preview_request, impact_preview_run
from routing.models import ImpactPreview, ImpactStatus
from tests.staff import logged_in

NOISE = {"title": "工地半夜施工噪音太大", "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。"}


def _draft_moving_noise_to_shj(district):
    """A draft in which construction noise at night is the environment bureau's."""
    maintainer = district.users["maintainer"]
    draft = version_create_draft(actor=maintainer)
    noise = Matter.objects.get(version=draft, code="PS-0201-001")
    matter_save(
        version_id=draft.pk, actor=maintainer, code=noise.code, category_id=noise.category_id,
        lead_department=district.departments["SHJ"], assisting_ids=[],
    )  # fmt: skip
    return draft


@pytest.fixture
def computations(monkeypatch) -> list[int]:
    """Each computation of a preview, by the number of demands it routed."""
    done: list[int] = []

    def counted(**kwargs):
        report = preview_impact(**kwargs)
        done.append(report.total)
        return report

    monkeypatch.setattr(impact_service, "preview_impact", counted)
    return done


def test_the_page_computes_nothing_a_worker_does_and_the_result_is_kept(
    district, submit, computations, django_capture_on_commit_callbacks
):
    submit(**NOISE)
    draft = _draft_moving_noise_to_shj(district)
    maintainer = logged_in(district.users["maintainer"])
    url = f"/list/v{draft.number}/impact/"

    page = maintainer.get(url)
    assert page.status_code == 200 and computations == []
    assert "尚未计算这段时间的影响" in page.content.decode()

    with django_capture_on_commit_callbacks() as queued:
        maintainer.post(url, {"months": 3})
    preview = ImpactPreview.objects.get()
    assert preview.status == ImpactStatus.QUEUED and computations == [] and len(queued) == 1
    status = maintainer.get(f"{url}?months=3", HTTP_ACCEPT="application/json").json()
    assert (status["status"], status["percent"], status["current"]) == ("queued", 0, True)
    assert 'id="progress"' in maintainer.get(f"{url}?months=3").content.decode()

    queued[0]()  # the worker runs the task
    preview.refresh_from_db()
    assert (preview.status, preview.demands_done, preview.demands_total, preview.percent) == ("done", 1, 1, 100)
    page = maintainer.get(f"{url}?months=3")
    report = page.context["report"]
    assert [(r.before, r.after) for r in report.moved] == [("坪山区住房和建设局", "深圳市生态环境局坪山管理局")]
    assert "命中关键词" in page.content.decode().split('id="moved-demands"')[1]

    # Opening the page again, or asking again, reads the kept result.
    maintainer.get(f"{url}?months=3")
    with django_capture_on_commit_callbacks(execute=True):
        maintainer.post(url, {"months": 3})
    assert computations == [1] and ImpactPreview.objects.count() == 1
    # Asked afresh, it counts the demands that came in since.
    submit(**NOISE)
    with django_capture_on_commit_callbacks(execute=True):
        maintainer.post(url, {"months": 3, "fresh": "1"})
    assert computations == [1, 2]
    assert maintainer.get(f"{url}?months=3").context["report"].total == 2
    assert ImpactPreview.objects.count() == 1  # the older result made room for the new one


def test_an_edit_that_changes_routing_puts_the_kept_result_out_of_date(
    district, submit, computations, django_capture_on_commit_callbacks
):
    submit(**NOISE)
    draft = _draft_moving_noise_to_shj(district)
    maintainer_user = district.users["maintainer"]
    maintainer = logged_in(maintainer_user)
    url = f"/list/v{draft.number}/impact/"
    with django_capture_on_commit_callbacks(execute=True):
        maintainer.post(url, {"months": 3})
    noise = Matter.objects.get(version=draft, code="PS-0201-001")

    # A time limit does not route: the result stands.
    matter_save(
        version_id=draft.pk, actor=maintainer_user, code=noise.code, category_id=noise.category_id,
        lead_department=noise.lead_department, assisting_ids=[], handle_days_normal=3,
    )  # fmt: skip
    assert maintainer.get(url).context["current"] is True

    # The lead back where it was: the kept result no longer says what the draft does.
    matter_save(
        version_id=draft.pk, actor=maintainer_user, code=noise.code, category_id=noise.category_id,
        lead_department=district.departments["ZJJ"], assisting_ids=[],
    )  # fmt: skip
    page = maintainer.get(url)
    assert page.context["current"] is False and page.context["report"] is None
    assert "原结果已失效" in page.content.decode() and 'id="moved-demands"' not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        maintainer.post(url, {"months": 3})
    assert computations == [1, 1]
    page = maintainer.get(url)
    assert page.context["current"] is True and page.context["report"].moved == []


def test_bad_requests_are_refused_and_queue_nothing(district, django_capture_on_commit_callbacks):
    draft = _draft_moving_noise_to_shj(district)
    maintainer = logged_in(district.users["maintainer"])
    url = f"/list/v{draft.number}/impact/"
    with django_capture_on_commit_callbacks() as queued:
        for months in ("abc", "0", "25", ""):
            page = maintainer.post(url, {"months": months}, follow=True)
            assert page.status_code == 200
            assert "回看月数须" in page.content.decode()
        assert logged_in(district.users["dispatcher"]).post(url, {"months": 3}).status_code == 403
    assert not queued and not ImpactPreview.objects.exists()
    with pytest.raises(NotAllowed):
        impact_preview_request(actor=district.users["dispatcher"], draft_id=draft.pk, months=3)
    with pytest.raises(ValidationFailed):  # the version in force has nothing to be compared with
        impact_preview_request(actor=district.users["maintainer"], draft_id=district.version.pk, months=3)
    assert not ImpactPreview.objects.exists()


def test_a_redelivered_task_does_not_compute_again(district, submit, computations, django_capture_on_commit_callbacks):
    submit(**NOISE)
    draft = _draft_moving_noise_to_shj(district)
    with django_capture_on_commit_callbacks(execute=True):
        preview = impact_preview_request(actor=district.users["maintainer"], draft_id=draft.pk, months=3)
    assert impact_preview_run(preview_id=preview.pk) is None
    assert computations == [1]


def test_each_version_is_read_once_for_all_the_demands(district, submit, monkeypatch):
    """The draft's index was built again for every demand (30–40 s for 74 demands): the work of a
    preview must not grow with its demands but by routing them."""
    draft = _draft_moving_noise_to_shj(district)
    builds: list[int] = []
    build = impact.MatterIndex.build
    monkeypatch.setattr(impact.MatterIndex, "build", classmethod(lambda cls, v: builds.append(v.pk) or build(v)))

    def queries_for(demands: int) -> tuple[int, ImpactReport]:
        for _ in range(demands):
            submit(**NOISE)
        builds.clear()
        with CaptureQueriesContext(connection) as queries:
            report = preview_impact(draft=draft, baseline=district.version, since=timezone.now() - timedelta(days=1))
        assert builds == [draft.pk]
        return len(queries), report

    few, few_report = queries_for(2)
    many, many_report = queries_for(6)
    assert (few_report.total, many_report.total) == (2, 8)
    assert len(many_report.moved) == 8
    assert many == few
