from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save

# What Wagtail's Moderators group gets: every decision on comments and commenters.
MODERATOR_PERMISSIONS = ["change_comment", "delete_comment", "trust_commenter", "ban_commenter"]


def grant_to_group(app_config, group_name: str, codenames, using: str) -> None:
    """After migrate: give one of Wagtail's groups (Moderators, Editors) these permissions
    of `app_config`'s models, on every site. Nothing when the group is not there."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # This app's permissions may not exist yet when this receiver runs first.
    create_permissions(app_config, verbosity=0, using=using)
    group = Group.objects.using(using).filter(name=group_name).first()
    if group is None:
        return
    permissions = Permission.objects.using(using).filter(
        content_type__app_label=app_config.label, codename__in=list(codenames)
    )
    group.permissions.add(*permissions)


def grant_moderators(sender, using="default", **kwargs):
    """Wagtail's Moderators group moderates comments too, on every site."""
    grant_to_group(sender, "Moderators", MODERATOR_PERMISSIONS, using)


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import live, signals
        from .models import ModerationRule
        from .moderation.checks import forget_rules

        post_migrate.connect(grant_moderators, sender=self)
        signals.thread_changed.connect(live.thread_changed, dispatch_uid="comments.live")
        # A rule changed here applies to this process's next comment at once.
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(forget_rules, sender=ModerationRule, dispatch_uid=f"rules.{name}")
