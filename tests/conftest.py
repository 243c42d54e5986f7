from __future__ import annotations

import pytest
from django.core.cache import cache

from demands.services import Submission, demand_submit
from departments.selectors import clear_place_cache
from tests.factories import District, build_district


@pytest.fixture
def district(db) -> District:
    return build_district()


@pytest.fixture(autouse=True)
def _fresh_router_cache():
    # Version ids repeat across tests (each test's database starts empty), so the router's
    # per-version cache must not outlive a test.
    from dispatch.routing import learned, router
    from dispatch.services.routing import auto_dispatch_thresholds

    router.clear_caches()
    auto_dispatch_thresholds.clear()
    learned._cache.clear()
    clear_place_cache()
    cache.clear()
    yield


@pytest.fixture
def submit(district, django_capture_on_commit_callbacks):
    """Submit a demand as a citizen. Routing is queued on commit; the test's transaction never
    commits, so the captured callbacks are run as a commit would run them (eager Celery)."""

    def _submit(
        title: str = "工地半夜施工噪音太大",
        content: str = "六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location_text: str = "坪山街道六和城",
        **extra,
    ) -> Submission:
        with django_capture_on_commit_callbacks(execute=True):
            submission = demand_submit(
                title=title,
                content=content,
                location_text=location_text,
                citizen_name=extra.pop("citizen_name", "张三"),
                citizen_phone=extra.pop("citizen_phone", "13812345678"),
                **extra,
            )
        submission.demand.refresh_from_db()
        return submission

    return _submit
