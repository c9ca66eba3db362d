import posixpath

from django.conf import settings
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from news import views as news_views


def serve_media(request, path):
    """An upload from MEDIA_ROOT, except documents: those are served only by Wagtail's
    document view (/documents/<id>/<name>), which applies their collection's privacy."""
    from wagtail.documents import get_document_model

    folder = get_document_model()._meta.get_field("file").upload_to
    # As serve() resolves the path, so that ./ or ../ cannot reach the documents.
    if posixpath.normpath(path).lstrip("/").split("/", 1)[0] == folder:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


handler400 = "masthead.errors.bad_request"
handler403 = "masthead.errors.permission_denied"
handler404 = "masthead.errors.page_not_found"
handler500 = "masthead.errors.server_error"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", news_views.search, name="search"),
    path("comments/you/", include("commenters.urls")),
    path("comments/", include("comments.urls")),
    path("mail/webhooks/", include("anymail.urls")),
    path("mail/", include("mailing.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("", include("news.seo.urls")),
]

if settings.MASTHEAD_SERVE_MEDIA:
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
            serve_media,
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]
