"""The lists of cases show no contact details, so they leave them encrypted: decrypting three
fields per row would cost every page of every queue for nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from dispatch.desk_queues import QUEUE_KEYS
from tests.staff import logged_in


@pytest.fixture
def decryptions(monkeypatch) -> list[str]:
    import demands.fields

    seen: list[str] = []
    real = demands.fields.decrypt

    def counting(token: str) -> str:
        seen.append(token)
        return real(token)

    monkeypatch.setattr(demands.fields, "decrypt", counting)
    return seen


def test_queues_and_the_workbench_list_decrypt_nothing(district, submit, decryptions, settings):
    submit()  # dispatched to a department
    settings.ROUTING_AUTO_DISPATCH_THRESHOLD = 1.01
    submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊")  # left in triage
    decryptions.clear()
    desk = logged_in(district.users["dispatcher"])
    for key in QUEUE_KEYS:
        assert desk.get("/desk/", {"queue": key}).status_code == 200
    handler = Client()
    handler.force_login(district.users["zjj"])  # the noise case is theirs
    workbench = handler.get("/workbench/")
    assert workbench.status_code == 200 and "工地半夜施工噪音太大" in workbench.content.decode()
    assert handler.get("/api/v1/assignments/").status_code == 200
    assert decryptions == []


def test_exports_read_only_the_masked_phone(district, submit, decryptions):
    submit()
    submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊", citizen_phone="13900001111")
    decryptions.clear()
    auditor = logged_in(district.users["auditor"])
    demands = auditor.get("/audit/export/demands.csv")
    content = b"".join(demands.streaming_content) if demands.streaming else demands.content
    assert "139****1111" in content.decode("utf-8-sig")
    assert len(decryptions) == 2  # one phone per demand, neither name nor address
    decryptions.clear()
    events = auditor.get("/audit/export/events.csv")
    b"".join(events.streaming_content) if events.streaming else events.content
    assert decryptions == []
