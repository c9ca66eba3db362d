"""Small factories for the news page tree."""

import datetime as dt
import io
import itertools

from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from news.models import (
    ArticleByline,
    ArticlePage,
    AuthorIndexPage,
    AuthorPage,
    HomePage,
    SectionPage,
    TopicIndexPage,
)

_seq = itertools.count(1)


def home() -> HomePage:
    """The front page; rebuilt as the migrations made it after a test that flushed the
    database (tests with a live server do)."""
    page = HomePage.objects.first()
    if page is not None:
        return page
    from django.conf import settings
    from django.utils.translation import get_supported_language_variant
    from wagtail.models import Locale, Page, Site

    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    page = root.add_child(instance=HomePage(title="Front page", slug="home", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": page}
    )
    return page


def section(title="World", **kwargs) -> SectionPage:
    existing = SectionPage.objects.filter(title=title).first()
    if existing:
        return existing
    page = SectionPage(
        title=title, slug=kwargs.pop("slug", title.lower()), show_in_menus=True, **kwargs
    )
    home().add_child(instance=page)
    page.save_revision().publish()
    return page


def author_index() -> AuthorIndexPage:
    index_page = AuthorIndexPage.objects.first()
    if index_page is None:
        index_page = AuthorIndexPage(title="Authors", slug="authors")
        home().add_child(instance=index_page)
        index_page.save_revision().publish()
    return index_page


def topic_index() -> TopicIndexPage:
    index_page = TopicIndexPage.objects.first()
    if index_page is None:
        index_page = TopicIndexPage(title="Topics", slug="topics")
        home().add_child(instance=index_page)
        index_page.save_revision().publish()
    return index_page


def author(name=None, **kwargs) -> AuthorPage:
    name = name or f"Reporter {next(_seq)}"
    page = AuthorPage(
        title=name, slug=kwargs.pop("slug", None) or name.lower().replace(" ", "-"), **kwargs
    )
    author_index().add_child(instance=page)
    page.save_revision().publish()
    return page


def image(title="Picture", size=(1600, 900)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (120, 140, 160)).save(buffer, "JPEG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name="picture.jpg"), width=size[0], height=size[1]
    )


def article(
    title=None,
    *,
    in_section=None,
    authors=(),
    topics=(),
    published_at=None,
    live=True,
    body=None,
    **kwargs,
) -> ArticlePage:
    n = next(_seq)
    title = title or f"Article number {n}"
    page = ArticlePage(
        title=title,
        slug=kwargs.pop("slug", None) or f"article-{n}",
        live=False,
        body=body if body is not None else [("paragraph", f"<p>Story text of {title}.</p>")],
        **kwargs,
    )
    (in_section or section()).add_child(instance=page)
    page.bylines = [ArticleByline(author=a, sort_order=i) for i, a in enumerate(authors)]
    if topics:
        page.topics.set(list(topics))
    revision = page.save_revision()
    if live:
        revision.publish()
        when = published_at or timezone.now() - dt.timedelta(minutes=n)
        ArticlePage.objects.filter(pk=page.pk).update(
            first_published_at=when, last_published_at=when
        )
    page.refresh_from_db()
    return page
