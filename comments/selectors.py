"""Named reads of comment data for other apps."""

import functools

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from wagtail.models import Page, PageViewRestriction

from mailing.models import Address

from . import sql
from .models import Comment, CommentableMixin, Thread

# What posting a comment reads of its page: liveness, whether it takes comments and since
# when, its type and its address.
POSTING_COLUMNS = (
    "id",
    "path",
    "depth",
    "url_path",
    "live",
    "content_type_id",
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
    only the fields posting needs), or None. One statement (the page's type is
    remembered), where Wagtail's public() and specific take three with every field."""
    remembered = _page_models.get(page_id)
    model = remembered or _page_model(page_id)
    if not model:
        return None
    fields, statement = _posting_statement(model)
    row = next(iter(sql.rows(statement, [page_id, True])), None)
    if row is None and remembered:
        # Gone, or an id used again by a page of another type (a restored database).
        del _page_models[page_id]
        return page_to_comment_on(page_id)
    if row is None:
        return None
    values = [sql.aware(value) for value in row]
    return model.from_db(connection.alias, [f.attname for f in fields], values)


@functools.cache
def _posting_statement(model) -> tuple[list, str]:
    """The model's fields that posting reads, in the model's order, and the statement
    that reads them: the page row joined to the table that holds `comments_enabled`,
    nothing when the page is not live or a view restriction on it or any page above it
    hides it (as Page.objects.public())."""
    quote = connection.ops.quote_name
    pages = sql.table(Page)
    columns = {column: f"p.{quote(column)}" for column in POSTING_COLUMNS}
    join = ""
    if issubclass(model, CommentableMixin):
        field = model._meta.get_field("comments_enabled")
        key = quote(field.model._meta.pk.column)
        join = f" JOIN {sql.table(field.model)} s ON s.{key} = p.id"
        columns[field.column] = f"s.{quote(field.column)}"
    # The specific model's own key (page_ptr_id) is the page's id.
    columns[model._meta.pk.column] = "p.id"
    fields = [f for f in model._meta.concrete_fields if f.column in columns]
    statement = (
        f"SELECT {', '.join(columns[f.column] for f in fields)} FROM {pages} p{join}"
        " WHERE p.id = %s AND p.live = %s AND NOT EXISTS ("
        f"SELECT 1 FROM {sql.table(PageViewRestriction)} r"
        f" JOIN {pages} a ON a.id = r.page_id"
        " WHERE a.path = SUBSTR(p.path, 1, LENGTH(a.path)))"
    )
    return fields, statement


def comments_by_email(email: str):
    """Every comment written under `email` (any status; placeholders, which name nobody,
    excepted), newest first, with its page."""
    email = (email or "").strip().lower()
    if not email:
        return Comment.objects.none()
    return (
        Comment.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email, is_removed=False)
        .select_related("page")
        .order_by("-created_at", "-pk")
    )


def confirmed_emails(emails) -> set[str]:
    """Which of `emails` (compared in lower case) their owners have confirmed by following
    a signed link (mailing), in one query; lowered."""
    wanted = {e.strip().lower() for e in emails if e}
    if not wanted:
        return set()
    return set(
        Address.objects.filter(email__in=wanted, confirmed_at__isnull=False).values_list(
            "email", flat=True
        )
    )
