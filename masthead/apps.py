from django.apps import AppConfig


class MastheadConfig(AppConfig):
    name = "masthead"
    verbose_name = "masthead"

    def ready(self):
        from . import checks  # noqa: F401  (registers them)
