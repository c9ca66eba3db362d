"""Demo content of a small-city newspaper, loaded by `masthead run` on a new site."""

import colorsys
import io
import random
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.crypto import get_random_string
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model

from .ingest import ingest_file
from .models import ArticlePage, AuthorIndexPage, AuthorPage, HomePage, SectionPage, TopicIndexPage

DEMO_DIR = Path(__file__).resolve().parent / "demo"
LOGIN_FILE = "demo-logins.txt"

DEMO_COMMENTS = [
    # (article slug, name, email, text, index of the comment replied to or None)
    (
        "council-approves-riverfront-housing-plan",
        "Rosa Delgado",
        "rosa@example.org",
        "Finally. My daughter has been on the waiting list for an affordable unit for three "
        "years. I hope the 30% set-aside survives the next budget.",
        None,
    ),
    (
        "council-approves-riverfront-housing-plan",
        "Tom Becker",
        "tbecker@example.net",
        "Eight hours and nobody asked where the parking goes? The Abbott Street lot is "
        "already full by 8 am.",
        None,
    ),
    (
        "council-approves-riverfront-housing-plan",
        "Priya S.",
        "priya.s@example.com",
        "@Tom the plan has a shuttle and two new bus stops, see page 14 of the staff report.",
        1,
    ),
]


def _demo_image(seed: str, title: str, size=(1600, 900)):
    """A generated picture (a soft gradient with shapes), so the demo needs no downloads."""
    rng = random.Random(seed)
    hue = rng.random()
    top = tuple(int(c * 255) for c in colorsys.hls_to_rgb(hue, 0.55, 0.45))
    bottom = tuple(int(c * 255) for c in colorsys.hls_to_rgb((hue + 0.1) % 1, 0.25, 0.5))
    image = PILImage.new("RGB", size, top)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        t = y / size[1]
        colour = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (size[0], y)], fill=colour)
    for _ in range(7):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(60, 260)
        shade = tuple(min(255, c + rng.randrange(20, 60)) for c in bottom)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=shade, width=6)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    Image = get_image_model()
    return Image.objects.create(
        title=title,
        file=ImageFile(buffer, name=f"{seed}.jpg"),
        width=size[0],
        height=size[1],
    )


def _with_lead_image(article) -> None:
    article.lead_image = _demo_image(article.slug, article.title)
    article.lead_image_caption = f"{article.dateline.title() or 'Riverton'}, this week."
    article.lead_image_credit = "Courier staff"


def demo_loaded() -> bool:
    return ArticlePage.objects.filter(slug="council-approves-riverfront-housing-plan").exists()


def load_demo(stdout=None) -> dict:
    """Load sections, authors, articles, comments and demo users once; return the logins
    (read back from the login file on later runs)."""
    login_path = Path(settings.VAR_DIR) / LOGIN_FILE
    if demo_loaded():
        return {"loaded": False, "logins": login_path.read_text() if login_path.exists() else ""}
    with transaction.atomic():
        home = HomePage.objects.get()
        home.title = settings.WAGTAIL_SITE_NAME
        home.intro = "News from Riverton and the world"
        home.save_revision().publish()
        for entry in yaml.safe_load((DEMO_DIR / "sections.yaml").read_text("utf-8")):
            section = SectionPage.objects.filter(slug=entry["slug"]).first()
            if section is None:
                section = SectionPage(
                    title=entry["title"],
                    slug=entry["slug"],
                    intro=entry.get("intro", ""),
                    show_in_menus=True,
                )
                home.add_child(instance=section)
                section.save_revision().publish()
        index_page = AuthorIndexPage.objects.first()
        if index_page is None:
            index_page = AuthorIndexPage(title="Authors", slug="authors")
            home.add_child(instance=index_page)
            index_page.save_revision().publish()
        if not TopicIndexPage.objects.exists():
            topics = TopicIndexPage(title="Topics", slug="topics")
            home.add_child(instance=topics)
            topics.save_revision().publish()
        for entry in yaml.safe_load((DEMO_DIR / "authors.yaml").read_text("utf-8")):
            author = AuthorPage.objects.filter(slug=entry["slug"]).first()
            if author is None:
                author = AuthorPage(title=entry["name"], slug=entry["slug"])
                index_page.add_child(instance=author)
            author.role = entry.get("role", "")
            author.bio = f"<p>{entry.get('bio', '')}</p>"
            author.photo = _demo_image(entry["slug"], f"Portrait: {entry['name']}", (400, 400))
            author.save_revision().publish()

        articles = []
        for path in sorted((DEMO_DIR / "articles").glob("*.md")):
            result = ingest_file(path, prepare=_with_lead_image)
            article = result.article
            articles.append(article)
        lead = next((a for a in articles if a.slug == DEMO_COMMENTS[0][0]), None)
        if lead is not None:
            home = HomePage.objects.get()
            home.lead_story = lead
            home.save_revision().publish()
        logins = _demo_users()
    _demo_comments()
    login_path.parent.mkdir(parents=True, exist_ok=True)
    login_path.write_text(logins)
    login_path.chmod(0o600)
    return {"loaded": True, "logins": logins}


def _demo_comments():
    from comments.models import Comment
    from comments.services import moderate_comments, submit_comment

    made = []
    for slug, name, email, text, reply_to in DEMO_COMMENTS:
        page = ArticlePage.objects.get(slug=slug)
        parent = made[reply_to] if reply_to is not None else None
        comment = submit_comment(page=page, name=name, email=email, body=text, parent=parent)
        if comment.status != Comment.Status.APPROVED:
            moderate_comments(comment_ids=[comment.pk], action="approve")
            comment.refresh_from_db()
        made.append(comment)


def _demo_users() -> str:
    User = get_user_model()
    lines = []
    password = get_random_string(16)
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "email": "admin@localhost",
            "is_staff": True,
            "is_superuser": True,
            "first_name": "Site",
            "last_name": "Administrator",
        },
    )
    if created:
        admin.set_password(password)
        admin.save()
    lines.append(f"admin / {password}  (administrator)")
    # Wagtail's default workflow sends pages for review by the Moderators group: reporters
    # (Editors group) submit, editors (Moderators group) approve or send back.
    for username, group, first, last, role in [
        ("reporter", "Editors", "Rae", "Porter", "submits articles for review"),
        ("editor", "Moderators", "Eddie", "Torres", "approves, publishes, moderates"),
    ]:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@localhost",
                "is_staff": True,
                "first_name": first,
                "last_name": last,
            },
        )
        if created:
            user.set_password(password)
            user.save()
            group_obj = Group.objects.filter(name=group).first()
            if group_obj is not None:
                user.groups.add(group_obj)
        lines.append(f"{username} / {password}  ({role})")
    return "\n".join(lines) + "\n"
