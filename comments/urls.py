from django.urls import path

from . import live_views, thread_views, views

app_name = "comments"
urlpatterns = [
    path("post/", views.post_comment, name="post"),
    path("<int:comment_id>/", views.permalink, name="permalink"),
    path("<int:comment_id>/edit/", views.edit_comment, name="edit"),
    path("<int:comment_id>/delete/", views.delete_comment, name="delete"),
    path("<int:comment_id>/report/", views.report_comment, name="report"),
    path("<int:comment_id>/like/", thread_views.like_comment, name="like"),
    path("<int:comment_id>/replies/", thread_views.branch, name="branch"),
    path("newest/<int:page_id>/", thread_views.newest_comment, name="newest"),
    path("live/<int:page_id>/", live_views.live_state, name="live"),
    path("live/<int:page_id>/comments/", live_views.live_comments, name="live_comments"),
]
