"""The router's models and the export job left dispatch without moving data: a database migrated
at the release before the move migrates forward with every row, every permission and every
content type kept, and back again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import build_district, make_user
from tests.services import require_postgres

# The last migrations before the move: what a database of that release has applied.
BEFORE_THE_MOVE = [("routing", None), ("assessment", None), ("dispatch", "0019_impact_previews_kept_per_draft")]
MOVED = {
    "routing": ["routingresult", "historicalcase", "routingmodel", "categorythreshold", "impactpreview"],
    "assessment": ["exportjob"],
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # The models as of the last migration named (dispatch's, and every app it stands on).
    return executor.loader.project_state(targets[-1:]).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _rows_written_by_the_old_release(old_apps, district, demand_id, user):
    """Rows of every moved table, written through the models as the old release had them."""
    now = timezone.now()
    department = old_apps.get_model("departments", "Department").objects.get(
        pk=next(iter(district.departments.values())).pk
    )
    version = old_apps.get_model("responsibility_lists", "ListVersion").objects.get(pk=district.version.pk)
    demand = old_apps.get_model("demands", "Demand").objects.get(pk=demand_id)
    staff = old_apps.get_model("auth", "User").objects.get(pk=user.pk)
    dispatch = {
        name: old_apps.get_model("dispatch", name)
        for name in (
            "RoutingResult",
            "HistoricalCase",
            "RoutingModel",
            "CategoryThreshold",
            "ImpactPreview",
            "ExportJob",
        )
    }
    return {
        "routingresult": dispatch["RoutingResult"]
        .objects.create(
            demand=demand,
            list_version=version,
            router_version="r1",
            candidates=[{"department": "X"}],
            confidence=0.9,
            auto_dispatched=True,
            created_at=now,
        )
        .pk,
        "historicalcase": dispatch["HistoricalCase"]
        .objects.create(external_id="H-1", title="路灯不亮", content="小区门口路灯坏了", department=department)
        .pk,
        "routingmodel": dispatch["RoutingModel"]
        .objects.create(
            version="m-old",
            trained_at=now,
            sample_count=40,
            classes=["A", "B"],
            blob=b"weights",
            sha256="0" * 64,
            is_active=True,
            metrics={"note": "old release"},
        )
        .pk,
        "categorythreshold": dispatch["CategoryThreshold"].objects.create(category_name="城市管理", threshold=0.9).pk,
        "impactpreview": dispatch["ImpactPreview"]
        .objects.create(
            draft=version,
            baseline=version,
            months=3,
            since=now - timedelta(days=90),
            draft_fingerprint="f" * 64,
            requested_by=staff,
        )
        .pk,
        "exportjob": dispatch["ExportJob"]
        .objects.create(kind="demands", format="csv", requested_by=staff, filters={"date_from": "2026-01-01"})
        .pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_release_before_the_move_migrates_forward_with_every_row_kept():
    require_postgres()
    district = build_district()
    demand_id = _a_demand()
    user = make_user("auditor-before-the-move", "auditor")
    try:
        old_apps = _migrate(BEFORE_THE_MOVE)
        written = _rows_written_by_the_old_release(old_apps, district, demand_id, user)
        # The old release's auditors were given the export permission on dispatch's content type.
        old_type = ContentType.objects.get(app_label="dispatch", model="exportjob")
        permission = Permission.objects.get(content_type=old_type, codename="view_exportjob")
        Group.objects.create(name="auditors-before-the-move").permissions.add(permission)

        _migrate(_latest())

        from assessment.models import ExportJob
        from routing.models import CategoryThreshold, HistoricalCase, ImpactPreview, RoutingModel, RoutingResult

        now_models = {
            "routingresult": RoutingResult,
            "historicalcase": HistoricalCase,
            "routingmodel": RoutingModel,
            "categorythreshold": CategoryThreshold,
            "impactpreview": ImpactPreview,
            "exportjob": ExportJob,
        }
        for name, model in now_models.items():
            assert model.objects.filter(pk=written[name]).exists(), f"{name} row lost"
        assert bytes(RoutingModel.objects.get(pk=written["routingmodel"]).blob) == b"weights"
        assert RoutingResult.objects.get(pk=written["routingresult"]).demand_id == demand_id
        assert ExportJob.objects.get(pk=written["exportjob"]).filters == {"date_from": "2026-01-01"}
        # The same content type and permission rows, now under the apps that own the models.
        for app, models in MOVED.items():
            for model in models:
                assert ContentType.objects.filter(app_label=app, model=model).count() == 1
                assert not ContentType.objects.filter(app_label="dispatch", model=model).exists()
        assert ContentType.objects.get(pk=old_type.pk).app_label == "assessment"
        group = Group.objects.get(name="auditors-before-the-move")
        assert list(group.permissions.values_list("pk", flat=True)) == [permission.pk]
        assert user.__class__.objects.get(pk=user.pk).groups.count() == 0  # nobody else was touched

        # And back: a rollback to the old release finds its rows under dispatch again.
        old_apps = _migrate(BEFORE_THE_MOVE)
        assert old_apps.get_model("dispatch", "ExportJob").objects.filter(pk=written["exportjob"]).exists()
        assert ContentType.objects.get(pk=old_type.pk).app_label == "dispatch"
    finally:
        _migrate(_latest())


def _a_demand() -> int:
    from demands.services import demand_submit

    demand = demand_submit(title="路灯", content="小区门口路灯坏了", citizen_name="王", citizen_phone="13800138000")
    return demand.demand.pk
