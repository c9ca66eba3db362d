"""The newsletters' place in the Wagtail admin: newsletters and their issues
(`admin_issues`), and subscribers (`admin_subscribers`)."""

from . import admin_issues, admin_subscribers  # noqa: F401  (they register their hooks)
