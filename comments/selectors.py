"""Named reads of comment data for other apps."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from wagtail.models import Page, PageViewRestriction

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


def _page_model(page_id: int):
    content_type_id = (
        Page.objects.filter(pk=page_id).values_list("content_type_id", flat=True).first()
    )
    model = content_type_id and ContentType.objects.get_for_id(content_type_id).model_class()
    if model:
        if len(_page_models) >= 10_000:
            _page_models.clear()
        _page_models[page_id] = model
    return model


def page_to_comment_on(page_id: int):
    """The live page with this id that anonymous readers may see, as its own type (with
    only the fields posting needs), or None. Two small queries (the page's type is
    remembered), where Wagtail's public() and specific take three with every field."""
    remembered = _page_models.get(page_id)
    model = remembered or _page_model(page_id)
    if not model:
        return None
    page = model.objects.filter(pk=page_id, live=True).only(*_fields(model)).first()
    if page is None and remembered:
        # Gone, or an id used again by a page of another type (a restored database).
        del _page_models[page_id]
        return page_to_comment_on(page_id)
    if page is None:
        return None
    # A restriction on the page or any page above it hides it (as Page.objects.public()).
    above = [page.path[:end] for end in range(Page.steplen, len(page.path) + 1, Page.steplen)]
    if PageViewRestriction.objects.filter(page__path__in=above).exists():
        return None
    return page


def _fields(model) -> list[str]:
    if issubclass(model, CommentableMixin):
        return [*POSTING_FIELDS, "comments_enabled"]
    return list(POSTING_FIELDS)
