from django.urls import path

from . import views

app_name = "comments"
urlpatterns = [
    path("post/", views.post_comment, name="post"),
    path("<int:comment_id>/", views.permalink, name="permalink"),
    path("<int:comment_id>/edit/", views.edit_comment, name="edit"),
    path("<int:comment_id>/delete/", views.delete_comment, name="delete"),
    path("<int:comment_id>/report/", views.report_comment, name="report"),
]
