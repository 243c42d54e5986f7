from django.urls import path

from assessment import appeal_views, views

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    # demands.csv, events.xlsx, figures.csv…: the kind and format are checked by the view.
    path("audit/export/<slug:kind>.<slug:fmt>", views.export, name="audit-export"),
    path("audit/exports/<int:job_id>/", views.export_job, name="audit-export-job"),
    path("audit/exports/<int:job_id>/download/", views.export_job_download, name="audit-export-download"),
    path("appeals/", appeal_views.appeals, name="appeals"),
    path("appeals/new/", appeal_views.appeal_new, name="appeal-new"),
    path("appeals/<int:appeal_id>/rule/", appeal_views.appeal_rule, name="appeal-rule"),
    path("appeals.csv", appeal_views.appeals_csv, name="appeals-csv"),
]
