"""The router and its model are loaded as a process starts, not inside the first citizen's request."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError

from routing import learned, router, training
from routing.warm_up import warm_up
from tests.factories import build_district
from tests.routing_history import past_cases


@pytest.fixture
def trained(district):
    past_cases(district, n=12)
    return training.train_and_activate()


def test_warm_up_loads_the_list_index_and_the_active_model(district, trained):
    assert router._frozen_index.cache_info().currsize == 0 and learned._cache == {}

    took = warm_up()

    assert took is not None and took >= 0
    assert router._frozen_index.cache_info().currsize == 1
    assert trained.version in learned._cache


def test_an_unreachable_database_leaves_loading_to_the_first_demand(db):
    with mock.patch("routing.warm_up.version_in_force", side_effect=OperationalError("gone")):
        assert warm_up() is None


def test_run_platform_loads_routing_before_it_serves(db, settings):
    build_district()
    settings.EMBEDDED_TASKS = True
    order = []
    with (
        mock.patch("dispatch.management.commands.run_platform.warm_up", side_effect=lambda: order.append("warm")),
        mock.patch(
            "dispatch.management.commands.run_platform.call_command", side_effect=lambda *a, **k: order.append(a[0])
        ),
    ):
        call_command("run_platform", "127.0.0.1:0")
    assert order == ["warm", "runserver"]
