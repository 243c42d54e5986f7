from django.urls import path

from assessment.api import RankingApi

urlpatterns = [
    path("ranking/", RankingApi.as_view(), name="api-assessment-ranking"),
]
