"""A citizen's browser, as after entering the demand's query code (the session grants the demand),
and the phones citizens are texted at."""

from __future__ import annotations

import re

from django.test import Client


def citizen_of(*demands) -> Client:
    citizen = Client()
    session = citizen.session
    session["citizen_demands"] = [demand.pk for demand in demands]
    session.save()
    return citizen


class Phones:
    """A text-message gateway for tests (`CITIZEN_MESSAGE_SENDER`): what each phone was sent."""

    sent: list[tuple[str, str, str]] = []  # (phone, text, reference)

    def send(self, phone: str, text: str, *, reference: str) -> None:
        Phones.sent.append((phone, text, reference))

    @classmethod
    def last_code(cls, phone: str) -> str:
        """The one-time code last texted to the phone."""
        texts = [text for to, text, reference in cls.sent if to == phone and reference.startswith("code-")]
        return re.search(r"\d{6}", texts[-1]).group(0)
