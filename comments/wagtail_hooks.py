from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .apps import MODERATOR_PERMISSIONS
from .models import Commenter, ModerationRule

app_name = "comments_admin"
urlpatterns = [
    path("", admin_views.index, name="index"),
    path("act/", admin_views.act, name="act"),
    path("<int:comment_id>/edit/", admin_views.edit, name="edit"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("comments/", include((urlpatterns, "comments_admin"), namespace="comments_admin"))]


class CommentsMenuItem(MenuItem):
    """'Comments', with the number of comments waiting for a decision."""

    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)

    def render_component(self, request):
        component = super().render_component(request)
        count = admin_views.pending_count()
        if count:
            component.label = _("Comments (%(count)d pending)") % {"count": count}
        return component


@hooks.register("register_admin_menu_item")
def register_comments_menu_item():
    return CommentsMenuItem(
        _("Comments"), reverse("comments_admin:index"), icon_name="comment", order=250
    )


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(
        content_type__app_label="comments", codename__in=MODERATOR_PERMISSIONS
    )


class ModerationRuleViewSet(SnippetViewSet):
    model = ModerationRule
    icon = "warning"
    menu_label = _("Comment rules")
    menu_name = "comment-rules"
    add_to_admin_menu = True
    menu_order = 251
    list_display = ["value", "kind", "action", "created_at"]
    list_filter = ["kind", "action"]
    search_fields = ["value"]


class CommenterViewSet(SnippetViewSet):
    model = Commenter
    icon = "user"
    menu_label = _("Trusted and banned commenters")
    menu_name = "commenters"
    add_to_admin_menu = True
    menu_order = 252
    list_display = ["email", "standing", "updated_at"]
    list_filter = ["standing"]
    search_fields = ["email"]
    panels = [FieldPanel("email"), FieldPanel("standing"), FieldPanel("note")]


register_snippet(ModerationRuleViewSet)
register_snippet(CommenterViewSet)
