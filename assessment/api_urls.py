from django.urls import path

from assessment.api import HotTopicsApi

urlpatterns = [
    path("hot-topics/", HotTopicsApi.as_view(), name="api-hot-topics"),
]
