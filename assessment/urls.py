from django.urls import path

from assessment import hot_topic_views, views

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    # demands.csv, events.xlsx, figures.csv…: the kind and format are checked by the view.
    path("audit/export/<slug:kind>.<slug:fmt>", views.export, name="audit-export"),
    path("audit/exports/<int:job_id>/", views.export_job, name="audit-export-job"),
    path("audit/exports/<int:job_id>/download/", views.export_job_download, name="audit-export-download"),
    path("audit/hot-topics/", hot_topic_views.hot_topics, name="audit-hot-topics"),
    path("audit/hot-topics/adopt/", hot_topic_views.adopt, name="audit-hot-topics-adopt"),
    path("audit/hot-topics/key-problem/", hot_topic_views.key_problem, name="audit-hot-topics-key-problem"),
]
