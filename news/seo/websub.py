"""WebSub publishing (https://www.w3.org/TR/websub/): when an article goes live, tell the
configured hub which feeds changed, so subscribers hear of it at once instead of at their
next poll. Nothing is sent when no hub is configured."""

import logging
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_tasks import task

logger = logging.getLogger(__name__)

PING_TIMEOUT = 10


def feed_urls(article) -> list[str]:
    """Absolute URLs of every feed `article` appears in: the site's, its section's, its
    authors' and its topics'."""
    from news.models import SectionPage

    site = article.get_site()
    if site is None:
        return []
    feeds = [("site-rss", ()), ("site-atom", ()), ("site-json", ())]
    section = SectionPage.objects.filter(path=article.path[: -article.steplen]).first()
    if section is not None:
        feeds += [(f"section-{kind}", (section.slug,)) for kind in ("rss", "atom")]
    for slug in article.bylines.values_list("author__slug", flat=True):
        feeds += [(f"author-{kind}", (slug,)) for kind in ("rss", "atom")]
    for slug in article.topics.values_list("slug", flat=True):
        feeds += [(f"topic-{kind}", (slug,)) for kind in ("rss", "atom")]
    return [site.root_url + reverse(f"seo:{name}", args=args) for name, args in feeds]


@task()
def ping_hub(hub: str, urls: list[str]) -> int:
    """Send the hub a `hub.mode=publish` request for each of `urls`; return how many it
    accepted. A hub that is down or refuses is logged, not retried: subscribers still poll."""
    accepted = 0
    for url in urls:
        request = urllib.request.Request(
            hub,
            data=urlencode({"hub.mode": "publish", "hub.url": url}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=PING_TIMEOUT) as response:
                accepted += 200 <= response.status < 300
        except (urllib.error.URLError, OSError) as error:
            logger.warning("WebSub hub %s did not take %s: %s", hub, url, error)
    return accepted


def announce(sender, instance, **kwargs) -> None:
    """`page_published` receiver for articles: ping the hub once the publication commits."""
    hub = settings.MASTHEAD_WEBSUB_HUB
    if not hub or not instance.live:
        return
    urls = feed_urls(instance)
    transaction.on_commit(lambda: ping_hub.enqueue(hub=hub, urls=urls))
