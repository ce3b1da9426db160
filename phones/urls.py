from django.urls import path

from phones import views

app_name = "phones"

urlpatterns = [
    path("", views.phone_list, name="list"),
    path("export.csv", views.phone_export, name="export"),
    path("new/", views.phone_new, name="new"),
    path("queue/", views.outbox_list, name="outbox"),
    path("queue/entries/", views.outbox_entries, name="outbox_entries"),
    path("queue/<uuid:entry_id>/retry/", views.outbox_retry, name="outbox_retry"),
    path("queue/<uuid:entry_id>/discard/", views.outbox_drop, name="outbox_discard"),
    path("new/preview/", views.number_preview, name="number_preview"),
    path("pickers/<slug:kind>/", views.picker_options, name="picker"),
    path("sync/", views.sync_start, name="sync"),
    path("sync/status/", views.sync_status, name="sync_status"),
    path("<uuid:phone_id>/", views.phone_detail, name="detail"),
    path("<uuid:phone_id>/refresh/", views.phone_refresh, name="refresh"),
]
