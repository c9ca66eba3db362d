"""The Wagtail site a request is for, read once per site version."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from news.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def every_view_renders(settings):
    settings.MASTHEAD_PAGE_CACHE = False


def site_queries(url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    return [q["sql"] for q in queries if "wagtailcore_site" in q["sql"]]


def test_a_page_view_reads_the_site_from_the_database_only_once():
    article = factories.article("Harbour dredging starts")

    assert len(site_queries(article.url)) == 1
    assert site_queries(article.url) == []
    assert site_queries("/") == []


def test_a_site_given_another_root_page_serves_it_at_once(django_capture_on_commit_callbacks):
    factories.article("Harbour dredging starts")
    world = factories.section("World")
    assert "Harbour dredging starts" in Client().get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        site = Site.objects.get(is_default_site=True)
        site.root_page = world
        site.save()
    page = Client().get("/").content.decode()

    assert "<h1>World</h1>" in page


def test_a_new_site_for_another_host_is_found(settings, django_capture_on_commit_callbacks):
    settings.ALLOWED_HOSTS = ["world.example"]
    world = factories.section("World")
    assert Client().get("/", HTTP_HOST="world.example").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        Site.objects.create(hostname="world.example", port=80, root_page=world)
    page = Client().get("/", HTTP_HOST="world.example").content.decode()

    assert "<h1>World</h1>" in page


def test_without_a_shared_cache_the_site_is_read_on_every_request(settings):
    # A dummy cache keeps no version to go by, so nothing is kept by one; a change made
    # through another process (here: without the signals this one would hear) shows at once.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    settings.MASTHEAD_PAGE_CACHE_RECHECK = 0  # not even this process's own recent reads
    factories.article("Harbour dredging starts")
    world = factories.section("World")
    assert "Harbour dredging starts" in Client().get("/").content.decode()

    Site.objects.filter(is_default_site=True).update(root_page=world)

    assert "<h1>World</h1>" in Client().get("/").content.decode()
