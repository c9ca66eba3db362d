"""The demo site's newsletters (`masthead run`), made once."""

import datetime as dt

from .models import Newsletter


def load_demo() -> bool:
    """Two newsletters, if the site has none yet; returns whether it made them."""
    if Newsletter.objects.exists():
        return False
    Newsletter.objects.create(
        name="The Morning Briefing",
        slug="morning-briefing",
        description="The day's news before breakfast, every morning at 6.",
        schedule=Newsletter.Schedule.DAILY,
        send_time=dt.time(6, 0),
        sort_order=0,
    )
    Newsletter.objects.create(
        name="Weekend Reads",
        slug="weekend-reads",
        description="The week's best stories, picked by our editors, on Saturdays.",
        schedule=Newsletter.Schedule.MANUAL,
        content=Newsletter.Content.CURATED,
        weekday=Newsletter.Weekday.SATURDAY,
        sort_order=1,
    )
    return True
