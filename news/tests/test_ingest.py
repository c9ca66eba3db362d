"""`masthead ingest FILE...`: articles from plain-text and Markdown files."""

import datetime as dt
import io
import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from news.models import ArticlePage, ArticleUpdate, AuthorPage, SectionPage
from news.tests import factories


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def ingest(*paths, **options) -> tuple[str, str]:
    """Run the command; return what it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *[str(p) for p in paths], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def ingest_failing(*paths) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("ingest", *[str(p) for p in paths], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failure.value)


def paragraphs(article) -> list[str]:
    return [block.value.source for block in article.body if block.block_type == "paragraph"]


FULL = """
    ---
    section: Politics
    authors: [Maya Okafor, Dev Patel]
    dateline: RIVERTON
    topics: [City Council, Housing]
    published: 2024-01-04T09:30:00-05:00
    dek: The council voted 6-3 for 412 apartments.
    updates:
      - kind: update
        at: 2024-01-04T14:05:00-05:00
        text: Adds comment from the mayor.
      - kind: correction
        at: 2024-01-05T08:00:00-05:00
        text: It is 412 units, not 421.
    ---
    Council approves riverfront housing plan

    The council voted early Friday.

    ## A swing vote

    > We have people sleeping in their cars.
    > — Rosalind Abernathy
"""


# Creating and updating ---------------------------------------------------------------------


def test_a_plain_text_file_becomes_a_live_article(db, tmp_path):
    factories.section("World")
    path = write(
        tmp_path,
        "harbour.txt",
        """
        Storm closes the harbour

        Ferries stayed in port on Thursday
        as gusts reached 90 km/h.

        The port reopens tomorrow.
    """,
    )

    out, err = ingest(path)

    article = ArticlePage.objects.get()
    assert out == f"{path}: created live article 'storm-closes-the-harbour'\n"
    assert err == ""
    assert (article.title, article.live, article.get_parent().title) == (
        "Storm closes the harbour",
        True,
        "World",
    )
    assert paragraphs(article) == [
        "<p>Ferries stayed in port on Thursday as gusts reached 90 km/h.</p>",
        "<p>The port reopens tomorrow.</p>",
    ]


def test_on_a_site_without_sections_a_file_without_one_goes_in_a_new_uncategorized_section(
    db, tmp_path, client
):
    factories.home()
    path = write(tmp_path, "story.txt", "Storm closes the harbour\n\nFerries stayed in port.\n")

    out, err = ingest(path)
    again, _ = ingest(write(tmp_path, "next.txt", "Ferries sail again\n\nThe port reopened.\n"))

    assert err == ""
    assert out.splitlines() == [
        f"{path}: no section given and the site had none; created the default section "
        "'Uncategorized' at /uncategorized/ (MASTHEAD_DEFAULT_SECTION)",
        f"{path}: created live article 'storm-closes-the-harbour'",
    ]
    assert again.splitlines() == [
        f"{tmp_path / 'next.txt'}: created live article 'ferries-sail-again'"
    ]
    section = SectionPage.objects.get()
    assert (section.title, section.slug, section.live) == ("Uncategorized", "uncategorized", True)
    assert [a.title for a in ArticlePage.objects.child_of(section).order_by("pk")] == [
        "Storm closes the harbour",
        "Ferries sail again",
    ]
    assert client.get("/uncategorized/storm-closes-the-harbour/").status_code == 200


def test_the_default_section_is_named_by_masthead_default_section(db, tmp_path, settings):
    factories.home()
    settings.MASTHEAD_DEFAULT_SECTION = "Nouvelles générales"
    path = write(tmp_path, "story.txt", "Storm closes the harbour\n\nFerries stayed in port.\n")

    out, _ = ingest(path)

    assert out.splitlines()[0] == (
        f"{path}: no section given and the site had none; created the default section "
        "'Nouvelles générales' at /nouvelles-generales/ (MASTHEAD_DEFAULT_SECTION)"
    )
    assert ArticlePage.objects.get().get_parent().title == "Nouvelles générales"


def test_an_empty_default_section_name_is_reported_and_nothing_is_created(db, tmp_path, settings):
    factories.home()
    settings.MASTHEAD_DEFAULT_SECTION = " "
    path = write(tmp_path, "story.txt", "Storm closes the harbour\n\nFerries stayed in port.\n")

    out, err, failure = ingest_failing(path)

    assert out == ""
    assert err == (
        f"error: {path}:1: no section given, the site has no sections yet, and "
        "MASTHEAD_DEFAULT_SECTION=' ' cannot name one; set section: in front matter or give "
        "MASTHEAD_DEFAULT_SECTION a name\n"
    )
    assert failure == "1 of 1 files could not be ingested."
    assert (SectionPage.objects.count(), ArticlePage.objects.count()) == (0, 0)


def test_a_section_named_in_a_file_and_new_to_the_site_is_reported(db, tmp_path):
    factories.section("World")
    path = write(tmp_path, "vote.md", "---\nsection: Politics\n---\nVote tonight\n\nText.\n")

    out, _ = ingest(path)

    assert out.splitlines() == [
        f"{path}: created section 'Politics' at /politics/",
        f"{path}: created live article 'vote-tonight'",
    ]


def test_an_update_dated_ahead_does_not_date_the_article(db, tmp_path):
    factories.section("World")
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    path = write(
        tmp_path,
        "harbour.md",
        f"""
        ---
        published: 2024-01-04 14:30
        updates:
          - kind: update
            at: 2024-01-04 19:05
            text: Adds comment from the mayor.
          - kind: correction
            at: {ahead}
            text: Not yet.
        ---
        Storm closes the harbour

        Ferries stayed in port.
    """,
    )

    ingest(path)

    article = ArticlePage.objects.get()
    assert article.last_published_at == dt.datetime(2024, 1, 4, 19, 5, tzinfo=dt.UTC)
    assert article.updates.count() == 2


def test_front_matter_sets_section_authors_dateline_topics_dek_published_and_updates(db, tmp_path):
    path = write(tmp_path, "council.md", FULL)

    ingest(path)

    article = ArticlePage.objects.get()
    assert article.get_parent().specific == SectionPage.objects.get(title="Politics")
    assert [b.author.title for b in article.bylines.order_by("sort_order")] == [
        "Maya Okafor",
        "Dev Patel",
    ]
    assert sorted(AuthorPage.objects.values_list("title", flat=True)) == [
        "Dev Patel",
        "Maya Okafor",
    ]
    assert article.dateline == "RIVERTON"
    assert sorted(article.topics.names()) == ["City Council", "Housing"]
    assert article.dek == "The council voted 6-3 for 412 apartments."
    assert article.first_published_at == dt.datetime(2024, 1, 4, 14, 30, tzinfo=dt.UTC)
    assert article.last_published_at == dt.datetime(2024, 1, 5, 13, 0, tzinfo=dt.UTC)
    assert [(u.kind, u.published_at, u.text) for u in article.updates.order_by("published_at")] == [
        (
            ArticleUpdate.Kind.UPDATE,
            dt.datetime(2024, 1, 4, 19, 5, tzinfo=dt.UTC),
            "Adds comment from the mayor.",
        ),
        (
            ArticleUpdate.Kind.CORRECTION,
            dt.datetime(2024, 1, 5, 13, 0, tzinfo=dt.UTC),
            "It is 412 units, not 421.",
        ),
    ]


def test_markdown_subheadings_and_quotes_become_their_blocks(db, tmp_path):
    ingest(write(tmp_path, "council.md", FULL))

    body = ArticlePage.objects.get().body

    assert [(block.block_type, block.value) for block in body][1:] == [
        ("heading", "A swing vote"),
        (
            "quote",
            {
                "quote": "We have people sleeping in their cars.",
                "attribution": "Rosalind Abernathy",
            },
        ),
    ]


def test_text_right_under_a_markdown_subheading_is_kept_as_a_paragraph(db, tmp_path):
    factories.section("World")
    path = write(
        tmp_path,
        "notes.md",
        """
        # Ferry timetable changes

        ## What changes
        Boats leave on the hour.
        #1 on the list: the 6 a.m. sailing.

        #MeToo marches continue.
    """,
    )

    ingest(path)

    article = ArticlePage.objects.get()
    assert article.title == "Ferry timetable changes"
    assert [(block.block_type, str(block.value)) for block in article.body] == [
        ("heading", "What changes"),
        ("paragraph", "<p>Boats leave on the hour. #1 on the list: the 6 a.m. sailing.</p>"),
        ("paragraph", "<p>#MeToo marches continue.</p>"),
    ]


def test_status_draft_makes_a_draft(db, tmp_path):
    factories.section("World")
    path = write(
        tmp_path,
        "draft.md",
        """
        ---
        status: draft
        ---
        Not ready yet

        Half a story.
    """,
    )

    out, _ = ingest(path)

    article = ArticlePage.objects.get()
    assert out == f"{path}: created draft article 'not-ready-yet'\n"
    assert (article.live, article.has_unpublished_changes) == (False, True)


def test_a_publication_date_in_the_future_schedules_the_article(db, tmp_path):
    factories.section("World")
    path = write(
        tmp_path,
        "later.md",
        """
        ---
        published: 2999-01-01 09:00
        ---
        News from the future

        Not yet.
    """,
    )

    out, _ = ingest(path)

    article = ArticlePage.objects.get()
    assert out == f"{path}: created scheduled article 'news-from-the-future'\n"
    assert article.live is False
    assert article.go_live_at.year == 2999


def test_the_same_slug_updates_the_article_instead_of_adding_one(db, tmp_path):
    factories.section("World")
    first = write(
        tmp_path,
        "v1.md",
        """
        ---
        slug: harbour-storm
        topics: [Weather]
        ---
        Storm closes the harbour

        First version.
    """,
    )
    second = write(
        tmp_path,
        "v2.md",
        """
        ---
        slug: harbour-storm
        section: Local
        topics: [Ferries]
        ---
        Storm keeps the harbour closed

        Second version.
    """,
    )
    ingest(first)
    original = ArticlePage.objects.get()

    out, _ = ingest(second)

    article = ArticlePage.objects.get()
    assert out == (
        f"{second}: created section 'Local' at /local/\n"
        f"{second}: updated live article 'harbour-storm'\n"
    )
    assert article.pk == original.pk
    assert (article.title, paragraphs(article), list(article.topics.names())) == (
        "Storm keeps the harbour closed",
        ["<p>Second version.</p>"],
        ["Ferries"],
    )
    assert article.get_parent().title == "Local"


def test_ingesting_the_same_file_twice_keeps_one_article(db, tmp_path):
    path = write(tmp_path, "council.md", FULL)

    ingest(path)
    ingest(path)

    assert ArticlePage.objects.count() == 1
    assert AuthorPage.objects.count() == 2
    assert ArticlePage.objects.get().updates.count() == 2


# Text survives -----------------------------------------------------------------------------


def test_typographic_quotes_dashes_and_non_ascii_text_survive_exactly(db, tmp_path, client):
    factories.section("World")
    headline = "Zoë’s “Kraków” plan — a mayor’s gamble"
    text = "“We’ll see,” said Zoë Wójcik — in Kraków, on the Wisła — “nothing’s certain.”"
    for name in ("story.txt", "story.md"):
        path = write(
            tmp_path,
            name,
            f"""
            ---
            slug: {name.replace(".", "-")}
            dateline: KRAKÓW
            authors: [Zoë Wójcik]
            ---
            {headline}

            {text}
        """,
        )
        ingest(path)

    for article in ArticlePage.objects.all():
        assert (article.title, paragraphs(article), article.dateline) == (
            headline,
            [f"<p>{text}</p>"],
            "KRAKÓW",
        )
        page = client.get(article.url).content.decode()
        assert f'<h1 id="headline">{headline}</h1>' in page
        assert f"<p>{text}</p>" in page
    assert AuthorPage.objects.get().title == "Zoë Wójcik"


# Boilerplate -------------------------------------------------------------------------------


def test_trailing_comment_form_and_share_button_text_is_left_out(db, tmp_path):
    factories.section("World")
    path = write(
        tmp_path,
        "copied.txt",
        """
        Storm closes the harbour

        Ferries stayed in port.

        Share this:
        Facebook
        Twitter

        Be the first to comment

        Leave a Reply

        Your email address will not be published. Required fields are marked *
    """,
    )

    ingest(path)

    assert paragraphs(ArticlePage.objects.get()) == ["<p>Ferries stayed in port.</p>"]


def test_the_same_words_inside_the_story_stay(db, tmp_path):
    factories.section("World")
    path = write(
        tmp_path,
        "play.txt",
        """
        Theatre review

        Leave a Reply

        That is the title of the new play, and its poster says Be the first to comment.

        Share this:

        Facebook

        Twitter

        The run ends Sunday.
    """,
    )

    ingest(path)

    assert paragraphs(ArticlePage.objects.get()) == [
        "<p>Leave a Reply</p>",
        "<p>That is the title of the new play, and its poster says Be the first to comment.</p>",
        "<p>Share this:</p>",
        "<p>Facebook</p>",
        "<p>Twitter</p>",
        "<p>The run ends Sunday.</p>",
    ]


# Bad files ---------------------------------------------------------------------------------


def test_bad_files_are_named_with_their_line_and_the_good_ones_still_go_in(db, tmp_path):
    factories.section("World")
    good_before = write(tmp_path, "a-good.txt", "Good before\n\nFine.\n")
    broken_yaml = write(
        tmp_path,
        "b-broken.md",
        """
        ---
        section: World
        authors: [Maya Okafor
        dateline: RIVERTON
        ---
        Headline

        Text.
    """,
    )
    latin1 = tmp_path / "c-latin1.txt"
    latin1.write_bytes("Cafe opens\n\nThe café\nopens on Monday.\n".encode("latin-1"))
    empty = tmp_path / "d-empty.txt"
    empty.write_bytes(b"")
    good_after = write(tmp_path, "e-good.md", "Good after\n\nAlso fine.\n")

    out, err, failure = ingest_failing(good_before, broken_yaml, latin1, empty, good_after)

    assert err.splitlines() == [
        f"error: {broken_yaml}:4: front matter is not valid YAML: expected ',' or ']', but got ':'",
        f"error: {latin1}:3: is not UTF-8 text",
        f"error: {empty}:1: has no headline: the first line must be the headline",
    ]
    assert failure == "3 of 5 files could not be ingested."
    assert out.splitlines() == [
        f"{good_before}: created live article 'good-before'",
        f"{good_after}: created live article 'good-after'",
    ]
    assert sorted(ArticlePage.objects.values_list("title", flat=True)) == [
        "Good after",
        "Good before",
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "---\nsection: World\ncolour: red\n---\nH\n\nB\n",
            3,
            "unknown front matter key 'colour'; known keys: authors, dateline, dek, published, "
            "section, slug, status, topics, updates",
        ),
        (
            "---\nsection: World\npublished: someday\n---\nH\n\nB\n",
            3,
            "published: 'someday' is not a date and time (YYYY-MM-DD HH:MM)",
        ),
        (
            "---\nsection: World\nstatus: maybe\n---\nH\n\nB\n",
            3,
            "status: 'maybe' must be live or draft",
        ),
        (
            "---\nsection: World\nupdates:\n  - kind: erratum\n    at: 2024-01-01\n    text: x\n"
            "---\nH\n\nB\n",
            3,
            "updates: kind 'erratum' must be update or correction",
        ),
        ("---\nsection: World\n---\nHeadline only\n", 4, "has a headline but no story text"),
        (
            "---\nsection: World\nHeadline\n\nText.\n",
            1,
            "front matter starts with --- but never ends",
        ),
        (
            "---\ndateline: " + "X" * 101 + "\n---\nH\n\nB\n",
            2,
            "dateline: Ensure this value has at most 100 characters (it has 101).",
        ),
        ("H" * 256 + "\n\nText.\n", 1, "headline is longer than 255 characters"),
    ],
    ids=[
        "unknown-key",
        "bad-date",
        "bad-status",
        "bad-update-kind",
        "no-story",
        "unclosed-front-matter",
        "dateline-too-long",
        "headline-too-long",
    ],
)
def test_a_bad_value_is_reported_with_its_line(db, tmp_path, text, line, message):
    factories.section("World")
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")

    _, err, failure = ingest_failing(path)

    assert err == f"error: {path}:{line}: {message}\n"
    assert failure == "1 of 1 files could not be ingested."
    assert ArticlePage.objects.count() == 0


def test_a_missing_file_is_reported(db, tmp_path):
    path = tmp_path / "nowhere.txt"

    _, err, _ = ingest_failing(path)

    assert err == f"error: {path}:0: cannot read file: No such file or directory\n"


# The console script ------------------------------------------------------------------------


def test_the_masthead_command_exits_1_when_a_file_fails_and_0_when_all_go_in(
    tmp_path, console_site
):
    console_site.env["DJANGO_SETTINGS_MODULE"] = "masthead.settings_test"
    run = console_site.run

    # Migrating a new database takes minutes on a busy machine.
    assert run("migrate", "--verbosity", "0", timeout=900).returncode == 0
    story = write(tmp_path, "story.txt", "First story\n\nText.\n")
    good = write(tmp_path, "good.md", "---\nsection: World\n---\nGood story\n\nText.\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Bad story\n\n\xff\xfe\n")

    # A fresh site without the demo: no sections yet.
    fresh = run("ingest", str(story))
    failed = run("ingest", str(bad), str(good))
    succeeded = run("ingest", str(good))

    assert (fresh.returncode, fresh.stderr, fresh.stdout.splitlines()) == (
        0,
        "",
        [
            f"{story}: no section given and the site had none; created the default section "
            "'Uncategorized' at /uncategorized/ (MASTHEAD_DEFAULT_SECTION)",
            f"{story}: created live article 'first-story'",
        ],
    )

    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        f"error: {bad}:3: is not UTF-8 text",
        "CommandError: 1 of 2 files could not be ingested.",
    ]
    assert failed.stdout == (
        f"{good}: created section 'World' at /world/\n{good}: created live article 'good-story'\n"
    )
    assert (succeeded.returncode, succeeded.stdout, succeeded.stderr) == (
        0,
        f"{good}: updated live article 'good-story'\n",
        "",
    )
