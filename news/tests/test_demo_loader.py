"""The demo newspaper loaded by `masthead run` on a new site."""

from django.contrib.auth.models import User
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from comments.models import Comment
from news.demo_loader import load_demo
from news.models import ArticlePage, AuthorPage, HomePage, SectionPage


def snapshot() -> dict:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "comments": Comment.objects.count(),
        "users": User.objects.count(),
    }


def test_the_demo_loads_sections_authors_and_articles_once(db):
    result = load_demo()

    assert result["loaded"] is True
    assert sorted(SectionPage.objects.live().values_list("title", flat=True)) == [
        "Business",
        "Local",
        "Politics",
        "World",
    ]
    assert AuthorPage.objects.live().count() == 5
    assert ArticlePage.objects.live().count() == 7
    assert ArticlePage.objects.filter(live=False).count() == 1
    assert HomePage.objects.get().lead_story.slug == "council-approves-riverfront-housing-plan"

    before = snapshot()
    again = load_demo()

    assert again == {"loaded": False, "logins": result["logins"]}
    assert snapshot() == before


def test_the_demo_logins_are_an_admin_a_reporter_and_an_editor(db):
    logins = load_demo()["logins"]

    assert [line.split(" / ")[0] for line in logins.splitlines()] == [
        "admin",
        "reporter",
        "editor",
    ]
    assert User.objects.get(username="admin").is_superuser is True
    assert list(User.objects.get(username="reporter").groups.values_list("name", flat=True)) == [
        "Editors"
    ]
    assert list(User.objects.get(username="editor").groups.values_list("name", flat=True)) == [
        "Moderators"
    ]
    password = logins.splitlines()[0].split(" / ")[1].split()[0]
    assert User.objects.get(username="reporter").check_password(password)


def test_every_demo_article_has_a_byline_dateline_lead_image_and_body(db):
    load_demo()

    for page in ArticlePage.objects.all():
        article = page.get_latest_revision_as_object()  # a draft's content is in its revision
        assert article.bylines.count() >= 1, article.slug
        assert article.dateline != "", article.slug
        assert article.lead_image is not None, article.slug
        assert len(article.body) >= 3, article.slug
