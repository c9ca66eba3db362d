"""Bookkeeping of imports: which object each record of another system became."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedObject(models.Model):
    """One record of a WordPress or Disqus export and what it became here.

    The key is (source, source_site, kind, external_id): the record's own id in the system
    it came from, within that site, so importing the same export again, or a newer one,
    finds what is already here instead of making it twice. A record that is remembered
    but became no object (a WordPress attachment without its file) has no object.
    """

    class Source(models.TextChoices):
        WORDPRESS = "wordpress", "WordPress"
        DISQUS = "disqus", "Disqus"

    class Kind(models.TextChoices):
        AUTHOR = "author", _("author")
        SECTION = "section", _("section")
        ARTICLE = "article", _("article")
        ATTACHMENT = "attachment", _("attachment")
        IMAGE = "image", _("image")
        COMMENT = "comment", _("comment")
        THREAD = "thread", _("thread")

    source = models.CharField(max_length=20, choices=Source.choices)
    # The WordPress blog's address without scheme (example.com/blog) or the Disqus forum.
    source_site = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    external_id = models.CharField(max_length=255)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    # The record's address on the old site, normalised (host/path?query, no scheme), so
    # that Disqus threads can find the article a WordPress post became.
    source_url = models.CharField(max_length=500, blank=True, db_index=True)
    source_path = models.CharField(max_length=500, blank=True, db_index=True)
    # What an object-less record still tells (an attachment's file and text).
    data = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_site", "kind", "external_id"],
                name="unique_imported_record",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="imported_object_idx")]

    def __str__(self):
        return f"{self.source} {self.source_site} {self.kind} {self.external_id}"

    def get_absolute_url(self):
        target = self.content_object
        if target is None:
            return ""
        if hasattr(target, "get_absolute_url"):
            return target.get_absolute_url()
        return getattr(target, "url", "") or ""
