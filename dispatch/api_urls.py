from django.urls import path
from rest_framework.settings import api_settings

from departments.api import LogoutApi, TokenObtainApi
from dispatch.api import cases, citizen, delegations, desk, instructions, knowledge, reviews

urlpatterns = [
    # The token view names its own parsers; it takes the bounded JSON parser like the rest.
    path("auth/token/", TokenObtainApi.as_view(parser_classes=api_settings.DEFAULT_PARSER_CLASSES), name="api-token"),
    path("auth/logout/", LogoutApi.as_view(), name="api-logout"),
    path("citizen/demands/", citizen.DemandSubmitApi.as_view(), name="api-citizen-submit"),
    path("citizen/track/", citizen.CitizenTrackApi.as_view(), name="api-citizen-track"),
    path("citizen/rate/", citizen.CitizenRateApi.as_view(), name="api-citizen-rate"),
    path("citizen/reopen/", citizen.CitizenReopenApi.as_view(), name="api-citizen-reopen"),
    path("citizen/supplement/", citizen.CitizenSupplementApi.as_view(), name="api-citizen-supplement"),
    path("demands/", desk.DemandListApi.as_view(), name="api-demands"),
    path("demands/<str:tracking_number>/", desk.DemandDetailApi.as_view(), name="api-demand"),
    path("demands/<str:tracking_number>/dispatch/", desk.DemandDispatchApi.as_view(), name="api-demand-dispatch"),
    path("demands/<str:tracking_number>/reject/", desk.DemandRejectApi.as_view(), name="api-demand-reject"),
    path("demands/<str:tracking_number>/merge/", desk.DemandMergeApi.as_view(), name="api-demand-merge"),
    path("demands/<str:tracking_number>/supervise/", desk.DemandSuperviseApi.as_view(), name="api-demand-supervise"),
    path("demands/<str:tracking_number>/convene/", instructions.DemandConveneApi.as_view(), name="api-demand-convene"),
    path(
        "demands/<str:tracking_number>/instructions/",
        instructions.DemandInstructionsApi.as_view(),
        name="api-demand-instructions",
    ),
    path(
        "demands/<str:tracking_number>/instructions/<int:instruction_id>/answer/",
        instructions.InstructionAnswerApi.as_view(),
        name="api-instruction-answer",
    ),
    path(
        "demands/<str:tracking_number>/phone-rating/",
        desk.DemandPhoneRatingApi.as_view(),
        name="api-demand-phone-rating",
    ),
    path(
        "demands/<str:tracking_number>/direct-answer/",
        knowledge.DemandDirectAnswerApi.as_view(),
        name="api-demand-direct-answer",
    ),
    path("knowledge/articles/", knowledge.ArticleListApi.as_view(), name="api-knowledge-articles"),
    path("knowledge/articles/<int:article_id>/", knowledge.ArticleDetailApi.as_view(), name="api-knowledge-article"),
    path("returns/<int:return_id>/rule/", desk.ReturnRuleApi.as_view(), name="api-return-rule"),
    path("extensions/<int:extension_id>/decide/", desk.ExtensionDecideApi.as_view(), name="api-extension-decide"),
    path("reviews/", reviews.ReviewListApi.as_view(), name="api-reviews"),
    path("reviews/<int:review_id>/decide/", reviews.ReviewDecisionApi.as_view(), name="api-review-decide"),
    path("assignments/", cases.AssignmentListApi.as_view(), name="api-assignments"),
    path("assignments/<int:assignment_id>/sign/", cases.AssignmentSignApi.as_view(), name="api-assignment-sign"),
    path(
        "assignments/<int:assignment_id>/reply/",
        cases.AssignmentReplyApi.as_view(),
        name="api-assignment-reply",
    ),
    path(
        "assignments/<int:assignment_id>/contribute/",
        cases.AssignmentContributeApi.as_view(),
        name="api-assignment-contribute",
    ),
    path(
        "assignments/<int:assignment_id>/return/",
        cases.AssignmentReturnApi.as_view(),
        name="api-assignment-return",
    ),
    path(
        "assignments/<int:assignment_id>/extension/",
        cases.AssignmentExtensionApi.as_view(),
        name="api-assignment-extension",
    ),
    path(
        "assignments/<int:assignment_id>/ask-citizen/",
        cases.AssignmentAskCitizenApi.as_view(),
        name="api-assignment-ask-citizen",
    ),
    path(
        "assignments/<int:assignment_id>/stop-waiting/",
        cases.AssignmentStopWaitingApi.as_view(),
        name="api-assignment-stop-waiting",
    ),
    path(
        "assignments/<int:assignment_id>/supervision/",
        cases.AssignmentSupervisionAnswerApi.as_view(),
        name="api-assignment-supervision",
    ),
    path(
        "assignments/<int:assignment_id>/delegate/",
        delegations.AssignmentDelegateApi.as_view(),
        name="api-assignment-delegate",
    ),
    path(
        "assignments/<int:assignment_id>/internal-assign/",
        delegations.AssignmentInternalAssignApi.as_view(),
        name="api-assignment-internal-assign",
    ),
    path("delegations/", delegations.DelegationListApi.as_view(), name="api-delegations"),
    path(
        "delegations/<int:delegation_id>/answer/",
        delegations.DelegationAnswerApi.as_view(),
        name="api-delegation-answer",
    ),
    path(
        "delegations/<int:delegation_id>/send-up/",
        delegations.DelegationSendUpApi.as_view(),
        name="api-delegation-send-up",
    ),
    path(
        "delegations/<int:delegation_id>/withdraw/",
        delegations.DelegationWithdrawApi.as_view(),
        name="api-delegation-withdraw",
    ),
    path(
        "assignments/<int:assignment_id>/release/",
        cases.AssignmentReleaseApi.as_view(),
        name="api-assignment-release",
    ),
]
