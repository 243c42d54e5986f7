from django.urls import path
from rest_framework.settings import api_settings

from departments.api import LogoutApi, TokenObtainApi
from dispatch import api

urlpatterns = [
    # The token view names its own parsers; it takes the bounded JSON parser like the rest.
    path("auth/token/", TokenObtainApi.as_view(parser_classes=api_settings.DEFAULT_PARSER_CLASSES), name="api-token"),
    path("auth/logout/", LogoutApi.as_view(), name="api-logout"),
    path("citizen/demands/", api.DemandSubmitApi.as_view(), name="api-citizen-submit"),
    path("citizen/track/", api.CitizenTrackApi.as_view(), name="api-citizen-track"),
    path("citizen/rate/", api.CitizenRateApi.as_view(), name="api-citizen-rate"),
    path("citizen/reopen/", api.CitizenReopenApi.as_view(), name="api-citizen-reopen"),
    path("citizen/supplement/", api.CitizenSupplementApi.as_view(), name="api-citizen-supplement"),
    path("demands/", api.DemandListApi.as_view(), name="api-demands"),
    path("demands/<str:tracking_number>/", api.DemandDetailApi.as_view(), name="api-demand"),
    path("demands/<str:tracking_number>/dispatch/", api.DemandDispatchApi.as_view(), name="api-demand-dispatch"),
    path("demands/<str:tracking_number>/reject/", api.DemandRejectApi.as_view(), name="api-demand-reject"),
    path("demands/<str:tracking_number>/merge/", api.DemandMergeApi.as_view(), name="api-demand-merge"),
    path("returns/<int:return_id>/rule/", api.ReturnRuleApi.as_view(), name="api-return-rule"),
    path("extensions/<int:extension_id>/decide/", api.ExtensionDecideApi.as_view(), name="api-extension-decide"),
    path("assignments/", api.AssignmentListApi.as_view(), name="api-assignments"),
    path("assignments/<int:assignment_id>/sign/", api.AssignmentSignApi.as_view(), name="api-assignment-sign"),
    path(
        "assignments/<int:assignment_id>/reply/",
        api.AssignmentReplyApi.as_view(),
        name="api-assignment-reply",
    ),
    path(
        "assignments/<int:assignment_id>/contribute/",
        api.AssignmentContributeApi.as_view(),
        name="api-assignment-contribute",
    ),
    path(
        "assignments/<int:assignment_id>/return/",
        api.AssignmentReturnApi.as_view(),
        name="api-assignment-return",
    ),
    path(
        "assignments/<int:assignment_id>/extension/",
        api.AssignmentExtensionApi.as_view(),
        name="api-assignment-extension",
    ),
    path(
        "assignments/<int:assignment_id>/ask-citizen/",
        api.AssignmentAskCitizenApi.as_view(),
        name="api-assignment-ask-citizen",
    ),
    path(
        "assignments/<int:assignment_id>/stop-waiting/",
        api.AssignmentStopWaitingApi.as_view(),
        name="api-assignment-stop-waiting",
    ),
    path(
        "assignments/<int:assignment_id>/supervision/",
        api.AssignmentSupervisionAnswerApi.as_view(),
        name="api-assignment-supervision",
    ),
    path(
        "assignments/<int:assignment_id>/release/",
        api.AssignmentReleaseApi.as_view(),
        name="api-assignment-release",
    ),
]
