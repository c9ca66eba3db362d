"""Import a WordPress export (WXR) into the site: authors, sections, topics, posts and
pages as articles, and their comments with threading and moderation state.

The file is read three times, each as a stream in constant memory: once to check it is
well-formed (so a damaged file changes nothing unless --keep-going is given), once for
the site's people, categories and media library, and once for the posts. Each post goes
in with its comments in one transaction. What was imported is remembered by WordPress id
and site (ImportedObject), so a second run changes nothing and a newer export adds only
what is new.
"""

from ..wxr import REMOVED_META
from .importer import WordPressImport

__all__ = ["REMOVED_META", "WordPressImport"]
