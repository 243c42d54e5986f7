"""The audit trail cannot be altered without trace: the database refuses every change to events
and contact disclosures (bulk, raw SQL, backdated or out-of-chain inserts), and what someone who
drops the guards changes anyway, `verify_audit_log` names, down to a deleted last event, which
only the signed checkpoints can show."""

from __future__ import annotations

import io
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.test import Client

from demands.audit_chain import BackdatedRecord, checkpoint_write
from demands.models import AppendOnlyError, AuditCheckpoint, CitizenMessage, ContactDisclosure, DemandEvent
from demands.services import demand_disclose_contact, demand_transition
from demands.workflow import Action

GUARDS = import_module("demands.migrations.0015_append_only_audit_tables")


def _refused(sql: str, params: list | None = None) -> None:
    refused = pytest.raises(DatabaseError, match=r"append-only|out of its chain|dated before")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _guards_dropped() -> None:
    """What a database administrator can do: take the triggers away (inside the test's
    transaction, so they come back after it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(GUARDS._postgres_sql()[1])
        else:
            for statement in GUARDS.sqlite_statements()[1]:
                cursor.execute(statement)


def _raw_delete(where: str = "", params: list | None = None) -> None:
    """Delete events as raw SQL would, with what refers to them (text messages, notices) first,
    so the test database's own foreign keys stay whole."""
    with connection.cursor() as cursor:
        inner = f"SELECT id FROM demands_demandevent {where}"
        cursor.execute(f"DELETE FROM demands_citizenmessage WHERE event_id IN ({inner})", params or [])
        cursor.execute(f"DELETE FROM dispatch_notification WHERE event_id IN ({inner})", params or [])
        cursor.execute(f"DELETE FROM demands_demandevent {where}", params or [])


def _verify() -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


@pytest.fixture
def trail(district, submit):
    """Two demands with a few events each, and a disclosure of one's contact details."""
    one, other = submit().demand, submit(title="路灯不亮", content="小区门口的路灯坏了一个星期").demand
    disclosure = demand_disclose_contact(demand=one, user=district.users["dispatcher"], purpose="回访核实")
    return {"one": one, "other": other, "disclosure": disclosure}


def test_the_database_refuses_every_change_to_events(trail):
    one = trail["one"]
    event = one.events.order_by("seq").first()
    texted = CitizenMessage.objects.values("event_id")
    for change in (
        lambda: DemandEvent.objects.filter(demand=one).update(reason="改过了"),
        lambda: DemandEvent.objects.filter(demand=one).exclude(pk__in=texted).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    _refused("UPDATE demands_demandevent SET reason = 'x' WHERE id = %s", [event.pk])
    _refused("DELETE FROM demands_demandevent WHERE id = %s", [event.pk])
    with pytest.raises(AppendOnlyError):
        event.save()
    assert DemandEvent.objects.get(pk=event.pk).reason == event.reason
    assert DemandEvent.objects.filter(demand=one).count() == one.events.count() > 0


def test_a_disclosure_cannot_be_edited_or_removed(trail):
    disclosure = trail["disclosure"]
    disclosure.purpose = "随便看看"
    with pytest.raises(AppendOnlyError):
        disclosure.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ContactDisclosure.objects.filter(pk=disclosure.pk).update(purpose="随便看看")
    _refused("UPDATE demands_contactdisclosure SET purpose = 'x' WHERE id = %s", [disclosure.pk])
    _refused("DELETE FROM demands_contactdisclosure WHERE id = %s", [disclosure.pk])
    assert ContactDisclosure.objects.get(pk=disclosure.pk).purpose == "回访核实"


def test_a_disclosure_out_of_its_chain_or_backdated_is_refused(trail, district):
    disclosure = trail["disclosure"]
    insert = (
        "INSERT INTO demands_contactdisclosure (demand_id, user_id, purpose, created_at, seq, prev_hash, row_hash)"
        " VALUES (%s, %s, '另有用途', %s, %s, %s, 'forged')"
    )
    user = district.users["dispatcher"].pk
    later, earlier = disclosure.created_at + timedelta(hours=1), disclosure.created_at - timedelta(hours=1)
    _refused(insert, [disclosure.demand_id, user, later, disclosure.seq + 1, "not-the-last-hash"])
    _refused(insert, [disclosure.demand_id, user, later, disclosure.seq, disclosure.row_hash])
    _refused(insert, [disclosure.demand_id, user, earlier, disclosure.seq + 1, disclosure.row_hash])
    assert ContactDisclosure.objects.filter(demand_id=disclosure.demand_id).count() == 1


def test_a_backdated_event_is_refused(trail):
    one = trail["one"]
    last = one.events.order_by("-seq").first()
    earlier = last.created_at - timedelta(hours=1)
    with pytest.raises(BackdatedRecord), transaction.atomic():
        DemandEvent.objects.create(
            demand=one, action="note", from_status=one.status, to_status=one.status, actor_label="x", created_at=earlier
        )
    # Around the services, in SQL, with the chain's next place and link filled in: still refused.
    _refused(
        "INSERT INTO demands_demandevent (demand_id, action, from_status, to_status, actor_label, reason, data,"
        " is_public, created_at, seq, prev_hash, row_hash) VALUES (%s, 'note', '', 'x', 'x', '', '{}', true, %s,"
        " %s, %s, 'forged')",
        [one.pk, earlier, last.seq + 1, last.row_hash],
    )
    # Nor can a row be slipped in without its place in the chain.
    _refused(
        "INSERT INTO demands_demandevent (demand_id, action, from_status, to_status, actor_label, reason, data,"
        " is_public, created_at, seq, prev_hash, row_hash) VALUES (%s, 'note', '', 'x', 'x', '', '{}', true, %s,"
        " %s, '', 'forged')",
        [one.pk, last.created_at + timedelta(hours=1), 1],
    )
    assert one.events.count() == last.seq


def test_an_intact_trail_verifies(trail):
    # Values as the database gives them back (jsonb returns a large whole float as an int).
    data = {"confidence": 0.3, "large": 1e20, "nested": {"list": [1.0, "甲", None]}}
    with transaction.atomic():
        demand_transition(
            demand_id=trail["one"].pk, action=Action.FOLLOW_UP, actor=None, actor_label="citizen", data=data
        )
    checkpoint_write()
    intact, output = _verify()
    assert intact, output
    assert "审计日志完整" in output and f"{DemandEvent.objects.count()} 条事件" in output


def test_verify_names_an_event_changed_behind_the_triggers(trail):
    one = trail["one"]
    event = one.events.order_by("seq").first()
    _guards_dropped()
    DemandEvent.objects.filter(pk=event.pk).update(reason="从未受理")
    intact, output = _verify()
    assert not intact
    assert f"#{event.pk} · {one.tracking_number}" in output and "被修改" in output


def test_verify_names_a_disclosure_changed_behind_the_triggers(trail):
    disclosure = trail["disclosure"]
    _guards_dropped()
    ContactDisclosure.objects.filter(pk=disclosure.pk).update(purpose="另有用途")
    intact, output = _verify()
    assert not intact and f"#{disclosure.pk} · {trail['one'].tracking_number}" in output


def test_verify_names_an_event_removed_from_the_middle(trail):
    one = trail["one"]
    with transaction.atomic():
        demand_transition(demand_id=one.pk, action=Action.FOLLOW_UP, actor=None, actor_label="citizen", reason="催一下")
    _first, second, third = one.events.order_by("seq")[:3]
    _guards_dropped()
    _raw_delete("WHERE id = %s", [second.pk])
    intact, output = _verify()
    assert not intact and f"#{third.pk} · {one.tracking_number}" in output and "被删除" in output


def test_a_deleted_last_event_shows_against_the_checkpoint(trail):
    """A demand's own chain ends where its last event was cut off and still looks whole: the
    signed checkpoint remembers where it ended."""
    other = trail["other"]
    last = other.events.order_by("-seq").first()
    checkpoint_write()
    assert _verify()[0]
    _guards_dropped()
    _raw_delete("WHERE id = %s", [last.pk])
    intact, output = _verify()
    assert not intact
    assert f"#{last.pk} · {other.tracking_number}" in output and "校验点" in output


def test_an_emptied_table_and_a_changed_checkpoint_show(trail):
    checkpoint_write()
    _guards_dropped()
    _raw_delete()
    assert not _verify()[0]
    AuditCheckpoint.objects.update(event_count=0)
    intact, output = _verify()
    assert not intact and "校验点" in output and "被修改" in output


def test_checkpoints_record_only_heads_that_moved(trail, district):
    first = checkpoint_write()
    assert first.heads.count() == 3  # two demands' events, one demand's disclosures
    demand_disclose_contact(demand=trail["other"], user=district.users["dispatcher"], purpose="回访")
    second = checkpoint_write()
    assert [(h.kind, h.demand_id, h.seq) for h in second.heads.all()] == [("disclosure", trail["other"].pk, 1)]
    assert second.prev_signature == first.signature
    assert _verify()[0]


def test_the_migration_chains_the_rows_written_before_it(trail):
    """Rows written before the chain existed get their places, links and hashes, and verify."""
    _guards_dropped()
    for model in (DemandEvent, ContactDisclosure):
        model.objects.update(seq=F("seq") + 1000, prev_hash="", row_hash="")
    import_module("demands.migrations.0014_fill_audit_chains").fill(django_apps, None)
    intact, output = _verify()
    assert intact, output
    assert sorted(trail["one"].events.values_list("seq", flat=True)) == list(range(1, trail["one"].events.count() + 1))


def test_the_admin_shows_the_trail_read_only(trail, admin_client: Client):
    event = trail["one"].events.first()
    url = f"/admin/demands/demandevent/{event.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"reason": "改"}).status_code == 403
    assert admin_client.post(f"/admin/demands/demandevent/{event.pk}/delete/").status_code == 403
    disclosure = trail["disclosure"]
    assert admin_client.post(f"/admin/demands/contactdisclosure/{disclosure.pk}/delete/").status_code == 403


def test_a_submission_opens_its_demands_chain_and_no_second_opening_is_taken(trail):
    """The submission's event is written as the chain's first row without looking the chain up;
    the database still refuses a second "first" row for the same demand."""
    first = trail["one"].events.order_by("seq").first()
    assert (first.action, first.seq, first.prev_hash) == (Action.SUBMIT, 1, "")
    assert _verify()[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        DemandEvent.first_of_new_demand(
            demand=trail["one"],
            action=Action.SUBMIT,
            from_status="",
            to_status="submitted",
            actor_label="citizen",
            created_at=first.created_at,
        )
    assert _verify()[0]
