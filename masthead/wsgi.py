import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

from masthead.pagecache import PageCacheApp  # noqa: E402  (needs the settings module)

application = PageCacheApp(get_wsgi_application())
