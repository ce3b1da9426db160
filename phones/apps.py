from django.apps import AppConfig


class PhonesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "phones"
    verbose_name = "WellApp phones"

    def ready(self) -> None:
        from phones import signals  # noqa: F401  (connects the login audit)
        from phones.error_reports import error_reports_start

        error_reports_start()
