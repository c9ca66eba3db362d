from django.apps import AppConfig


class MailingConfig(AppConfig):
    """Mail to readers: confirmed addresses, limits, an outbox sent by the worker, and
    unsubscribing. Knows nothing of what the mail is about; other apps use services.py."""

    name = "mailing"
    verbose_name = "Mailing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from anymail.signals import tracking

        from . import bounces

        tracking.connect(bounces.tracking_event, dispatch_uid="mailing.tracking")
