import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

from comments.moderation import prepare  # noqa: E402  (needs the settings module)
from pagecache.wsgi import PageCacheApp  # noqa: E402

application = PageCacheApp(get_wsgi_application())
prepare()
# What is loaded by now (Django, Wagtail, the moderation models) lives as long as the
# process. Left to the collector, a full collection walks all of it, stalling whichever
# request triggers it for over 100 ms; frozen, collections look only at newer objects.
gc.freeze()
