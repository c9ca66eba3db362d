from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What Wagtail's Editors group gets: newsletters, their issues and their subscribers.
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("newsletter", "issue", "issueitem")
    for action in ("add", "change", "delete", "view")
]


def grant_editors(sender, using="default", **kwargs):
    """Wagtail's Editors group runs the newsletters."""
    from comments.apps import grant_to_group

    grant_to_group(sender, "Editors", EDITOR_PERMISSIONS, using)


class NewslettersConfig(AppConfig):
    """The newsroom's newsletters: sign-up, issues put together from the latest articles or
    by hand, an archive, and sending through the mailing app's one path (double opt-in,
    the worker's outbox, one-click unsubscribe, bounces)."""

    name = "newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from mailing import services as mailing

        from . import receivers
        from .models import Newsletter

        post_migrate.connect(grant_editors, sender=self)

        for signal in (post_save, post_delete):
            # The sign-up box on cached pages lists the open newsletters.
            signal.connect(
                receivers.newsletters_changed,
                sender=Newsletter,
                dispatch_uid=f"newsletters.changed.{signal is post_save}",
            )
        mailing.unsubscribed.connect(receivers.unsubscribed, dispatch_uid="newsletters.unsub")
        mailing.address_confirmed.connect(receivers.confirmed, dispatch_uid="newsletters.confirmed")
        receivers.register_purpose()
