"""The shapes of GeoReport v2's answers and of a new request, for the OpenAPI schema and for
reading what a client sent."""

from __future__ import annotations

from rest_framework import serializers

from demands.models import CONTENT_MAX_LENGTH, DemandType
from responsibility_lists.models import Urgency


class Endpoint(serializers.Serializer):
    specification = serializers.CharField()
    url = serializers.CharField()
    changeset = serializers.CharField(allow_null=True)
    type = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())


class Discovery(serializers.Serializer):
    changeset = serializers.CharField(allow_null=True)
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = Endpoint(many=True)


class Service(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    metadata = serializers.BooleanField()
    type = serializers.ChoiceField(choices=["realtime", "batch", "blackbox"])
    keywords = serializers.CharField(allow_null=True)
    group = serializers.CharField(allow_null=True)


class AttributeValue(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class Attribute(serializers.Serializer):
    variable = serializers.BooleanField()
    code = serializers.CharField()
    datatype = serializers.CharField()
    # DRF takes declared fields off the class, so this does not shadow Field.required.
    required = serializers.BooleanField()  # type: ignore[assignment]
    datatype_description = serializers.CharField(allow_null=True)
    order = serializers.IntegerField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    values = AttributeValue(many=True)


class ServiceDefinition(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = Attribute(many=True)


class ServiceRequest(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField(allow_null=True)
    service_name = serializers.CharField(allow_null=True)
    service_code = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    agency_responsible = serializers.CharField(allow_null=True)
    service_notice = serializers.CharField(allow_null=True)
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField(allow_null=True)
    expected_datetime = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    address_id = serializers.CharField(allow_null=True)
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)
    media_url = serializers.URLField(allow_null=True)


class Created(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField(allow_null=True)
    account_id = serializers.CharField(allow_null=True)


class Token(serializers.Serializer):
    service_request_id = serializers.CharField()
    token = serializers.CharField()


class ServiceRequestInput(serializers.Serializer):
    """POST requests: GeoReport's fields. The citizen's name and phone are required as on our own
    form (they are how the citizen is told of the answer); e-mail, device and account ids are
    accepted and not kept."""

    api_key = serializers.CharField(help_text="the source system's key (manage.py create_source_system)")
    jurisdiction_id = serializers.CharField(required=False)
    service_code = serializers.CharField(max_length=32)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    long = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address_string = serializers.CharField(required=False, allow_blank=True, max_length=255)
    address_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    email = serializers.CharField(required=False, allow_blank=True)
    device_id = serializers.CharField(required=False, allow_blank=True)
    account_id = serializers.CharField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=32)
    last_name = serializers.CharField(max_length=32)
    phone = serializers.CharField(max_length=32)
    description = serializers.CharField(max_length=CONTENT_MAX_LENGTH)
    media_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    demand_type = serializers.ChoiceField(
        choices=DemandType.choices, required=False, allow_blank=True, help_text="attribute[demand_type]"
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, help_text="attribute[urgency]")
