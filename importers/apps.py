from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "importers"
    verbose_name = "Imports and exports"
    default_auto_field = "django.db.models.BigAutoField"
