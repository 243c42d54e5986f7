from django.urls import path

from departments import views

urlpatterns = [
    path("", views.working_calendar, name="working-calendar"),
]
