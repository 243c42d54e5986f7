from django.urls import path

from assessment import ranking_views, views

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("audit/ranking/", ranking_views.ranking_page, name="audit-ranking"),
    # demands.csv, events.xlsx, figures.csv…: the kind and format are checked by the view.
    path("audit/export/<slug:kind>.<slug:fmt>", views.export, name="audit-export"),
    path("audit/exports/<int:job_id>/", views.export_job, name="audit-export-job"),
    path("audit/exports/<int:job_id>/download/", views.export_job_download, name="audit-export-download"),
]
