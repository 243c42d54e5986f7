"""The signed-in request types hold at run time: a view typed for a staff member never runs for an
anonymous visitor, even where its permissions were loosened by mistake."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from departments.signed_in import SignedInApi, StaffApiRequest, is_signed_in
from tests.factories import make_user


class LoosenedApi(SignedInApi):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request: StaffApiRequest) -> Response:
        return Response({"user": request.user.username})


def test_an_api_view_for_staff_refuses_an_anonymous_caller_whatever_its_permissions():
    response = LoosenedApi.as_view()(APIRequestFactory().get("/"))
    assert response.status_code in (401, 403)
    assert "user" not in response.data


def test_a_request_is_signed_in_only_with_a_user_who_signed_in(db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert not is_signed_in(request)
    request.user = make_user("li")
    assert is_signed_in(request)
