"""Named reads of comment data for other apps."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import CommentableMixin, Thread

# What posting a comment reads of its page: liveness, whether it takes comments and since
# when, its type and its address.
POSTING_FIELDS = (
    "id",
    "path",
    "depth",
    "url_path",
    "live",
    "content_type",
    "first_published_at",
)


def with_comment_counts(queryset):
    """Annotate pages with `public_comment_count`, in the same query."""
    count = Thread.objects.filter(page_id=OuterRef("pk")).values("public_count")[:1]
    return queryset.annotate(
        public_comment_count=Coalesce(Subquery(count), Value(0), output_field=IntegerField())
    )


# Page id -> its specific model. A page never changes type, so each process remembers it.
_page_models: dict[int, type] = {}


def page_to_comment_on(page_id: int):
    """The live page with this id that anonymous readers may see, as its own type (with
    only the fields posting needs), or None. Two small queries (the page's type is
    remembered), where Wagtail's public() and specific take three with every field."""
    from wagtail.models import Page, PageViewRestriction

    model = _page_models.get(page_id)
    if model is None:
        content_type_id = (
            Page.objects.filter(pk=page_id).values_list("content_type_id", flat=True).first()
        )
        model = content_type_id and ContentType.objects.get_for_id(content_type_id).model_class()
        if not model:
            return None
        if len(_page_models) >= 10_000:
            _page_models.clear()
        _page_models[page_id] = model
    fields = (
        [*POSTING_FIELDS, "comments_enabled"]
        if issubclass(model, CommentableMixin)
        else POSTING_FIELDS
    )
    page = model.objects.filter(pk=page_id, live=True).only(*fields).first()
    if page is None:
        return None
    # A restriction on the page or any page above it hides it (as Page.objects.public()).
    above = [page.path[:end] for end in range(Page.steplen, len(page.path) + 1, Page.steplen)]
    if PageViewRestriction.objects.filter(page__path__in=above).exists():
        return None
    return page
