from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Mail to readers about comments: replies to theirs, new comments on articles they
    follow, a daily digest. Listens to the comments app's signals; comments knows nothing
    of it."""

    name = "notifications"
    verbose_name = "Comment notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from comments.signals import comment_moderated, comment_submitted
        from mailing import services as mailing

        from . import receivers

        comment_submitted.connect(receivers.submitted, dispatch_uid="notifications.submitted")
        comment_moderated.connect(receivers.moderated, dispatch_uid="notifications.moderated")
        mailing.unsubscribed.connect(receivers.unsubscribed, dispatch_uid="notifications.unsub")
        mailing.address_confirmed.connect(
            receivers.confirmed, dispatch_uid="notifications.confirmed"
        )
        receivers.register_purpose()
