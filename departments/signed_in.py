"""The request of a signed-in staff member, typed so that services acting for someone get a `User`.

Django types `request.user` as `User | AnonymousUser`, true of any page. Behind a login the user
is a staff member: a view behind `login_required` or `role_required` takes a `StaffRequest`, and
an API view mixes in `SignedInApi`. Each type holds only behind a check made at run time before
the view's body: `login_required`, `is_signed_in`, or `SignedInApi.initial`; a page that an
anonymous visitor reaches keeps `HttpRequest` and narrows `request.user` itself."""

from __future__ import annotations

from typing import Any, TypeGuard

from django.contrib.auth.models import User
from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView


class StaffRequest(HttpRequest):
    user: User


class StaffApiRequest(Request):
    user: User


def is_signed_in(request: HttpRequest) -> TypeGuard[StaffRequest]:
    return request.user.is_authenticated


class SignedInApi(APIView):
    """An API view for signed-in staff only: its `request.user` is a `User`."""

    request: StaffApiRequest
    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # The permission classes have run; this keeps the type true should a subclass loosen them.
        if not request.user.is_authenticated:
            raise NotAuthenticated
