"""The demo's review of replies: one department reviews, one reply waits for its head, one was
sent back to the handler with a note; loading it again changes nothing."""

from __future__ import annotations

from django.core.management import call_command

from demands.models import Reply
from departments.models import Department, Role
from dispatch.management.commands import load_demo_reviews
from dispatch.models import ReplyReview, ReviewStatus
from tests.citizens import STALL
from tests.factories import make_user


def test_the_demo_has_a_reply_waiting_and_one_sent_back(district, submit):
    head = make_user("cgj_head", Role.HEAD, district.departments["CGJ"])
    first, second = submit(**STALL).demand, submit(**STALL).demand

    call_command("load_demo_reviews")

    assert Department.objects.get(code="CGJ").reply_needs_review
    waiting = ReplyReview.objects.get(status=ReviewStatus.PENDING)
    sent_back = ReplyReview.objects.get(status=ReviewStatus.SENT_BACK)
    assert waiting.body == load_demo_reviews.WAITING and sent_back.note == load_demo_reviews.SENT_BACK_NOTE
    assert sent_back.reviewer == head and {waiting.assignment.demand, sent_back.assignment.demand} == {first, second}
    assert not Reply.objects.exists()  # the citizens have heard nothing yet

    call_command("load_demo_reviews")
    assert ReplyReview.objects.count() == 2


def test_without_a_department_to_show_it_the_demo_says_so(district, capsys):
    call_command("load_demo_reviews")
    assert "No demo review" in capsys.readouterr().out
    assert not ReplyReview.objects.exists()
