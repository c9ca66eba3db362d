from django.urls import path

from comments import converters  # noqa: F401  (registers row_id)

from . import views

app_name = "commenters"
urlpatterns = [
    path("", views.start, name="start"),
    path("sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("mine/", views.mine, name="mine"),
    path("mine/export.json", views.export, name="export"),
    path("mine/<row_id:comment_id>/edit/", views.edit, name="edit"),
    path("mine/<row_id:comment_id>/delete/", views.delete, name="delete"),
    path("mine/erase/", views.erase, name="erase"),
    path(
        "mine/subscriptions/<row_id:subscription_id>/stop/",
        views.stop_subscription,
        name="stop_subscription",
    ),
    path(
        "mine/subscriptions/<row_id:subscription_id>/mode/",
        views.follow_mode,
        name="follow_mode",
    ),
    path("mine/emails/stop/", views.stop_all_mail, name="stop_all_mail"),
    path("mine/newsletters/<row_id:newsletter_id>/", views.newsletter, name="newsletter"),
    path("sign-out/", views.sign_out, name="sign_out"),
]
