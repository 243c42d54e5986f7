from django.urls import path

from assessment import (
    appeal_views,
    hot_topic_views,
    ranking_views,
    report_views,
    scorecard_views,
    territory,
    views,
    visit_views,
)

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("audit/ranking/", ranking_views.ranking_page, name="audit-ranking"),
    path("audit/territory/", territory.territory_page, name="audit-territory"),
    path("audit/reports/", report_views.reports, name="audit-reports"),
    path("audit/reports/preview/", report_views.preview, name="audit-report-preview"),
    path("audit/reports/publish/", report_views.publish, name="audit-report-publish"),
    path("audit/reports/<int:report_id>/", report_views.detail, name="audit-report"),
    path("audit/reports/<int:report_id>.xlsx", report_views.report_xlsx_download, name="audit-report-xlsx"),
    path("audit/reports/<int:report_id>.pdf", report_views.report_pdf_download, name="audit-report-pdf"),
    # demands.csv, events.xlsx, figures.csv…: the kind and format are checked by the view.
    path("audit/export/<slug:kind>.<slug:fmt>", views.export, name="audit-export"),
    path("audit/exports/<int:job_id>/", views.export_job, name="audit-export-job"),
    path("audit/exports/<int:job_id>/download/", views.export_job_download, name="audit-export-download"),
    # Beside the list's own pages (list/v<n>/…, none of which takes this path), as the impact
    # preview is: the maintainer finds a version's scorecard where the version is.
    path("list/v<int:number>/scorecard/", scorecard_views.version_scorecard_page, name="list-version-scorecard"),
    path(
        "api/v1/assessment/versions/<int:number>/scorecard/",
        scorecard_views.VersionScorecardApi.as_view(),
        name="api-version-scorecard",
    ),
    path("appeals/", appeal_views.appeals, name="appeals"),
    path("appeals/new/", appeal_views.appeal_new, name="appeal-new"),
    path("appeals/<int:appeal_id>/rule/", appeal_views.appeal_rule, name="appeal-rule"),
    path("appeals/<int:appeal_id>/evidence/", appeal_views.appeal_evidence, name="appeal-evidence"),
    path("appeals.csv", appeal_views.appeals_csv, name="appeals-csv"),
    path("audit/hot-topics/", hot_topic_views.hot_topics, name="audit-hot-topics"),
    path("audit/hot-topics/clusters/<int:notice_id>/", hot_topic_views.cluster, name="audit-hot-topic-cluster"),
    path("audit/hot-topics/adopt/", hot_topic_views.adopt, name="audit-hot-topics-adopt"),
    path("audit/hot-topics/key-problem/", hot_topic_views.key_problem, name="audit-hot-topics-key-problem"),
    path("visits/", visit_views.visits, name="visits"),
    path("visits/<int:visit_id>/", visit_views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/record/", visit_views.record, name="visit-record"),
    path("visits/<int:visit_id>/contact/", visit_views.disclose_contact, name="visit-contact"),
]
