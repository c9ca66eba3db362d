"""Which Wagtail site a request is for, read from the database once per site version."""

from django.http.request import split_domain_port
from wagtail.models import Site
from wagtail.models.sites import get_site_for_hostname

from pagecache.versions import per_site_version


def _site(hostname: str, port: int) -> Site | None:
    try:
        return get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None


class SiteMiddleware:
    """Hand Wagtail the site (with its root page) this process found for the host before,
    as long as no page or site has changed since: Wagtail itself reads the site and its
    root page from the database on every request (`Site.find_for_request`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # As Wagtail reads them, without the ALLOWED_HOSTS check (CommonMiddleware's).
        hostname = split_domain_port(request._get_raw_host())[0]
        port = request.get_port()
        request._wagtail_site = per_site_version(
            ("site", hostname, port), lambda: _site(hostname, port)
        )
        return self.get_response(request)
