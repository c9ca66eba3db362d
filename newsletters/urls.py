from django.urls import path

from . import views

app_name = "newsletters"
urlpatterns = [
    path("", views.index, name="index"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("<slug:slug>/", views.archive, name="archive"),
    path("<slug:slug>/feed/", views.IssueFeed(), name="feed"),
    path("<slug:slug>/<str:date>/", views.issue, name="issue"),
]
