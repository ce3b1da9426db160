from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic.base import RedirectView

from phones.forms import LoginForm

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="phones:list", permanent=False)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("phones/", include("phones.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "phones.views.errors.permission_denied"
handler404 = "phones.views.errors.page_not_found"
handler500 = "phones.views.errors.server_error"
