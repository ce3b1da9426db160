from django.urls import path

from phones.views import browse, create, export, imports, outbox, sync

app_name = "phones"

urlpatterns = [
    path("", browse.list_view, name="list"),
    path("export.csv", export.export_view, name="export"),
    path("new/", create.new_view, name="new"),
    path("queue/", outbox.outbox_view, name="outbox"),
    path("queue/entries/", outbox.outbox_entries_view, name="outbox_entries"),
    path("queue/<uuid:entry_id>/retry/", outbox.outbox_retry_view, name="outbox_retry"),
    path("queue/<uuid:entry_id>/discard/", outbox.outbox_discard_view, name="outbox_discard"),
    path("new/preview/", create.number_preview_view, name="number_preview"),
    path("pickers/<slug:kind>/", create.picker_view, name="picker"),
    path("import/", imports.import_new_view, name="import_new"),
    path("import/template.csv", imports.import_template_view, name="import_template"),
    path("import/<uuid:import_id>/", imports.import_detail_view, name="import_detail"),
    path("import/<uuid:import_id>/rows/<int:line>/", imports.import_row_view, name="import_row"),
    path("import/<uuid:import_id>/confirm/", imports.import_confirm_view, name="import_confirm"),
    path("import/<uuid:import_id>/progress/", imports.import_progress_view, name="import_progress"),
    path("sync/", sync.sync_view, name="sync"),
    path("sync/status/", sync.sync_status_view, name="sync_status"),
    path("<uuid:phone_id>/", browse.detail_view, name="detail"),
    path("<uuid:phone_id>/refresh/", sync.refresh_view, name="refresh"),
]
