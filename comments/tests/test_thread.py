"""What a reader sees of a thread: heading, order, nesting, names, times, avatars, anchors,
pages of a long thread, and what the page costs in queries."""

import datetime as dt
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import services
from comments.models import Comment
from comments.tests import factories
from comments.thread import count_heading, permalink_time
from news.tests import factories as news

# <link> relations that make the browser fetch something (canonical and alternate do not).
LOADING_RELS = {
    "stylesheet",
    "icon",
    "preload",
    "modulepreload",
    "prefetch",
    "manifest",
    "preconnect",
    "dns-prefetch",
}


def at(year, month, day, hour=12, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def section_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").find(id="comments")


def top_level_ids(section) -> list[str]:
    return [li["id"] for li in section.select("ol.comment-list > li")]


def child_ids(section, comment) -> list[str]:
    return [li["id"] for li in section.select(f"#comment-{comment.pk} > ol.children > li")]


# Heading and count -----------------------------------------------------------------------


def test_an_article_without_comments_invites_the_first_one(client, db):
    page = news.article()

    section = section_of(client.get(page.url))

    assert section.find("h2").get_text() == "Be the first to comment"
    assert section.select("li.comment") == []


def test_the_heading_says_1_comment_for_one_public_comment(client, db):
    page = news.article()
    factories.comment(page)
    factories.comment(page, status=Comment.Status.PENDING)
    factories.comment(page, status=Comment.Status.SPAM)

    assert section_of(client.get(page.url)).find("h2").get_text() == "1 Comment"


def test_the_heading_counts_replies_too(client, db):
    page = news.article()
    for _ in range(4):
        root = factories.comment(page)
        factories.reply(root)
        factories.reply(root)

    assert section_of(client.get(page.url)).find("h2").get_text() == "12 Comments"


def test_count_heading_wording():
    assert [count_heading(n) for n in (0, 1, 2, 12)] == [
        "Be the first to comment",
        "1 Comment",
        "2 Comments",
        "12 Comments",
    ]


def test_the_section_listing_shows_each_articles_count_linked_to_its_thread(client, db):
    busy = news.article("Busy story")
    quiet = news.article("Quiet story")
    for _ in range(12):
        factories.comment(busy)
    factories.comment(busy, status=Comment.Status.PENDING)

    soup = BeautifulSoup(client.get(news.section().url).content, "html.parser")

    links = {a["href"]: a.get_text() for a in soup.select("a.comment-count")}
    assert links == {
        f"{busy.url}#comments": "12 Comments",
        f"{quiet.url}#respond": "Leave a comment",
    }


def test_the_front_page_shows_the_same_count_as_the_article(client, db):
    page = news.article()
    factories.comment(page)

    soup = BeautifulSoup(client.get("/").content, "html.parser")

    assert [a.get_text() for a in soup.select(f'a.comment-count[href="{page.url}#comments"]')] == [
        "1 Comment"
    ]


# Order and nesting -----------------------------------------------------------------------


def test_comments_are_oldest_first_with_replies_nested_under_their_parent(client, db):
    page = news.article()
    # Created out of order: the thread follows when they were written.
    later = factories.comment(page, name="Later", created_at=at(2024, 1, 4, 10))
    earlier = factories.comment(page, name="Earlier", created_at=at(2024, 1, 4, 9))
    reply = factories.reply(earlier, name="Reply", created_at=at(2024, 1, 4, 11))
    reply_to_reply = factories.reply(reply, name="Deeper", created_at=at(2024, 1, 4, 12))
    first_reply_to_later = factories.reply(later, created_at=at(2024, 1, 4, 10, 30))
    second_reply_to_later = factories.reply(later, created_at=at(2024, 1, 4, 13))

    section = section_of(client.get(page.url))

    assert top_level_ids(section) == [f"comment-{earlier.pk}", f"comment-{later.pk}"]
    assert child_ids(section, earlier) == [f"comment-{reply.pk}"]
    assert child_ids(section, reply) == [f"comment-{reply_to_reply.pk}"]
    assert child_ids(section, reply_to_reply) == []
    assert child_ids(section, later) == [
        f"comment-{first_reply_to_later.pk}",
        f"comment-{second_reply_to_later.pk}",
    ]
    assert section.find(id=f"comment-{reply_to_reply.pk}")["class"] == ["comment", "depth-3"]


def test_a_reply_to_a_comment_at_the_depth_limit_joins_that_comments_level(client, db, settings):
    settings.MASTHEAD_COMMENTS_MAX_DEPTH = 3
    page = news.article()
    root = factories.comment(page)
    second = factories.reply(root)
    third = factories.reply(second)

    fourth = factories.reply(third)

    assert (fourth.depth, fourth.parent_id) == (3, second.pk)
    section = section_of(client.get(page.url))
    assert child_ids(section, second) == [f"comment-{third.pk}", f"comment-{fourth.pk}"]
    assert section.find(id=f"comment-{fourth.pk}")["class"] == ["comment", "depth-3"]


def test_a_reply_whose_parent_was_trashed_still_shows_after_the_visible_comments(client, db):
    page = news.article()
    root = factories.comment(page, created_at=at(2024, 1, 4, 9))
    reply = factories.reply(root, created_at=at(2024, 1, 4, 10))
    other = factories.comment(page, created_at=at(2024, 1, 4, 11))
    services.moderate_comments(comment_ids=[root.pk], action="trash")

    section = section_of(client.get(page.url))

    assert top_level_ids(section) == [f"comment-{reply.pk}", f"comment-{other.pk}"]


# One comment -----------------------------------------------------------------------------


def test_a_commenters_name_links_to_their_website_as_nofollow_ugc_noopener(client, db):
    page = news.article()
    linked = factories.comment(page, name="Ann Lee", website="https://ann.example/blog")
    plain = factories.comment(page, name="Bo")

    section = section_of(client.get(page.url))

    author = section.select_one(f"#comment-{linked.pk} .comment-author")
    assert (author.name, author["href"], author["rel"], author.get_text()) == (
        "a",
        "https://ann.example/blog",
        ["nofollow", "ugc", "noopener"],
        "Ann Lee",
    )
    author = section.select_one(f"#comment-{plain.pk} .comment-author")
    assert (author.name, author.get_text()) == ("span", "Bo")


def test_names_and_websites_are_shown_as_text_never_as_markup_or_script(client, db):
    page = news.article()
    tricky = factories.comment(
        page, name='<b>Bold</b> "Quote"', website='https://x.example/"onmouseover="alert(1)'
    )
    # The form and the services refuse such an address; one stored by older software
    # (an import, a database edit) must still not become a link.
    scripted = factories.comment(page, name="Js")
    Comment.objects.filter(pk=scripted.pk).update(website="javascript:alert(1)")

    section = section_of(client.get(page.url))

    author = section.select_one(f"#comment-{tricky.pk} .comment-author")
    assert (author.get_text(), author["href"], author.find("b")) == (
        '<b>Bold</b> "Quote"',
        'https://x.example/"onmouseover="alert(1)',
        None,
    )
    assert not author.has_attr("onmouseover")
    author = section.select_one(f"#comment-{scripted.pk} .comment-author")
    assert (author.name, author.get_text()) == ("span", "Js")


def test_a_comment_shows_when_it_was_written_as_a_permalink(client, db):
    page = news.article()
    comment = factories.comment(page, created_at=at(2024, 1, 4, 12, 30))

    section = section_of(client.get(page.url))

    link = section.select_one(f"#comment-{comment.pk} .comment-time a")
    assert link["href"] == f"#comment-{comment.pk}"
    assert link.time["datetime"] == "2024-01-04T12:30:00+00:00"
    assert link.time.get_text() == "January 4, 2024 at 12:30 pm"


def test_permalink_time_reads_like_a_newspaper_in_the_site_time_zone(settings):
    assert permalink_time(at(2024, 1, 4, 0, 5)) == "January 4, 2024 at 12:05 am"
    assert permalink_time(at(2024, 1, 4, 12, 0)) == "January 4, 2024 at 12:00 pm"
    assert permalink_time(at(2024, 7, 14, 23, 59)) == "July 14, 2024 at 11:59 pm"
    settings.TIME_ZONE = "America/New_York"
    assert permalink_time(at(2024, 1, 4, 12, 30)) == "January 4, 2024 at 7:30 am"


def test_avatars_are_initials_drawn_by_the_page_without_any_image(client, db):
    page = news.article()
    factories.comment(page, name="Ann Lee", email_address="ann@example.org")
    factories.comment(page, name="bo")

    response = client.get(page.url)
    section = section_of(response)

    assert [a.get_text() for a in section.select(".avatar")] == ["AL", "B"]
    assert section.find("img") is None
    assert b"gravatar" not in response.content.lower()


def test_the_article_page_loads_nothing_from_another_host(client, db):
    page = news.article()
    factories.comment(page, website="https://ann.example/")

    soup = BeautifulSoup(client.get(page.url).content, "html.parser")

    loaded = [
        t["src"] for t in soup.find_all(["img", "script", "iframe", "source"]) if t.get("src")
    ]
    loaded += [
        link["href"]
        for link in soup.find_all("link", href=True)
        if set(link.get("rel", [])) & LOADING_RELS
    ]
    assert "/static/comments/comments.js" in loaded
    assert [url for url in loaded if urlsplit(url).netloc not in ("", "testserver")] == []


def test_every_comment_has_an_anchor_and_a_reply_link(client, db):
    page = news.article()
    root = factories.comment(page, name="Ann")
    reply = factories.reply(root, name="Bo")

    section = section_of(client.get(page.url))

    for comment, name in ((root, "Ann"), (reply, "Bo")):
        item = section.find(id=f"comment-{comment.pk}")
        link = item.select_one(":scope > article .comment-reply-link")
        assert link["href"] == f"{page.url}?replytocom={comment.pk}#respond"
        assert link.get_text() == f"Reply to {name}"


def test_a_comment_from_the_newsroom_is_marked_as_such(client, db):
    page = news.article()
    comment = factories.comment(page, user=factories.staff_user())

    section = section_of(client.get(page.url))

    item = section.find(id=f"comment-{comment.pk}")
    assert "comment-newsroom" in item["class"]
    assert item.select_one(".comment-author").get_text() == "Ada Editor"
    assert item.select_one(".badge").get_text() == "Newsroom"


# Pages of a long thread ------------------------------------------------------------------


def long_thread(page):
    """Five top-level comments (two per page: pages 1, 2, 3) with replies under 1 and 3."""
    roots = [factories.comment(page, created_at=at(2024, 1, day)) for day in range(1, 6)]
    replies = {
        0: factories.reply(roots[0], created_at=at(2024, 2, 1)),
        2: factories.reply(roots[2], created_at=at(2024, 2, 2)),
    }
    return roots, replies


def shown_ids(section) -> list[int]:
    return [int(li["id"].removeprefix("comment-")) for li in section.select("li.comment")]


def test_a_long_thread_is_paged_by_top_level_comment_with_replies_beside_their_root(
    client, db, settings
):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    page = news.article()
    roots, replies = long_thread(page)

    pages = [shown_ids(section_of(client.get(f"{page.url}?cpage={n}"))) for n in (1, 2, 3)]

    assert pages == [
        [roots[0].pk, replies[0].pk, roots[1].pk],
        [roots[2].pk, replies[2].pk, roots[3].pk],
        [roots[4].pk],
    ]


def test_every_page_of_a_long_thread_shows_the_whole_count(client, db, settings):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    page = news.article()
    long_thread(page)

    section = section_of(client.get(f"{page.url}?cpage=3"))

    assert section.find("h2").get_text() == "7 Comments"


def test_the_newest_page_is_reachable_from_the_first(client, db, settings):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    page = news.article()
    long_thread(page)

    section = section_of(client.get(page.url))

    nav = section.select_one("nav.comment-pagination")
    assert [s.get_text() for s in nav.find_all("span") if s.get_text()] == ["Comments page 1 of 3"]
    assert {a.get_text(): a["href"] for a in nav.find_all("a")} == {
        "Newer comments →": "?cpage=2#comments",
        "Newest": "?cpage=3#comments",
    }


def test_a_bad_comment_page_number_shows_the_nearest_page(client, db, settings):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    page = news.article()
    roots, _ = long_thread(page)

    assert shown_ids(section_of(client.get(f"{page.url}?cpage=abc")))[0] == roots[0].pk
    assert shown_ids(section_of(client.get(f"{page.url}?cpage=-4")))[0] == roots[0].pk
    assert shown_ids(section_of(client.get(f"{page.url}?cpage=999"))) == [roots[4].pk]


def test_a_comment_permalink_leads_to_the_page_that_holds_it(client, db, settings):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    page = news.article()
    roots, replies = long_thread(page)

    locations = {}
    for comment in (roots[0], replies[0], roots[2], replies[2], roots[4]):
        response = client.get(f"/comments/{comment.pk}/")
        assert response.status_code == 303
        locations[comment.pk] = response["Location"]

    assert locations == {
        roots[0].pk: f"{page.url}#comment-{roots[0].pk}",
        replies[0].pk: f"{page.url}#comment-{replies[0].pk}",
        roots[2].pk: f"{page.url}?cpage=2#comment-{roots[2].pk}",
        replies[2].pk: f"{page.url}?cpage=2#comment-{replies[2].pk}",
        roots[4].pk: f"{page.url}?cpage=3#comment-{roots[4].pk}",
    }


def test_a_permalink_to_a_reply_whose_root_was_trashed_leads_to_the_page_showing_it(
    client, db, settings
):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    page = news.article()
    first = factories.comment(page, created_at=at(2024, 1, 1))
    second = factories.comment(page, created_at=at(2024, 1, 2))
    trashed = factories.comment(page, created_at=at(2024, 1, 3))
    reply = factories.reply(trashed, created_at=at(2024, 1, 4))
    factories.comment(page, created_at=at(2024, 1, 5))
    services.moderate_comments(comment_ids=[trashed.pk], action="trash")

    response = client.get(f"/comments/{reply.pk}/")

    assert response["Location"] == f"{page.url}#comment-{reply.pk}"
    assert shown_ids(section_of(client.get(page.url))) == [first.pk, second.pk, reply.pk]


def test_a_permalink_to_a_comment_nobody_may_see_is_not_found(client, db):
    page = news.article()
    held = factories.comment(page, status=Comment.Status.PENDING)
    spam = factories.comment(page, status=Comment.Status.SPAM)

    assert client.get(f"/comments/{held.pk}/").status_code == 404
    assert client.get(f"/comments/{spam.pk}/").status_code == 404
    assert client.get("/comments/999999/").status_code == 404


def test_a_permalink_to_a_comment_on_an_unpublished_article_is_not_found(client, db):
    page = news.article()
    comment = factories.comment(page)
    page.unpublish()

    assert client.get(f"/comments/{comment.pk}/").status_code == 404


# Cost ------------------------------------------------------------------------------------


def queries_to_render(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_the_article_page_costs_the_same_queries_with_0_10_or_500_comments(client, db):
    pages = {}
    for count in (0, 10, 500):
        pages[count] = news.article()
        factories.long_thread(pages[count], count)
    client.get(news.article().url)  # warm the site and template caches

    costs = {count: len(queries_to_render(client, page.url)) for count, page in pages.items()}

    assert costs[10] == costs[0]
    assert costs[500] == costs[0]
    # Site, front page, the article in one query, bylines, updates, topics, section with
    # the count, view restrictions (2), navigation (2), the thread (2) and editors' picks.
    assert costs[0] <= 14
    section = section_of(client.get(pages[500].url))
    assert section.find("h2").get_text() == "500 Comments"
    assert len(section.select("ol.comment-list > li > ol.children > li")) == 4 * 50


def test_the_thread_is_read_in_the_same_queries_however_long_and_whichever_page(
    client, db, settings
):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 5
    short, long = news.article(), news.article()
    factories.long_thread(short, 5)
    factories.long_thread(long, 60)
    client.get(short.url)

    def comment_queries(url):
        return sum('"comments_comment"' in q for q in queries_to_render(client, url))

    counts = [comment_queries(u) for u in (short.url, long.url, f"{long.url}?cpage=3")]

    assert counts == [counts[0]] * 3
