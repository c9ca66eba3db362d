"""What a reader may write: paragraphs, line breaks, links, emphasis, code and quotes;
nothing that runs, loads or hides."""

import pytest
from bs4 import BeautifulSoup

from comments.markup import render
from comments.tests import factories
from news.tests import factories as news


def test_blank_lines_make_paragraphs_and_single_newlines_line_breaks():
    assert render("First.\n\nSecond,\nstill second.") == (
        "<p>First.</p>\n<p>Second,<br>\nstill second.</p>"
    )


def test_emphasis_strong_and_inline_code_are_kept():
    assert render("an *aside*, a **point** and `code`") == (
        "<p>an <em>aside</em>, a <strong>point</strong> and <code>code</code></p>"
    )


def test_a_code_block_keeps_its_text_and_escapes_markup_in_it():
    assert render("```\nif a < b:\n    <b>\n```") == (
        "<pre><code>if a &lt; b:\n    &lt;b&gt;\n</code></pre>"
    )


def test_a_block_quote_is_kept():
    assert render("> They said so.\n\nI disagree.") == (
        "<blockquote>\n<p>They said so.</p>\n</blockquote>\n<p>I disagree.</p>"
    )


def test_links_are_kept_with_nofollow_ugc_noopener():
    assert render("[the report](https://example.org/report?a=1&b=2)") == (
        '<p><a href="https://example.org/report?a=1&amp;b=2" rel="nofollow ugc noopener">'
        "the report</a></p>"
    )


def test_a_bare_address_becomes_a_link_with_the_same_rel():
    assert render("see https://example.org now") == (
        '<p>see <a href="https://example.org" rel="nofollow ugc noopener">'
        "https://example.org</a> now</p>"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ('<p onclick="steal()">hi</p>', '<p>&lt;p onclick="steal()"&gt;hi&lt;/p&gt;</p>'),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>',
        ),
        (
            "<iframe src=/frame></iframe>",
            "<p>&lt;iframe src=/frame&gt;&lt;/iframe&gt;</p>",
        ),
    ],
)
def test_raw_html_is_shown_as_text(text, expected):
    assert render(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
    ],
)
def test_a_link_to_a_script_is_not_a_link(text):
    assert render(text) == f"<p>{text}</p>"


def test_an_image_is_not_loaded_only_linked():
    html = render("![chart](https://images.example/chart.png)")

    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("img") is None
    assert soup.find("a")["href"] == "https://images.example/chart.png"


@pytest.mark.parametrize(
    "text", ["# Shouting", "- a list item", "| a | table |\n|---|---|\n| 1 | 2 |", "***"]
)
def test_headings_lists_tables_and_rules_stay_plain_text(text):
    soup = BeautifulSoup(render(text), "html.parser")

    assert {tag.name for tag in soup.find_all(True)} <= {"p", "br"}


def test_the_rendered_text_is_what_the_thread_shows(client, db):
    page = news.article()
    comment = factories.comment(
        page, body='Look <script>alert("x")</script> at [this](https://example.org).'
    )

    item = BeautifulSoup(client.get(page.url).content, "html.parser").find(
        id=f"comment-{comment.pk}"
    )

    text = item.select_one(".comment-text")
    assert text.find("script") is None
    assert text.find("a")["rel"] == ["nofollow", "ugc", "noopener"]
    assert text.get_text() == 'Look <script>alert("x")</script> at this.'
