from django.apps import AppConfig


class CommentersConfig(AppConfig):
    name = "commenters"
    verbose_name = "Commenters' self-service"
    default_auto_field = "django.db.models.BigAutoField"
