from django.contrib.auth import views as auth_views
from django.urls import path

from departments.login_guard import StaffLoginForm

urlpatterns = [
    # The form says when a locked-out account may try again (departments.login_guard).
    path("login/", auth_views.LoginView.as_view(authentication_form=StaffLoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
