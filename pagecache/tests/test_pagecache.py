"""The full-page cache: what anonymous readers get, and when a change shows."""

import gzip
import os
import time

import pytest
from django.core.cache import cache
from django.test import Client

from comments import services
from comments.models import Comment
from comments.moderation.checks import form_timestamp
from comments.tests import factories as comment_factories
from news.tests import factories
from pagecache.entries import forget_local
from pagecache.keys import cacheable
from pagecache.tests.server import wsgi
from pagecache.versions import bump_page, page_version_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.MASTHEAD_PAGE_CACHE = True
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    return settings


def post(client, article, **fields):
    data = {
        "page": article.pk,
        "body": "Cached pages must still show this.",
        "name": "Jane Reader",
        "email": "jane.reader@example.com",
        "ts": form_timestamp(),
        **fields,
    }
    return client.post("/comments/post/", data)


def test_the_second_anonymous_view_is_served_from_the_cache_with_cdn_headers():
    article = factories.article("Ferry strike ends", authors=[factories.author("Ada Lane")])
    reader = Client()

    first = reader.get(article.url)
    second = Client().get(article.url)

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert first.content == second.content
    assert second["ETag"] == first["ETag"]
    cache_control = second["Cache-Control"]
    assert "public" in cache_control and "s-maxage=3600" in cache_control
    assert "stale-while-revalidate=60" in cache_control
    author = article.bylines.get().author_id
    assert second["Surrogate-Key"] == (
        f"page-{article.pk} section-{article.get_parent().pk} author-{author}"
    )
    assert not second.cookies


def test_a_matching_etag_gets_304_not_modified():
    article = factories.article()
    etag = Client().get(article.url)["ETag"]

    response = Client().get(article.url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""


def test_the_cached_html_holds_no_csrf_token_and_no_commenter_email(client):
    article = factories.article()
    post(client, article, save_commenter="on")
    client.cookies["csrftoken"] = "a" * 32

    # The commenter, with their cookies, renders the page that others are then served.
    mine = client.get(article.url)
    theirs = Client().get(article.url)

    assert (mine["X-Cache"], theirs["X-Cache"]) == ("MISS", "HIT")
    html = theirs.content.decode()
    assert "csrfmiddlewaretoken" not in html and "a" * 32 not in html
    assert "jane.reader@example.com" not in html and "Jane Reader" in html
    assert "Cached pages must still show this." in html


def test_a_new_comment_shows_at_once(django_capture_on_commit_callbacks):
    article = factories.article()
    assert "Be the first to comment" in Client().get(article.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), article)

    response = Client().get(article.url)
    assert response["X-Cache"] == "MISS"
    assert "1 Comment" in response.content.decode()


def test_a_moderator_decision_shows_at_once(django_capture_on_commit_callbacks):
    article = factories.article()
    comment = comment_factories.comment(article, body="Soon to be trashed")
    assert "Soon to be trashed" in Client().get(article.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_comments(comment_ids=[comment.pk], action="trash")

    assert "Soon to be trashed" not in Client().get(article.url).content.decode()


def test_an_edit_or_unpublish_of_the_article_shows_at_once(django_capture_on_commit_callbacks):
    article = factories.article("First headline")
    assert "First headline" in Client().get(article.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Corrected headline"
        article.save_revision().publish()
    assert "Corrected headline" in Client().get(article.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert Client().get(article.url).status_code == 404


def test_a_reader_with_a_held_comment_gets_their_own_render_and_others_the_cache(
    page_cache, django_capture_on_commit_callbacks
):
    page_cache.MASTHEAD_COMMENTS_MODERATION = "first"
    article = factories.article()
    Client().get(article.url)
    author = Client()

    with django_capture_on_commit_callbacks(execute=True):
        post(author, article, body="Waiting for a moderator.")

    mine = author.get(article.url)
    theirs = Client().get(article.url)
    assert "X-Cache" not in mine and mine["Cache-Control"] == "private, no-cache"
    assert "Your comment is awaiting moderation." in mine.content.decode()
    assert theirs["X-Cache"] == "HIT"
    assert "Waiting for a moderator." not in theirs.content.decode()
    # Someone who commented before (and was approved) still reads from the cache.
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_commenter_whose_comment_is_public_keeps_reading_from_the_cache(client):
    article = factories.article()
    post(client, article)

    client.get(article.url)
    again = client.get(article.url)

    assert again["X-Cache"] == "HIT"


def test_signed_in_users_and_reply_links_are_rendered_fresh(client):
    article = factories.article()
    editor = comment_factories.staff_user("editor")
    client.force_login(editor)

    signed_in = [client.get(article.url), client.get(article.url)]
    replying = [Client().get(f"{article.url}?replytocom=1") for _ in range(2)]

    assert all("X-Cache" not in r for r in signed_in + replying)
    assert "csrfmiddlewaretoken" in signed_in[0].content.decode()


def test_listing_counts_are_right_within_the_listing_lifetime(
    page_cache, django_capture_on_commit_callbacks
):
    page_cache.MASTHEAD_PAGE_CACHE_LISTING_TTL = 1
    article = factories.article("Harbour news")
    section_url = article.get_parent().url
    assert "Leave a comment" in Client().get(section_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), article)
    time.sleep(1.2)

    assert "1 Comment" in Client().get(section_url).content.decode()


def test_comments_from_another_site_are_refused_and_signed_in_posts_need_the_token(client):
    article = factories.article()

    foreign = post(Client(), article, ts=form_timestamp())
    assert foreign.status_code == 303
    forged = Client().post(
        "/comments/post/",
        {"page": article.pk, "body": "x", "name": "n", "email": "e@example.com"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert forged.status_code == 403
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(comment_factories.staff_user("reporter"))
    no_token = staff.post("/comments/post/", {"page": article.pk, "body": "As the newsroom"})
    assert no_token.status_code == 403
    assert Comment.objects.count() == 1


def test_the_server_answers_a_hit_before_django_with_the_same_page_and_headers(
    django_assert_num_queries,
):
    article = factories.article("Tunnel reopens")
    status, first, body = wsgi(article.url)
    assert (status, first["X-Cache"]) == ("200 OK", "MISS")

    with django_assert_num_queries(0):
        status, second, cached = wsgi(article.url)

    assert (status, second["X-Cache"]) == ("200 OK", "HIT")
    assert cached == body and "Tunnel reopens" in cached.decode()
    assert int(second["Content-Length"]) == len(body)
    # Every header Django's middleware adds to the page is kept, security headers included.
    for name in (
        "ETag",
        "Cache-Control",
        "Surrogate-Key",
        "Content-Type",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
    ):
        assert second[name] == first[name], name
    assert "Set-Cookie" not in second

    status, headers, empty = wsgi(article.url, if_none_match=first["ETag"])
    assert (status, empty, headers["ETag"]) == ("304 Not Modified", b"", first["ETag"])
    status, headers, empty = wsgi(article.url, method="HEAD")
    assert (status, empty, headers["Content-Length"]) == ("200 OK", b"", str(len(body)))


def test_a_browser_that_accepts_gzip_gets_the_cached_page_compressed_under_its_own_etag():
    article = factories.article("Tunnel reopens")
    _, first, compressed = wsgi(article.url, accept_encoding="gzip")
    _, plain, body = wsgi(article.url)
    assert (first["X-Cache"], first["Content-Encoding"]) == ("MISS", "gzip")
    assert gzip.decompress(compressed) == body

    status, headers, compressed = wsgi(article.url, accept_encoding="gzip, deflate, br")

    assert (status, headers["Content-Encoding"], headers["X-Cache"]) == ("200 OK", "gzip", "HIT")
    assert gzip.decompress(compressed) == body
    assert int(headers["Content-Length"]) == len(compressed) < len(body) / 3
    assert headers["Vary"] == "Cookie, Accept-Encoding"
    assert headers["ETag"] != plain["ETag"]
    status, again, empty = wsgi(article.url, accept_encoding="gzip", if_none_match=headers["ETag"])
    assert (status, empty, again["ETag"]) == ("304 Not Modified", b"", headers["ETag"])
    # The plain page's tag does not stand for the compressed one, nor the other way round.
    assert wsgi(article.url, accept_encoding="gzip", if_none_match=plain["ETag"])[0] == "200 OK"
    status, headers, uncompressed = wsgi(article.url, if_none_match=headers["ETag"])
    assert (status, uncompressed) == ("200 OK", body)
    assert "Content-Encoding" not in headers


def test_the_server_sends_changes_readers_with_sessions_and_other_urls_to_django(
    django_capture_on_commit_callbacks,
):
    article = factories.article()
    wsgi(article.url)
    assert wsgi(article.url)[1]["X-Cache"] == "HIT"

    assert "X-Cache" not in wsgi(article.url, cookie="sessionid=abc")[1]
    assert "X-Cache" not in wsgi(article.url, query="replytocom=1")[1]
    assert wsgi(article.url, query="cpage=2")[1]["X-Cache"] == "MISS"
    assert wsgi(article.url, query="cpage=1")[1]["X-Cache"] == "HIT"  # the page itself
    # Pages are kept apart by scheme and host (an http request may be one to redirect).
    assert wsgi(article.url, scheme="https")[1]["X-Cache"] == "MISS"

    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), article, body="Posted after the page was cached.")
    status, headers, body = wsgi(article.url)
    assert headers["X-Cache"] == "MISS"
    assert "Posted after the page was cached." in body.decode()


def test_a_change_made_by_another_process_reaches_readers_within_the_recheck_time(
    page_cache, client
):
    page_cache.MASTHEAD_PAGE_CACHE_RECHECK = 0.5
    article = factories.article("Lighthouse for sale")
    wsgi(article.url)
    assert wsgi(article.url)[1]["X-Cache"] == "HIT"
    post(client, article, body="Who buys a lighthouse?")
    commenter = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    # Another app server bumps the page's version in the shared cache, not in this process.
    cache.set(page_version_key(article.pk), time.time_ns(), timeout=None)

    assert wsgi(article.url)[1]["X-Cache"] == "HIT"  # within the recheck time
    _, headers, body = wsgi(article.url, cookie=commenter)
    assert headers["X-Cache"] == "MISS" and "Who buys a lighthouse?" in body.decode()
    time.sleep(0.6)
    _, headers, body = wsgi(article.url)
    assert headers["X-Cache"] == "HIT" and "Who buys a lighthouse?" in body.decode()


def test_a_reader_with_a_held_comment_gets_their_own_render_from_the_server(
    page_cache, django_capture_on_commit_callbacks
):
    page_cache.MASTHEAD_COMMENTS_MODERATION = "first"
    article = factories.article()
    wsgi(article.url)
    author = Client()
    with django_capture_on_commit_callbacks(execute=True):
        post(author, article, body="Held for a moderator.")
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in author.cookies.items())

    _, mine, body = wsgi(article.url, cookie=cookie)
    _, theirs, _ = wsgi(article.url)

    assert "X-Cache" not in mine and "Held for a moderator." in body.decode()
    assert theirs["X-Cache"] == "HIT"


def test_a_page_made_private_is_no_longer_served_from_the_cache(
    django_capture_on_commit_callbacks,
):
    from wagtail.models import PageViewRestriction

    article = factories.article("Members only soon")
    Client().get(article.url)
    assert Client().get(article.url)["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=article.get_parent(), restriction_type=PageViewRestriction.LOGIN
        )
    response = Client().get(article.url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert wsgi(article.url)[0] == "302 Found"

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert Client().get(article.url).status_code == 200


def test_changing_the_site_retires_every_cached_page(django_capture_on_commit_callbacks):
    """A site's root page, hostname or port decide which page an address shows and what
    its links are, so no page rendered before the change is served after it."""
    from wagtail.models import Site

    article = factories.article("Moving house")
    Client().get(article.url)
    assert Client().get(article.url)["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        site = Site.objects.get(is_default_site=True)
        site.hostname, site.port = "news.example.org", 443
        site.save()
    response = Client().get(article.url)

    assert (response.status_code, response["X-Cache"]) == (200, "MISS")


def test_moving_an_article_to_another_section_retires_the_pages_that_link_to_it(
    django_capture_on_commit_callbacks,
):
    article = factories.article("Ferry timetable changes", in_section=factories.section("World"))
    politics = factories.section("Politics")
    world_url = article.get_parent().url
    assert "Ferry timetable changes" in Client().get(world_url).content.decode()
    assert Client().get(world_url)["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        article.move(politics, pos="last-child")
    world = Client().get(world_url)

    assert (world.status_code, world["X-Cache"]) == (200, "MISS")
    assert "Ferry timetable changes" not in world.content.decode()
    assert "Ferry timetable changes" in Client().get(politics.url).content.decode()


def test_a_page_whose_version_was_evicted_is_kept_again_from_the_next_render():
    """Without its version, the cache cannot tell whether the page changed while it was
    rendered, so that render is not kept (it might predate a new comment)."""
    article = factories.article("Lock gates replaced")
    Client().get(article.url)
    assert Client().get(article.url)["X-Cache"] == "HIT"

    cache.delete(page_version_key(article.pk))
    forget_local()

    first, second, third = (Client().get(article.url) for _ in range(3))

    assert first.status_code == 200 and "X-Cache" not in first  # rendered, not kept
    assert (second["X-Cache"], third["X-Cache"]) == ("MISS", "HIT")


def test_a_render_that_overlaps_a_change_is_not_kept(monkeypatch):
    from news.models import ArticlePage

    article = factories.article("Before the vote")
    render = ArticlePage.get_context

    def get_context(page, request, *args, **kwargs):
        context = render(page, request, *args, **kwargs)
        # Another request commits a new comment (and bumps the page) mid-render.
        bump_page(page.pk)
        return context

    monkeypatch.setattr(ArticlePage, "get_context", get_context)
    first = Client().get(article.url)
    assert first.status_code == 200 and "X-Cache" not in first  # rendered, not stored
    assert "X-Cache" not in Client().get(article.url)
    monkeypatch.setattr(ArticlePage, "get_context", render)
    assert Client().get(article.url)["X-Cache"] == "MISS"
    assert Client().get(article.url)["X-Cache"] == "HIT"


def test_pages_are_kept_apart_by_the_scheme_a_proxy_reports(page_cache):
    page_cache.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    article = factories.article()

    wsgi(article.url, x_forwarded_proto="https, http")
    # Django reads the first value: that was an https page, not one for plain http.
    assert wsgi(article.url, x_forwarded_proto="http")[1]["X-Cache"] == "MISS"
    assert wsgi(article.url, x_forwarded_proto="https")[1]["X-Cache"] == "HIT"


def test_pages_marked_private_and_static_files_are_not_cached(page_cache, monkeypatch):
    from news.models import ArticlePage

    article = factories.article()
    serve = ArticlePage.serve

    def private(page, request, *args, **kwargs):
        response = serve(page, request, *args, **kwargs)
        response["Cache-Control"] = "private"
        return response

    monkeypatch.setattr(ArticlePage, "serve", private)
    assert [Client().get(article.url).get("X-Cache") for _ in range(2)] == [None, None]
    assert cacheable({"REQUEST_METHOD": "GET", "PATH_INFO": "/static/site.css"}) is False
    monkeypatch.setattr(ArticlePage, "serve", serve)
    Client().get(article.url)
    assert wsgi(article.url, if_none_match="*")[0] == "304 Not Modified"


@pytest.mark.skipif(
    not os.environ.get("MASTHEAD_TEST_REDIS_URL"),
    reason="set MASTHEAD_TEST_REDIS_URL=redis://127.0.0.1:6379/15 to test the shared cache",
)
def test_app_servers_sharing_redis_serve_each_others_pages(settings):
    import redis

    url = os.environ["MASTHEAD_TEST_REDIS_URL"]
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"MASTHEAD_TEST_REDIS_URL is set but Redis is unreachable: {exc}")
    settings.CACHES = {
        "default": {
            "BACKEND": "masthead.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"masthead-test-{os.getpid()}",
        }
    }
    from django.core.cache import cache

    cache.clear()
    article = factories.article("Shared between servers")
    Client().get(article.url)

    # Another app server is another process with its own memory: only Redis is shared.
    other = redis.Redis.from_url(url)
    keys = other.keys(f"masthead-test-{os.getpid()}:*pagecache:entry:*")
    assert len(keys) == 1
    assert Client().get(article.url)["X-Cache"] == "HIT"
    cache.clear()
