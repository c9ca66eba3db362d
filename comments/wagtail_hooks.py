from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

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
        content_type__app_label="comments", codename__in=["change_comment", "delete_comment"]
    )
