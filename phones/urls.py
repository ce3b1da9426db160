from django.urls import path

from phones import views

app_name = "phones"

urlpatterns = [
    path("", views.phone_list, name="list"),
    path("new/", views.phone_new, name="new"),
    path("new/preview/", views.number_preview, name="number_preview"),
    path("pickers/<slug:kind>/", views.picker_options, name="picker"),
    path("<uuid:phone_id>/", views.phone_detail, name="detail"),
]
