from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

urlpatterns = [path("", admin_views.report, name="report")]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("email/", include((urlpatterns, "mailing_admin"), namespace="mailing_admin"))]


class EmailReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)


@hooks.register("register_reports_menu_item")
def register_email_report():
    return EmailReportMenuItem(
        _("Email"), reverse("mailing_admin:report"), icon_name="mail", order=900
    )


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(content_type__app_label="mailing", codename="view_delivery")
