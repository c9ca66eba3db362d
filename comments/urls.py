from django.urls import path

from . import converters, live_views, thread_views, views  # noqa: F401  (converters registers row_id)

app_name = "comments"
urlpatterns = [
    path("post/", views.post_comment, name="post"),
    path("<row_id:comment_id>/", views.permalink, name="permalink"),
    path("<row_id:comment_id>/edit/", views.edit_comment, name="edit"),
    path("<row_id:comment_id>/delete/", views.delete_comment, name="delete"),
    path("<row_id:comment_id>/report/", views.report_comment, name="report"),
    path("<row_id:comment_id>/like/", thread_views.like_comment, name="like"),
    path("<row_id:comment_id>/replies/", thread_views.branch, name="branch"),
    path("newest/<row_id:page_id>/", thread_views.newest_comment, name="newest"),
    path("live/<row_id:page_id>/", live_views.live_state, name="live"),
    path("live/<row_id:page_id>/comments/", live_views.live_comments, name="live_comments"),
]
