from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from comments import converters  # noqa: F401  (registers row_id)

from . import admin_views

urlpatterns = [
    path("", admin_views.index, name="index"),
    path("<row_id:subscription_id>/remove/", admin_views.remove, name="remove"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "subscriptions/",
            include((urlpatterns, "notifications_admin"), namespace="notifications_admin"),
        )
    ]


class SubscriptionsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)


@hooks.register("register_admin_menu_item")
def register_subscriptions_menu_item():
    return SubscriptionsMenuItem(
        _("Comment followers"),
        reverse("notifications_admin:index"),
        icon_name="mail",
        order=253,
    )
