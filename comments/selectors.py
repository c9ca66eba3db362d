"""Named reads of comment data for other apps."""

from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Thread


def with_comment_counts(queryset):
    """Annotate pages with `public_comment_count`, in the same query."""
    count = Thread.objects.filter(page_id=OuterRef("pk")).values("public_count")[:1]
    return queryset.annotate(
        public_comment_count=Coalesce(Subquery(count), Value(0), output_field=IntegerField())
    )
