"""Newsletters in the Wagtail admin: editors define newsletters and put issues together
(InlinePanel of articles); each issue's page has Preview, Send a test, Schedule and Send;
the Subscribers page has counts, growth, CSV export and import, and bounce lists."""

from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from comments import converters  # noqa: F401  (registers row_id)

from . import admin_views
from .models import Issue, Newsletter


class NewsletterViewSet(ModelViewSet):
    model = Newsletter
    url_prefix = "newsletters"
    icon = "mail"
    menu_label = _("Newsletters")
    add_to_admin_menu = False
    list_display = ["name", "schedule", "content", "is_active"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        MultiFieldPanel(
            [
                FieldPanel("schedule"),
                FieldRowPanel([FieldPanel("send_time"), FieldPanel("weekday")]),
            ],
            heading=_("When it goes out"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("content"),
                FieldPanel("sections"),
                FieldPanel("topics"),
                FieldPanel("max_articles"),
            ],
            heading=_("What goes in"),
        ),
        FieldPanel("sort_order"),
    ]


class IssueEditView(EditView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        pk = self.object.pk
        buttons.append(
            HeaderButton(
                _("Preview"),
                url=reverse("newsletters_admin:preview", args=[pk]),
                icon_name="view",
                attrs={"target": "_blank", "rel": "noopener"},
            )
        )
        buttons.append(
            HeaderButton(
                _("Send a test, schedule or send"),
                url=reverse("newsletters_admin:send", args=[pk]),
                icon_name="mail",
            )
        )
        return buttons


class IssueViewSet(ModelViewSet):
    model = Issue
    url_prefix = "newsletter-issues"
    icon = "doc-full"
    menu_label = _("Issues")
    add_to_admin_menu = False
    edit_view_class = IssueEditView
    list_display = ["__str__", "newsletter", "status", Column("send_at"), Column("recipients")]
    list_filter = ["newsletter", "status"]
    panels = [
        FieldPanel("newsletter"),
        FieldPanel("date"),
        FieldPanel("subject"),
        FieldPanel("intro"),
        InlinePanel("items", heading=_("Articles"), label=_("Article")),
    ]


class NewsletterGroup(ViewSetGroup):
    menu_label = _("Newsletters")
    menu_icon = "mail"
    menu_order = 260
    items = (NewsletterViewSet("newsletter_definitions"), IssueViewSet("newsletter_issues"))


@hooks.register("register_admin_viewset")
def register_viewsets():
    return NewsletterGroup()


urlpatterns = [
    path("subscribers/", admin_views.subscribers, name="subscribers"),
    path("subscribers/<row_id:newsletter_id>/export.csv", admin_views.export, name="export"),
    path("subscribers/<row_id:newsletter_id>/import/", admin_views.import_list, name="import"),
    path("bounces/", admin_views.bounces, name="bounces"),
    path("issues/<row_id:issue_id>/preview/", admin_views.preview, name="preview"),
    path("issues/<row_id:issue_id>/send/", admin_views.send, name="send"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "newsletter-tools/",
            include((urlpatterns, "newsletters_admin"), namespace="newsletters_admin"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_subscribers_menu_item():
    from wagtail.admin.menu import MenuItem

    class SubscribersMenuItem(MenuItem):
        def is_shown(self, request):
            return admin_views.can_manage(request.user)

    return SubscribersMenuItem(
        _("Newsletter subscribers"),
        reverse("newsletters_admin:subscribers"),
        icon_name="group",
        order=261,
    )
