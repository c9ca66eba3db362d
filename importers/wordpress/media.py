"""The media library of a WordPress export: attachments recorded in the first pass, and
the images posts show, made into Wagtail images once each from a copy of the uploads
folder."""

from pathlib import Path

from django.core.files.images import ImageFile
from wagtail.images import get_image_model

from ..base import Registry, Summary
from ..html import ImageRef, original_upload_path, plain_text, title_text
from ..html import without_size_suffix as unsized
from ..models import ImportedObject
from ..wxr import WxrItem

Kind = ImportedObject.Kind
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic", ".bmp", ".tif"}


class MediaLibrary:
    """Attachments and images of one import; `uploads` is the copy of the old site's
    wp-content/uploads, or None."""

    def __init__(self, *, registry: Registry, summary: Summary, uploads: Path | None):
        self.registry, self.summary, self.uploads = registry, summary, uploads

    def attachment_row(self, item: WxrItem) -> ImportedObject:
        """The record of an attachment item, for featured images and galleries."""
        url = item.attachment_url or item.guid
        data = {
            "url": url,
            "file": item.meta.get("_wp_attached_file", ""),
            "alt": item.meta.get("_wp_attachment_image_alt", ""),
            "caption": plain_text(item.excerpt),
            "title": title_text(item.title),
        }
        return self.registry.row(Kind.ATTACHMENT, item.post_id or url, data=data)

    def gallery(self, ids: list[str]) -> list[ImageRef]:
        rows = self.registry.existing(Kind.ATTACHMENT, ids)
        refs = []
        for attachment_id in ids:
            row = rows.get(attachment_id)
            if row is None:
                self.summary.notes["gallery images not in the file"] += 1
                continue
            data = row.data
            refs.append(
                ImageRef(
                    url=data.get("url", ""),
                    alt=data.get("alt", ""),
                    caption=data.get("caption", ""),
                    attachment_id=attachment_id,
                )
            )
        return refs

    def image_for(self, ref: ImageRef):
        """A Wagtail image for an image the post shows, made once from the uploads
        folder; None when there is no folder or no such file."""
        if self.uploads is None or not ref.url and not ref.attachment_id:
            return None
        candidates = []
        attachment: dict = {}
        if ref.attachment_id:
            row = self.registry.get(Kind.ATTACHMENT, ref.attachment_id)
            attachment = row.data if row is not None else {}
            if attachment.get("file"):
                candidates.append(attachment["file"])
        relative = original_upload_path(ref.url)
        if relative:
            candidates += [unsized(relative), relative]
        for relative in dict.fromkeys(candidates):
            path = (self.uploads / relative).resolve()
            if (
                path.suffix.lower() in IMAGE_EXTENSIONS
                and path.is_file()
                and path.is_relative_to(self.uploads.resolve())
            ):
                # The image's words: the alt text where the post or the media library
                # gives one, else the attachment's title, and the file name last.
                alt = ref.alt or attachment.get("alt", "")
                return self._image_file(relative, path, alt, attachment.get("title", ""))
        return None

    def _image_file(self, relative: str, path: Path, alt: str, title: str):
        Image = get_image_model()
        object_id = self.registry.object_id(Kind.IMAGE, relative)
        if object_id:
            image = Image.objects.filter(pk=object_id).first()
            if image is not None:
                return image
        with open(path, "rb") as handle:
            image = Image(
                title=(alt or title or path.stem)[:255],
                description=alt[:255],
                file=ImageFile(handle, name=path.name),
            )
            image.save()
        self.registry.replace(Kind.IMAGE, relative, image)
        self.summary.created["images"] += 1
        return image
