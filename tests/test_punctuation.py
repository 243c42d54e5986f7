"""Marks between the words a template joins follow the page's language: full-width in Chinese,
English punctuation on an English page (no "Rating（4/5）：…" in English)."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from demands.services import demand_rate
from dispatch.models import Assignment
from dispatch.services import assignment_contribute, assignment_reply, assignment_sign
from tests.citizens import citizen_of

JOINED = Template(
    "{% load punctuation %}受理编号{% colon %}PS-1{% open_paren %}主办{% close_paren %}"
    "{{ names|join_words }}{% full_stop %}{% dash %}"
)


def _render(language: str, names: list[str]) -> str:
    with translation.override(language):
        return JOINED.render(Context({"names": names}))


def test_the_marks_are_the_languages_own():
    assert _render("zh-hans", ["住建局", "城管局"]) == "受理编号：PS-1（主办）住建局、城管局。——"
    assert _render("en", ["住建局", "城管局"]) == "受理编号: PS-1 (主办)住建局, 城管局.  — "


def test_joined_words_are_escaped():
    assert _render("en", ["<b>", "A&B"]).count("&lt;b&gt;, A&amp;B") == 1


def test_an_english_tracking_page_writes_the_rating_in_english_punctuation(district, submit):
    demand = submit().demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    assist = Assignment.objects.get(demand=demand, role="assist")
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标。")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工。")
    demand_rate(demand=demand, rating=4, comment="处理及时")
    citizen = citizen_of(demand)
    chinese = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert "（4/5）：处理及时" in chinese
    citizen.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = citizen.get(f"/track/{demand.tracking_number}/").content.decode()
    assert " (4/5): 处理及时" in english and "（4/5）" not in english
