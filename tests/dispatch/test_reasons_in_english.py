"""The router's reasons are kept as data: a dispatch officer reads them in the language they
chose, while the record keeps them in Chinese."""

from __future__ import annotations

from django.test import Client

from demands.workflow import Action, Status
from routing.models import RoutingResult
from tests.staff import logged_in

VAGUE = {"title": "想咨询一件事", "content": "噪音扰民和小贩占道都找不到人管，到底该找哪个部门？"}


def _dispatcher(district, language: str | None) -> Client:
    client = logged_in(district.users["dispatcher"])
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
    from django.db import transaction

    from demands.services import demand_transition

    demand = submit(**VAGUE).demand
    # Events cannot be edited (the audit trail is append-only): a person writes this one.
    with transaction.atomic():
        demand_transition(
            demand_id=demand.pk,
            action=Action.FOLLOW_UP,
            actor=None,
            actor_label="citizen",
            reason="<b>路由置信度不足</b>",
        )
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


def test_the_systems_own_sentences_read_in_the_readers_language(district, submit, settings):
    # The record keeps the Chinese sentence; the reader gets it in their language, values included.
    from django.utils import translation

    from demands.services import demand_auto_close
    from dispatch.services import demand_merge
    from tests.citizens import STALL
    from tests.staff import answered

    first = submit(title="工地半夜施工噪音太大", content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡。").demand
    second = submit(title="工地半夜施工噪音太大", content="六和城工地又在半夜打桩施工，噪音扰民严重。").demand
    merged = demand_merge(demand_id=second.pk, original_id=first.pk, actor=district.users["dispatcher"])
    merge = merged.events.get(action="merge")
    assert merge.reason == f"与 {first.tracking_number} 重复，合并办理。"

    replied = answered(district, submit(**STALL).demand, by="cgj")
    settings.AUTO_CLOSE_AFTER_DAYS = 0
    assert demand_auto_close(demand_id=replied.pk)
    closing = replied.events.get(action="auto_close")
    assert closing.reason == "答复后0日内未评价，系统自动办结。"

    with translation.override("en"):
        assert merge.reason_for_reader == f"A duplicate of {first.tracking_number}; handled together with it."
        assert closing.reason_for_reader == "Not rated within 0 days of the reply; closed by the system."
    assert merge.reason_for_reader == merge.reason  # Chinese by default

    # A dispatch officer's own words stay as written, in any language.
    third = submit(title="工地半夜施工噪音太大", content="六和城工地半夜打桩，第三次反映。").demand
    own = demand_merge(demand_id=third.pk, original_id=first.pk, actor=district.users["dispatcher"], note="同一工地")
    with translation.override("en"):
        assert own.events.get(action="merge").reason_for_reader == "同一工地"


def test_a_confidence_just_under_the_threshold_never_reads_as_the_threshold(district, submit):
    from routing.templatetags.routing import confidence

    assert [confidence(v) for v in (0.795, 0.8, 0.29, 0.999, 1.0)] == ["0.79", "0.80", "0.29", "0.99", "1.00"]
    assert confidence("") == "" and confidence(None) == ""  # a missing value shows nothing
    demand = submit(**VAGUE).demand
    record = RoutingResult.objects.get(demand=demand)
    record.candidates[0]["confidence"] = 0.795
    record.save()
    queue = _dispatcher(district, None).get("/desk/?queue=triage").content.decode()
    assert '<span class="confidence">0.79</span>' in queue


def test_the_sweeps_supervision_note_reads_in_the_departments_language(district, submit):
    from dispatch.models import Assignment
    from dispatch.services.escalation import sweep_deadlines

    demand = submit(title="工地半夜施工噪音太大", content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡。").demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    sweep_deadlines(now=lead.handle_deadline)
    sweep_deadlines(now=lead.supervise_at)
    lead.refresh_from_db()
    assert lead.supervisions.get().note == "超期未办结，系统自动列入督办，请承办部门说明情况并限期办结。"  # as recorded
    zjj = logged_in(district.users["zjj"])
    assert "系统自动列入督办" in zjj.get(f"/workbench/{lead.pk}/").content.decode()
    zjj.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = zjj.get(f"/workbench/{lead.pk}/").content.decode()
    assert "placed under supervision automatically" in page and "系统自动列入督办" not in page
