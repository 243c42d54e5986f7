"""The demo a fresh clone gets: its demands and its district's past come from the repository alone."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management import call_command

from demands.models import Demand, DemandType, Reply
from demands.workflow import Status
from departments.geometry import contains
from departments.models import Department
from departments.selectors import resolve_location
from dispatch.management.commands import load_demo_demands
from routing.models import HistoricalCase, RoutingModel

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "routing" / "sample_data" / "demo_messages.csv"
DISTRICT = ROOT / "responsibility_lists" / "sample_data" / "district.json"


def _shipped() -> list[dict]:
    with SHIPPED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_shipped_message_names_a_department_of_the_sample_district():
    rows = _shipped()
    departments = {d["name"] for d in json.loads(DISTRICT.read_text(encoding="utf-8"))["departments"]}
    assert len(rows) >= 400 and SHIPPED.stat().st_size < 400_000
    assert len({row["id"] for row in rows}) == len(rows)
    unknown = {row["department"] for row in rows} - departments - {load_demo_demands.TERRITORIAL_LABEL}
    assert not unknown
    assert all(row["title"].strip() and row["body"].strip() for row in rows)


def test_territorial_messages_name_their_place(committed_sample_district):
    # A 属地 case is learned as the street office of the place it names; one naming no place
    # would be silently left out of the district's past.
    placeless = [
        row["title"]
        for row in _shipped()
        if row["department"] == load_demo_demands.TERRITORIAL_LABEL
        and resolve_location(row["title"], row["body"]).street_id is None
    ]
    assert placeless == []


def test_a_clone_without_the_shared_messages_gets_the_whole_demo(committed_sample_district, settings, tmp_path):
    # A clone with nothing beside it: ../shared/data/ is not there.
    settings.BASE_DIR = tmp_path / "clone"
    assert not (settings.BASE_DIR.parent / "shared" / "data" / "messages.csv").exists()
    settings.CELERY_TASK_ALWAYS_EAGER = True

    call_command("load_demo_demands", "--count", "20")

    rows = {row["title"][:200]: row for row in _shipped()}
    demands = list(Demand.objects.all())
    assert len(demands) == 20
    # Every demand is one of the shipped messages, and none of them is also in the past cases.
    assert all(d.title in rows for d in demands)
    shown = {rows[d.title]["id"] for d in demands}
    assert not HistoricalCase.objects.filter(external_id__in=shown).exists()
    # The rest is the district's past, learned from before the demands came in: a 属地 message
    # as the street office of its place, the centre's own answers to consultations not at all.
    past = HistoricalCase.objects.select_related("department")
    assert past.count() >= 300
    assert past.filter(department__kind="street").exists()
    assert not past.filter(department__code="ZXZX").exists()
    model = RoutingModel.objects.get(is_active=True)
    assert model.metrics["note"] == "demo history" and model.metrics["held_out"]["accuracy"] > 0.5
    assert model.sample_count == past.count()
    # Routed with what it learned: most go out at once to a real department.
    assert Demand.objects.exclude(status__in=(Status.SUBMITTED, Status.TRIAGE)).count() >= 4
    assert Department.objects.filter(assignments__demand__in=demands).exists()
    # Answered with the official reply the message came with, where it has one.
    answers = Reply.objects.filter(is_contribution=False).select_related("demand")
    assert answers.exists()
    for answer in answers:
        written = rows[answer.demand.title]["reply"].strip()
        assert answer.body == (written or load_demo_demands.GENERIC_REPLY)
    # Typed as their citizens would type them: by their words, some left to the dispatcher.
    types = {d.demand_type for d in demands}
    assert DemandType.HELP in types and DemandType.UNKNOWN in types and len(types) >= 3
    for d in demands:
        text = rows[d.title]["title"] + rows[d.title]["body"]
        if "举报" in text and not load_demo_demands.TYPE_WORDS[0][1].search(text):
            assert d.demand_type == DemandType.REPORT
    # Most carry a point inside their community's outline, so the public map has something to show.
    placed = [d for d in demands if d.latitude is not None]
    assert 10 <= len(placed) < 20
    assert all(
        d.community is not None and contains(d.community.boundary, float(d.longitude), float(d.latitude))
        for d in placed
    )


def test_a_demo_message_is_typed_by_its_words():
    assert load_demo_demands.demo_type("举报某餐馆无证经营，油烟扰民", 1) == DemandType.REPORT
    assert load_demo_demands.demo_type("请问居住证怎么办理", 1) == DemandType.QUESTION
    assert load_demo_demands.demo_type("感谢社区工作人员及时修好路灯", 1) == DemandType.PRAISE
    assert load_demo_demands.demo_type("小区门口路灯坏了", 1) == DemandType.HELP
    assert load_demo_demands.demo_type("小区门口路灯坏了", load_demo_demands.UNCLASSIFIED_EVERY) == DemandType.UNKNOWN
