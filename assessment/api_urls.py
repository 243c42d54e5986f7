from django.urls import path

from assessment import appeal_api, hot_topic_api, report_api, visit_api
from assessment.api import FiguresApi, RankingApi

urlpatterns = [
    path("ranking/", RankingApi.as_view(), name="api-assessment-ranking"),
    path("figures/", FiguresApi.as_view(), name="api-assessment-figures"),
    path("appeals/", appeal_api.AppealListApi.as_view(), name="api-appeals"),
    path("appeals/submit/", appeal_api.AppealSubmitApi.as_view(), name="api-appeal-submit"),
    path("appeals/<int:appeal_id>/rule/", appeal_api.AppealRuleApi.as_view(), name="api-appeal-rule"),
    path("reports/", report_api.ReportListApi.as_view(), name="api-reports"),
    path("reports/publish/", report_api.ReportPublishApi.as_view(), name="api-report-publish"),
    path("reports/<int:report_id>/", report_api.ReportDetailApi.as_view(), name="api-report"),
    path("reports/<int:report_id>/xlsx/", report_api.ReportXlsxApi.as_view(), name="api-report-xlsx"),
    path("reports/<int:report_id>/pdf/", report_api.ReportPdfApi.as_view(), name="api-report-pdf"),
    path("hot-topics/", hot_topic_api.HotTopicsApi.as_view(), name="api-hot-topics"),
    path("key-problems/adopt/", hot_topic_api.KeyProblemAdoptApi.as_view(), name="api-key-problem-adopt"),
    path("key-problems/<int:problem_id>/", hot_topic_api.KeyProblemUpdateApi.as_view(), name="api-key-problem-update"),
    path("visits/", visit_api.VisitListApi.as_view(), name="api-visits"),
    path("visits/<int:visit_id>/record/", visit_api.VisitRecordApi.as_view(), name="api-visit-record"),
]
