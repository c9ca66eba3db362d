"""Wagtail page types of a news site: front page, sections, articles, authors and topics."""

import math

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models.functions import Coalesce, Greatest, Now
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import ItemBase, TagBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.url_routing import RouteResult

from comments.models import CommentableMixin, Thread
from comments.selectors import with_comment_counts
from comments.services import public_count

from .blocks import ArticleBodyBlock


def paginate(request, queryset, per_page: int | None = None):
    """Return the requested page of `queryset`; a bad page number gives the first or last."""
    paginator = Paginator(queryset, per_page or settings.MASTHEAD_PAGE_SIZE)
    number = request.GET.get("page", 1)
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


_UNSET = object()


class Topic(TagBase):
    """A subject that articles are tagged with; each has its own page under /topics/."""

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def get_absolute_url(self):
        # A page listing several topics sets `index_page` on each, so that their URLs cost
        # one query in all rather than one each.
        index_page = getattr(self, "index_page", _UNSET)
        if index_page is _UNSET:
            index_page = TopicIndexPage.objects.live().first()
        if index_page is None:
            return ""
        return index_page.url + index_page.reverse_subpage("topic", args=[self.slug])


class ArticleTopic(ItemBase):
    tag = models.ForeignKey(Topic, related_name="tagged_articles", on_delete=models.CASCADE)
    content_object = ParentalKey(
        "news.ArticlePage", related_name="tagged_topics", on_delete=models.CASCADE
    )


class HomePage(Page):
    """The front page: the lead story and the latest articles of each section."""

    intro = models.CharField(max_length=255, blank=True)
    lead_story = models.ForeignKey(
        "news.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown at the top of the front page. Empty: the newest article."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("lead_story")]
    subpage_types = ["news.SectionPage", "news.AuthorIndexPage", "news.TopicIndexPage"]
    max_count = 1

    def route(self, request, path_components):
        # An article (section/slug/) is found in one query rather than one or two per level
        # of the tree; anything else is routed level by level as usual.
        if len(path_components) == 2 and all(path_components):
            article = (
                ArticlePage.objects.filter(
                    slug=path_components[1],
                    depth=self.depth + 2,
                    path__startswith=self.path,
                    url_path=f"{self.url_path}{path_components[0]}/{path_components[1]}/",
                )
                .order_by()
                .first()
            )
            if article is not None and article.live:
                return RouteResult(article)
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().public().for_listing()
        lead = None
        if self.lead_story_id:
            lead = articles.filter(pk=self.lead_story_id).first()
        if lead is None:
            lead = articles.recent().first()
        context["lead"] = lead
        sections = list(SectionPage.objects.live().public().child_of(self).specific())
        latest = ArticlePage.objects.latest_by_section(sections, per_section=4, exclude=lead)
        context["section_blocks"] = [(s, latest.get(s.pk, [])) for s in sections]
        return context


class SectionPage(Page):
    """A section of the newspaper (World, Politics, Business...) holding its articles."""

    intro = models.CharField(max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["news.HomePage"]
    subpage_types = ["news.ArticlePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().public().child_of(self).for_listing().recent()
        context["articles"] = paginate(request, articles)
        return context


class AuthorIndexPage(Page):
    """Lists the newsroom's authors."""

    parent_page_types = ["news.HomePage"]
    subpage_types = ["news.AuthorPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["authors"] = (
            AuthorPage.objects.live().child_of(self).select_related("photo").order_by("title")
        )
        return context


class AuthorPage(Page):
    """An author's profile: name (the page title), role, short bio and photo."""

    role = models.CharField(max_length=120, blank=True)
    bio = RichTextField(features=["bold", "italic", "link"], blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    content_panels = Page.content_panels + [
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("photo"),
    ]
    search_fields = Page.search_fields + [index.SearchField("bio"), index.SearchField("role")]
    parent_page_types = ["news.AuthorIndexPage"]
    subpage_types = []

    @property
    def name(self) -> str:
        return self.title

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = (
            ArticlePage.objects.live().public().filter(bylines__author=self).for_listing().recent()
        )
        context["articles"] = paginate(request, articles)
        return context


class TopicIndexPage(RoutablePageMixin, Page):
    """/topics/ lists every topic in use; /topics/<slug>/ lists that topic's articles."""

    parent_page_types = ["news.HomePage"]
    subpage_types = []
    max_count = 1

    @path("")
    def topic_list(self, request):
        topics = (
            Topic.objects.filter(tagged_articles__content_object__live=True)
            .annotate(article_count=models.Count("tagged_articles"))
            .order_by("name")
        )
        return self.render(request, context_overrides={"topics": topics})

    @path("<str:slug>/", name="topic")
    def topic_detail(self, request, slug):
        topic = get_object_or_404(Topic, slug=slug)
        articles = ArticlePage.objects.live().public().filter(topics=topic).for_listing().recent()
        if not articles.exists():
            raise Http404
        return self.render(
            request,
            context_overrides={"topic": topic, "articles": paginate(request, articles)},
            template="news/topic_page.html",
        )


class ArticlePageQuerySet(PageQuerySet):
    def recent(self):
        return self.order_by("-first_published_at", "-pk")

    def for_listing(self):
        """What a listing shows of each article, fetched in a fixed number of queries."""
        return (
            with_comment_counts(self)
            .select_related("lead_image")
            .prefetch_related(
                models.Prefetch(
                    "bylines",
                    queryset=ArticleByline.objects.select_related("author").order_by("sort_order"),
                )
            )
        )

    def with_modified(self):
        """Annotate `modified_at`: the last publication or the newest update or correction
        already dated, whichever is later (what `dateModified` and sitemaps report)."""
        newest_update = (
            ArticleUpdate.objects.filter(article=models.OuterRef("pk"), published_at__lte=Now())
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return self.annotate(
            modified_at=Greatest(
                "last_published_at",
                Coalesce(models.Subquery(newest_update), "last_published_at"),
            )
        )

    def not_syndicated(self):
        """Articles that are their own original: no canonical URL pointing elsewhere."""
        return self.filter(canonical_url="")

    def latest_by_section(self, sections, *, per_section: int, exclude=None):
        """The newest `per_section` live articles of each section, as {section_id: [article]}."""
        result = {}
        if not sections:
            return result
        qs = self.live().public().for_listing().recent()
        if exclude is not None:
            qs = qs.exclude(pk=exclude.pk)
        for section in sections:
            result[section.pk] = list(qs.child_of(section)[:per_section])
        return result


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)


class ArticlePage(CommentableMixin, Page):
    """A news article: headline (the page title), dek, bylines, dateline, body, updates."""

    dek = models.TextField(
        _("dek"), blank=True, max_length=400, help_text=_("The standfirst under the headline.")
    )
    dateline = models.CharField(
        max_length=100, blank=True, help_text=_("Where the story was reported, e.g. BAGHDAD.")
    )
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_image_caption = models.CharField(max_length=300, blank=True)
    lead_image_credit = models.CharField(max_length=120, blank=True)
    body = StreamField(ArticleBodyBlock(), blank=True)
    topics = ClusterTaggableManager(through=ArticleTopic, blank=True)
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown when the article is shared on social media. Empty: the lead image."),
    )
    canonical_url = models.URLField(
        _("canonical URL"),
        max_length=500,
        blank=True,
        help_text=_(
            "Only for a copy of an article first published elsewhere: the original's address. "
            "Search engines then credit the original, and the sitemaps leave this copy out."
        ),
    )

    objects = ArticlePageManager()

    content_panels = Page.content_panels + [
        FieldPanel("dek"),
        InlinePanel("bylines", label=_("Bylines"), min_num=0),
        FieldPanel("dateline"),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading=_("Lead image"),
        ),
        FieldPanel("body"),
        FieldPanel("topics"),
        InlinePanel("updates", label=_("Updates and corrections")),
    ]
    promote_panels = Page.promote_panels + [
        MultiFieldPanel(
            [FieldPanel("social_image"), FieldPanel("canonical_url")],
            heading=_("For sharing"),
        ),
    ]
    settings_panels = Page.settings_panels + CommentableMixin.comment_panels
    search_fields = Page.search_fields + [
        index.SearchField("dek"),
        index.SearchField("body"),
        index.SearchField("dateline"),
        index.FilterField("first_published_at"),
    ]
    parent_page_types = ["news.SectionPage"]
    subpage_types = []

    # The page cache keeps articles long (their changes purge them) and listings briefly.
    page_cache_long = True

    class Meta:
        verbose_name = _("article")

    @property
    def headline(self) -> str:
        return self.title

    def surrogate_keys(self) -> list[str]:
        """Names a CDN can purge this page's cached copies by."""
        section = self._section_with_count
        return [
            f"page-{self.pk}",
            *([f"section-{section.pk}"] if section else []),
            *(f"author-{author.pk}" for author in self._byline_authors),
        ]

    @cached_property
    def _byline_authors(self) -> list:
        return [b.author for b in self.bylines.select_related("author").order_by("sort_order")]

    @cached_property
    def _section_with_count(self):
        """The article's section, carrying the article's public comment count (so that the
        count costs the page no query of its own)."""
        thread_count = Thread.objects.filter(page_id=self.pk).values("public_count")[:1]
        return (
            SectionPage.objects.filter(path=self.path[: -self.steplen])
            .only("title", "slug", "url_path")
            .annotate(article_comment_count=models.Subquery(thread_count))
            .first()
        )

    @property
    def section(self):
        return self.get_parent().specific

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["bylines"] = self._byline_authors
        # An update dated ahead is kept back until its time; the cached page is kept no
        # longer than that, so it appears when it comes due.
        now = timezone.now()
        updates = list(self.updates.order_by("published_at"))
        context["updates"] = [u for u in updates if u.published_at <= now]
        upcoming = [u.published_at for u in updates if u.published_at > now]
        if upcoming:
            _keep_cached_until(request, upcoming[0], now)
        topics = list(self.topics.order_by("name"))
        if topics:
            index_page = TopicIndexPage.objects.live().first()
            for topic in topics:
                topic.index_page = index_page
        context["article_topics"] = topics
        section = self._section_with_count
        context["section"] = section
        context["comment_count"] = (
            (section.article_comment_count or 0) if section else public_count(self.pk)
        )
        return context


def _keep_cached_until(request, when, now) -> None:
    """Keep the page cache (and a CDN) from serving this render after `when`."""
    seconds = math.floor((when - now).total_seconds())
    ttl = getattr(request, "masthead_page_ttl", settings.MASTHEAD_PAGE_CACHE_TTL)
    request.masthead_page_ttl = min(ttl, seconds)


class ArticleByline(Orderable):
    article = ParentalKey(ArticlePage, related_name="bylines", on_delete=models.CASCADE)
    author = models.ForeignKey(AuthorPage, related_name="bylines", on_delete=models.CASCADE)

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_byline_per_article")
        ]

    def __str__(self):
        return self.author.title


class ArticleUpdate(Orderable):
    """A dated note shown on the article: an update, or a correction of an error."""

    class Kind(models.TextChoices):
        UPDATE = "update", _("Update")
        CORRECTION = "correction", _("Correction")

    article = ParentalKey(ArticlePage, related_name="updates", on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UPDATE)
    published_at = models.DateTimeField()
    text = models.TextField()

    panels = [FieldPanel("kind"), FieldPanel("published_at"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        ordering = ["published_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"
