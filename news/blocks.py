"""StreamField blocks of an article body."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "news/blocks/quote.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False, max_length=250, help_text=_("Describe the image for screen readers.")
    )
    caption = blocks.CharBlock(required=False, max_length=300)
    credit = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "image"
        template = "news/blocks/image.html"


class EmbedBlock(blocks.StructBlock):
    """A post, video or map from another site, shown as a link so the page loads nothing
    from that site until the reader chooses to go there."""

    url = blocks.URLBlock()
    title = blocks.CharBlock(max_length=200)
    provider = blocks.CharBlock(required=False, max_length=80)

    class Meta:
        icon = "media"
        template = "news/blocks/embed.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])
    heading = blocks.CharBlock(max_length=200, template="news/blocks/heading.html", icon="title")
    quote = QuoteBlock()
    image = ImageBlock()
    embed = EmbedBlock()
