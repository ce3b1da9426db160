from django.contrib import admin

from phones.models import AuditEntry, Company, Person, Phone, SyncRun, Workspace


@admin.register(Phone)
class PhoneAdmin(admin.ModelAdmin):
    list_display = ["e164_number", "label", "is_primary", "is_verified", "upstream_created_at"]
    list_filter = ["label", "is_primary", "is_verified", "country_code", "workspaces"]
    list_per_page = 50
    search_fields = [
        "e164_number",
        "national_number",
        "people__full_name",
        "people__email",
        "companies__name",
        "companies__domain",
        "workspaces__name",
    ]
    autocomplete_fields = ["people", "companies", "workspaces"]
    readonly_fields = ["fetched_at"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "job_title"]
    search_fields = ["full_name", "email"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "domain"]
    search_fields = ["name", "domain"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "external_workspace_id"]
    search_fields = ["name", "external_workspace_id"]


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "full", "pages", "records", "created", "updated"]
    list_filter = ["status", "full"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "upstream_id", "trace_id", "client_ip"]
    list_filter = ["action"]
    # A request id from a log line finds what that request did.
    search_fields = ["upstream_id", "trace_id", "request_id", "actor__username"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
