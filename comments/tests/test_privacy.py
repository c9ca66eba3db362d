"""A commenter's email address never leaves the server: not in any public page, JSON
answer, error page or header, not even hashed (no Gravatar)."""

import hashlib
import re
import warnings
from urllib.parse import quote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from django.test import Client

from comments import services
from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/documents/")
SITE_HOSTS = ("", "testserver", "localhost")


def disguises(email: str) -> set[str]:
    """The address as it might leak: as typed, lowercased, URL-encoded, or hashed."""
    normal = email.strip().lower()
    return {
        email,
        normal,
        quote(normal, safe=""),
        hashlib.md5(normal.encode()).hexdigest(),
        hashlib.sha256(normal.encode()).hexdigest(),
    }


def leaks(response, emails) -> list[str]:
    """Which of `emails` (in any disguise) appear in the response body or headers."""
    text = response.content.decode("utf-8", "replace").lower()
    text += "\n" + "\n".join(f"{k}: {v}" for k, v in response.items()).lower()
    text += "\n" + response.cookies.output().lower()
    return sorted(e for e in emails if any(d.lower() in text for d in disguises(e)))


def same_site_links(url: str, response) -> set[str]:
    """Links to this site in a page, a feed or a sitemap (GET forms included)."""
    content_type = response.get("Content-Type", "")
    if not any(kind in content_type for kind in ("html", "xml")):
        return set()
    with warnings.catch_warnings():
        # Feeds and sitemaps are XML; the HTML parser finds their links well enough.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(response.content, "html.parser")
    targets = [loc.get_text().strip() for loc in soup.find_all("loc")]
    for tag in soup.find_all(["a", "link", "form"]):
        if tag.name == "form" and tag.get("method", "get").lower() == "post":
            continue
        targets.append(tag.get("href") or (tag.get("action") if tag.name == "form" else None))
    links = set()
    for target in filter(None, targets):
        parts = urlsplit(urljoin(url, target))
        if parts.netloc not in SITE_HOSTS or parts.scheme not in ("", "http", "https"):
            continue
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def crawl(client, start: list[str], limit: int = 400) -> dict[str, object]:
    """Every public URL reachable from `start`, following redirects, with its response."""
    seen: dict[str, object] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code in (301, 302, 303):
            queue.append(urlsplit(response["Location"])._replace(fragment="").geturl())
        queue.extend(sorted(same_site_links(url, response) - seen.keys()))
    return seen


@pytest.fixture
def newsroom(db, settings):
    """A small site: two sections, authors, topics, articles with threads long enough to
    page, comments approved, held, spam and trashed, and one from a staff member."""
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    reporters = [news.author("Ada Reporter"), news.author("Ben Writer")]
    news.topic_index()
    story = news.article(
        "Harbour reopens",
        in_section=news.section("Local"),
        authors=reporters,
        topics=["Harbour", "Weather"],
    )
    other = news.article("Budget passes", in_section=news.section("Politics"), topics=["Money"])
    emails = {
        "approved": "Known.Reader@Example.org",
        "replier": "replier@example.net",
        "held": "first.timer@example.com",
        "spam": "spammer@spam.example",
        "trashed": "rude@example.info",
    }
    roots = [
        factories.comment(story, name=f"Reader {n}", email_address=emails["approved"])
        for n in range(4)
    ]
    factories.reply(
        roots[0], name="Replier", email_address=emails["replier"], website="https://r.example"
    )
    factories.comment(story, email_address=emails["held"], status=Comment.Status.PENDING)
    factories.comment(story, email_address=emails["spam"], status=Comment.Status.SPAM)
    factories.comment(other, email_address=emails["trashed"], status=Comment.Status.TRASH)
    factories.comment(other, email_address=emails["approved"])
    factories.comment(other, user=factories.staff_user())
    return {"story": story, "other": other, "emails": set(emails.values())}


@pytest.mark.parametrize("page_cache", [False, True], ids=["fresh", "page-cache"])
def test_no_public_url_shows_any_commenters_email_or_its_hash(
    newsroom, settings, page_cache, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_PAGE_CACHE = page_cache
    story, other = newsroom["story"], newsroom["other"]
    emails = newsroom["emails"]
    anyone = Client()
    author = Client()

    with django_capture_on_commit_callbacks(execute=True):
        posted = author.post(
            "/comments/post/",
            factories.form_fields(
                author, story, body="My first.", name="New Reader", email="new@example.org"
            ),
            headers={"Accept": "application/json"},
        )
    mine = Comment.objects.get(email="new@example.org")
    emails |= {"new@example.org", *Comment.objects.values_list("email", flat=True)}
    assert posted.status_code == 201
    refused = author.post(
        "/comments/post/",
        factories.form_fields(author, other, body="", name="", email="nope"),
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400
    # The page comes back with what the author typed, their address too; to them alone.
    typed = author.post(
        "/comments/post/",
        factories.form_fields(author, story, body="Hi", name="", email="typed@example.org"),
    )
    assert (typed.status_code, leaks(typed, {"typed@example.org"})) == (
        400,
        ["typed@example.org"],
    )
    emails.add("typed@example.org")

    start = [
        "/",
        story.url,
        f"{story.url}?cpage=2",
        f"{story.url}?cpage=3",
        other.url,
        "/authors/",
        "/topics/",
        "/search/?q=harbour",
        "/search/?q=reader",
        "/no-such-page/",
        "/sitemap.xml",
        "/robots.txt",
        "/comments/999999/",
        *(f"/comments/{c.pk}/" for c in Comment.objects.all()),
    ]
    responses = {"POST json": posted, "POST json refused": refused}
    # The author first, so anything of theirs that reached a shared cache would show next.
    responses |= {
        f"author {u}": r
        for u, r in crawl(
            author, [*start, f"/comments/{mine.pk}/edit/", f"/comments/{mine.pk}/delete/"]
        ).items()
    }
    responses |= {f"anyone {u}": r for u, r in crawl(anyone, start).items()}
    if page_cache:
        assert {r.get("X-Cache") for r in responses.values()} >= {"HIT", "MISS"}

    # The sweep really went everywhere a reader can go.
    fetched = {label.split(" ", 1)[1] for label in responses}
    for expected in (
        "/",
        "/local/",
        "/politics/",
        "/authors/ada-reporter/",
        "/topics/harbour/",
        f"{story.url}?replytocom={Comment.objects.filter(page=story).first().pk}",
        f"/comments/{mine.pk}/edit/",
    ):
        assert expected in fetched, expected
    assert any(url.startswith("/feeds/comments/") for url in fetched)  # comment feeds
    assert any(url.startswith("/sitemap") and url != "/sitemap.xml" for url in fetched)
    statuses = {r.status_code for r in responses.values()}
    assert {200, 201, 303, 400, 404} <= statuses
    assert "Your comment is awaiting moderation." in responses[f"author {story.url}?cpage=3"].text

    found = {label: leaks(r, emails) for label, r in responses.items()}
    assert {label: hit for label, hit in found.items() if hit} == {}


def test_the_article_html_holds_no_address_like_text_from_commenters(newsroom, client):
    response = client.get(newsroom["story"].url)

    assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", response.text) == []


def test_a_moderators_edit_of_the_email_does_not_publish_it(newsroom, client):
    comment = Comment.objects.filter(page=newsroom["story"], status="approved").first()
    services.moderator_edit_comment(
        comment=comment,
        name=comment.name,
        email="changed@example.org",
        website="",
        body=comment.body,
    )

    assert leaks(client.get(newsroom["story"].url), {"changed@example.org"}) == []


def test_only_the_consent_cookie_gives_the_address_back_and_only_to_its_author(newsroom):
    author = Client()

    response = author.post(
        "/comments/post/",
        factories.form_fields(
            author,
            newsroom["story"],
            body="Remember me.",
            name="New Reader",
            email="New@Example.org",
            save_commenter="on",
        ),
    )

    # The sweep's detector sees the address where the reader asked us to keep it...
    assert leaks(response, {"New@Example.org"}) == ["New@Example.org"]
    holders = [
        name
        for name, morsel in response.cookies.items()
        if any(d.lower() in morsel.coded_value.lower() for d in disguises("New@Example.org"))
    ]
    assert holders == ["masthead_commenter"]
    assert b"example.org" not in response.content
    # ...and nowhere the next visitor or the author's next page view looks.
    for client in (Client(), author):
        for n in (1, 2, 3):
            page = client.get(f"{newsroom['story'].url}?cpage={n}")
            assert leaks(page, {"New@Example.org"}) == []
