"""`run_platform` serves with DEBUG off unless the environment asks, even under the local
settings (which turn it on for a developer's runserver) and when started without `make run`."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings as live_settings
from django.core.management import call_command

COMMAND = "dispatch.management.commands.run_platform"


def _debug_while_serving(settings) -> tuple[bool, bool]:
    settings.EMBEDDED_TASKS = True
    seen = {}

    def runserver(*args, **options):
        seen["debug"] = live_settings.DEBUG
        seen["insecure_serving"] = options["insecure_serving"]

    with (
        mock.patch(f"{COMMAND}.warm_up", return_value=None),
        mock.patch(f"{COMMAND}.InProcessScheduler"),
        mock.patch(f"{COMMAND}.call_command", side_effect=runserver),
    ):
        call_command("run_platform", "127.0.0.1:0")
    return seen["debug"], seen["insecure_serving"]


def test_debug_is_off_unless_the_environment_asks(db, settings, monkeypatch):
    settings.DEBUG = True  # what config.settings.local gives when DEBUG is not set
    monkeypatch.delenv("DEBUG", raising=False)
    assert _debug_while_serving(settings) == (False, True)


@pytest.mark.parametrize(("raw", "debug"), [("true", True), ("false", False)])
def test_the_environment_decides(db, settings, monkeypatch, raw, debug):
    settings.DEBUG = not debug
    monkeypatch.setenv("DEBUG", raw)
    assert _debug_while_serving(settings)[0] is debug
