from django.urls import path

from assessment import views, visit_views

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    # demands.csv, events.xlsx, figures.csv…: the kind and format are checked by the view.
    path("audit/export/<slug:kind>.<slug:fmt>", views.export, name="audit-export"),
    path("audit/exports/<int:job_id>/", views.export_job, name="audit-export-job"),
    path("audit/exports/<int:job_id>/download/", views.export_job_download, name="audit-export-download"),
    path("visits/", visit_views.visits, name="visits"),
    path("visits/<int:visit_id>/", visit_views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/record/", visit_views.record, name="visit-record"),
    path("visits/<int:visit_id>/contact/", visit_views.disclose_contact, name="visit-contact"),
]
