"""The router's reasons are kept as data: a dispatch officer reads them in the language they
chose, while the record keeps them in Chinese."""

from __future__ import annotations

from django.test import Client

from demands.workflow import Status
from dispatch.models import RoutingResult

VAGUE = {"title": "想咨询一件事", "content": "噪音扰民和小贩占道都找不到人管，到底该找哪个部门？"}


def _dispatcher(district, language: str | None) -> Client:
    client = Client()
    client.force_login(district.users["dispatcher"])
    if language:
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


def test_suggestions_and_the_system_reason_read_in_english(district, submit):
    demand = submit(**VAGUE).demand
    assert demand.status == Status.TRIAGE
    stored = RoutingResult.objects.get(demand=demand).candidates[0]
    assert stored["reason"] == "与事项「建筑施工噪音扰民」描述相近"
    assert stored["reasons"] == [{"kind": "described", "matter": "建筑施工噪音扰民"}]

    client = _dispatcher(district, "en")
    detail = client.get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    assert "close to the description of the matter “建筑施工噪音扰民”" in detail and "描述相近" not in detail
    assert "The router was not confident enough; sent to a dispatch officer." in detail
    queue = client.get("/desk/?queue=triage").content.decode()
    assert "close to the description of the matter “建筑施工噪音扰民”" in queue


def test_chinese_stays_the_default(district, submit):
    demand = submit(**VAGUE).demand
    detail = _dispatcher(district, None).get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    assert "与事项「建筑施工噪音扰民」描述相近" in detail and "路由置信度不足，转人工分拨。" in detail
    assert "close to the description" not in detail


def test_a_suggestion_stored_before_reasons_were_data_shows_its_text(district, submit):
    demand = submit(**VAGUE).demand
    record = RoutingResult.objects.get(demand=demand)
    for candidate in record.candidates:
        del candidate["reasons"]
        candidate["reason"] = "旧的理由文字"
    record.save()
    detail = _dispatcher(district, "en").get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    assert "旧的理由文字" in detail


def test_a_note_in_the_timeline_is_shown_as_written_and_escaped(district, submit):
    from demands.models import DemandEvent

    demand = submit(**VAGUE).demand
    event = demand.events.latest("created_at")
    DemandEvent.objects.filter(pk=event.pk).update(reason="<b>路由置信度不足</b>")
    detail = _dispatcher(district, "en").get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    assert "&lt;b&gt;路由置信度不足&lt;/b&gt;" in detail


def test_an_automatic_dispatch_gives_its_reasons_in_the_timeline_in_english(district, submit):
    demand = submit(title="工地半夜施工噪音太大", content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡。").demand
    assert demand.status == Status.DISPATCHED
    event = demand.events.get(action="auto_dispatch")
    assert event.reason.startswith("命中关键词：") and event.data["reasons"][0]["kind"] == "keywords"
    detail = _dispatcher(district, "en").get(f"/desk/demands/{demand.tracking_number}/").content.decode()
    timeline = detail[detail.index('id="timeline"') :]
    assert "matched keywords: " in timeline and "命中关键词" not in timeline
