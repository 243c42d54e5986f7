from django.urls import path

from assessment import visit_api

urlpatterns = [
    path("visits/", visit_api.VisitListApi.as_view(), name="api-visits"),
    path("visits/<int:visit_id>/record/", visit_api.VisitRecordApi.as_view(), name="api-visit-record"),
]
