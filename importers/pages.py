"""Finding or making the pages an import fills: sections, author profiles, articles."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page, PageViewRestriction

from news.models import (
    ArticleByline,
    ArticlePage,
    AuthorIndexPage,
    AuthorPage,
    HomePage,
    SectionPage,
    Topic,
)

from .base import ImportFailed


def home() -> HomePage:
    page = HomePage.objects.first()
    if page is None:
        raise ImportFailed("The site has no front page yet; run `masthead migrate` first.")
    return page


def make_slug(*candidates: str, fallback: str = "untitled") -> str:
    for candidate in candidates:
        slug = slugify(candidate or "", allow_unicode=True)[:240].strip("-")
        if slug:
            return slug
    return fallback


def free_slug(parent: Page, slug: str) -> str:
    """`slug`, or `slug-2`, `slug-3`... when a sibling under `parent` has it."""
    # Exact lookups use the slug index; a prefix search would read every sibling.
    siblings = parent.get_children()
    candidate, n = slug, 2
    while siblings.filter(slug=candidate).exists():
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def section(title: str, slug: str = "") -> tuple[SectionPage, bool]:
    """The section called `title` (or with `slug`), made and published when missing."""
    title = (title or "").strip()[:255] or "News"
    slug = make_slug(slug, title, fallback="section")
    existing = (
        SectionPage.objects.filter(slug=slug).first()
        or SectionPage.objects.filter(title__iexact=title).first()
    )
    if existing is not None:
        return existing, False
    parent = home()
    page = SectionPage(title=title, slug=free_slug(parent, slug), show_in_menus=True)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def author(name: str, slug: str = "") -> tuple[AuthorPage, bool]:
    """The author profile called `name`, made and published when missing."""
    name = (name or "").strip()[:255] or "Unknown author"
    existing = AuthorPage.objects.filter(title__iexact=name).first()
    if existing is not None:
        return existing, False
    index_page = AuthorIndexPage.objects.first()
    if index_page is None:
        index_page = AuthorIndexPage(title="Authors", slug="authors")
        home().add_child(instance=index_page)
        index_page.save_revision().publish()
    page = AuthorPage(title=name, slug=free_slug(index_page, make_slug(slug, name)))
    index_page.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def topic(name: str, slug: str = "") -> Topic:
    """The topic called `name`, made with `slug` (or one made from the name) when
    missing."""
    name = name.strip()[:100]
    existing = Topic.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    base = make_slug(slug, name, fallback="topic")[:95]
    candidate, n = base, 2
    while Topic.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{n}"
        n += 1
    return Topic.objects.create(name=name, slug=candidate)


def lead_story(article: ArticlePage) -> bool:
    """Make `article` the front page's lead story, unless an editor has chosen one or
    has unpublished changes to the front page; whether it was made so."""
    page = home()
    if page.lead_story_id or page.has_unpublished_changes:
        return False
    page.lead_story = article
    page.save_revision().publish()
    return True


LIVE, DRAFT, SCHEDULED = "live", "draft", "scheduled"


@dataclass
class ArticleData:
    title: str
    slug: str
    status: str  # LIVE, DRAFT or SCHEDULED
    published_at: dt.datetime | None
    body: list = field(default_factory=list)
    dek: str = ""
    dateline: str = ""
    topics: list[tuple[str, str]] = field(default_factory=list)  # (name, slug)
    authors: list[AuthorPage] = field(default_factory=list)
    seo_title: str = ""
    search_description: str = ""
    comments_enabled: bool = True
    lead_image: object = None
    lead_image_caption: str = ""
    password: str = ""


def create_article(parent: SectionPage, data: ArticleData) -> ArticlePage:
    """Make an article under `parent` the way an editor would (a revision, published
    when live, scheduled when due later), dated as it was first published elsewhere."""
    article = ArticlePage(
        title=data.title[:255],
        slug=free_slug(parent, data.slug),
        live=False,
        dek=data.dek,
        dateline=data.dateline[:100],
        body=data.body,
        seo_title=data.seo_title[:255],
        search_description=data.search_description,
        comments_enabled=data.comments_enabled,
        lead_image=data.lead_image,
        lead_image_caption=data.lead_image_caption[:300],
    )
    article.bylines = [ArticleByline(author=a, sort_order=i) for i, a in enumerate(data.authors)]
    if data.topics:
        article.topics.set([topic(name, slug) for name, slug in data.topics])
    due = data.published_at
    scheduled = data.status == SCHEDULED and due is not None and due > timezone.now()
    if scheduled:
        article.go_live_at = data.published_at
    parent.add_child(instance=article)
    revision = article.save_revision()
    if data.status in (LIVE, SCHEDULED):
        revision.publish()
        if not scheduled and data.published_at:
            ArticlePage.objects.filter(pk=article.pk).update(
                first_published_at=data.published_at, last_published_at=data.published_at
            )
    if data.password:
        PageViewRestriction.objects.create(
            page=article,
            restriction_type=PageViewRestriction.PASSWORD,
            password=data.password[:255],
        )
    return article
