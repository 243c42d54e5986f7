"""A citizen's browser, as after entering the demand's query code: the session grants the demand."""

from __future__ import annotations

from django.test import Client


def citizen_of(*demands) -> Client:
    citizen = Client()
    session = citizen.session
    session["citizen_demands"] = [demand.pk for demand in demands]
    session.save()
    return citizen
