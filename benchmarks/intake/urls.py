"""The platform's URLs, and a bare DRF create endpoint on the same table: the floor of what a
create costs through Django, DRF and PostgreSQL here, with none of intake's rules (validation
beyond the model's, the tracking number, the query code, the event, the citizen's message, the
repeat check, the limits or routing). Served only by the benchmark's settings."""

from __future__ import annotations

import uuid

from django.urls import path
from django.utils import timezone
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from config.urls import urlpatterns as platform_urlpatterns
from demands.models import Demand


class BareDemand(serializers.ModelSerializer):
    class Meta:
        model = Demand
        fields = ["id", "title", "content", "citizen_name", "citizen_phone", "location_text"]


class BareCreate(generics.CreateAPIView):
    serializer_class = BareDemand
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    def perform_create(self, serializer: BareDemand) -> None:
        serializer.save(
            tracking_number=f"BARE-{uuid.uuid4().hex[:24]}", query_code_hash="", submitted_at=timezone.now()
        )


urlpatterns = [path("bench/bare-create/", BareCreate.as_view()), *platform_urlpatterns]
