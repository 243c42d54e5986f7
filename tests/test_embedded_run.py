"""What a newcomer's terminal shows under `make run`: no warnings about a broker it does not use."""

from __future__ import annotations

import logging


def test_a_submission_in_process_warns_of_no_broker(district, submit, caplog):
    caplog.set_level(logging.WARNING)
    submit()
    # The in-memory transport used to warn "No hostname was supplied" on the first task.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("kombu")] == []
