"""A WordPress post's HTML to the blocks of an article body.

WordPress stores a post as HTML with its own habits: classic posts leave paragraphs as
blank lines for `wpautop`, block-editor posts wrap everything in <figure> and <div>,
and both use shortcodes ([caption], [embed], [gallery]...). The HTML is sanitised with
nh3 first, then walked: paragraphs, lists and their links and emphasis become paragraph
blocks; headings, quotes, images and embeds become their own blocks. Images become image
blocks when a file can be had (see `images`), otherwise links to where they were.
"""

from .converter import Converter, ImageRef
from .text import original_upload_path, plain_text, title_text, without_size_suffix

__all__ = [
    "Converter",
    "ImageRef",
    "original_upload_path",
    "plain_text",
    "title_text",
    "without_size_suffix",
]
