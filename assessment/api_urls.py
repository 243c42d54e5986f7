from django.urls import path

from assessment import api

urlpatterns = [
    path("appeals/", api.AppealListApi.as_view(), name="api-appeals"),
    path("appeals/submit/", api.AppealSubmitApi.as_view(), name="api-appeal-submit"),
    path("appeals/<int:appeal_id>/rule/", api.AppealRuleApi.as_view(), name="api-appeal-rule"),
]
