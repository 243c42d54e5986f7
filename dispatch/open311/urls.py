from django.urls import re_path

from dispatch.open311 import views

FORMAT = r"\.(?P<format>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, views.DiscoveryView.as_view(), name="open311-discovery"),
    re_path(r"^services" + FORMAT, views.ServicesView.as_view(), name="open311-services"),
    re_path(
        r"^services/(?P<service_code>[\w-]{1,32})" + FORMAT,
        views.ServiceDefinitionView.as_view(),
        name="open311-service",
    ),
    re_path(r"^requests" + FORMAT, views.RequestsView.as_view(), name="open311-requests"),
    re_path(
        r"^requests/(?P<service_request_id>[\w-]{1,32})" + FORMAT, views.RequestView.as_view(), name="open311-request"
    ),
    re_path(r"^tokens/(?P<token>[\w-]{1,64})" + FORMAT, views.TokenView.as_view(), name="open311-token"),
]
