"""A WordPress post's HTML to article blocks, sanitised."""

from importers.html import Converter, ImageRef, title_text


def blocks(html: str, **kwargs):
    return Converter(base_url="https://old.example", **kwargs).convert(html)


def test_classic_text_becomes_paragraphs_at_blank_lines_and_breaks_at_single_ones():
    assert blocks("First line\nsame paragraph.\n\nSecond <strong>bold</strong> one.") == [
        ("paragraph", "<p>First line<br/>same paragraph.</p>"),
        ("paragraph", "<p>Second <b>bold</b> one.</p>"),
    ]


def test_scripts_handlers_and_javascript_links_are_removed():
    result = blocks(
        '<p onclick="steal()">Hi <a href="javascript:alert(1)">there</a>'
        '<script>alert(1)</script> <a href="/about/">about</a></p><style>p{}</style>'
    )
    assert result == [
        ("paragraph", '<p>Hi there <a href="https://old.example/about/">about</a></p>')
    ]


def test_headings_lists_and_quotes_with_their_attribution():
    result = blocks(
        "<h2>Results</h2><ol><li>One<ul><li>a</li></ul></li><li>Two</li></ol>"
        "<blockquote><p>Be brief.</p><cite>An Editor</cite></blockquote>"
        "<blockquote><p>Line one.</p><p>— Someone</p></blockquote>"
    )
    assert result == [
        ("heading", "Results"),
        ("paragraph", "<ol><li>One<ul><li>a</li></ul></li><li>Two</li></ol>"),
        ("quote", {"quote": "Be brief.", "attribution": "An Editor"}),
        ("quote", {"quote": "Line one.", "attribution": "Someone"}),
    ]


def test_images_without_their_files_stay_as_links_with_their_caption():
    result = blocks(
        '[caption id="attachment_9" width="300"]<a href="/big.jpg"><img class="wp-image-9" '
        'src="/wp-content/uploads/2020/01/pic-300x200.jpg" alt="A pic"></a> The caption[/caption]'
    )
    assert result == [
        (
            "embed",
            {
                "url": "https://old.example/wp-content/uploads/2020/01/pic-300x200.jpg",
                "title": "The caption",
                "provider": "Image",
            },
        )
    ]


def test_images_with_their_files_become_image_blocks():
    seen = []

    def image_for(ref: ImageRef):
        seen.append(ref)
        return "IMAGE"

    result = blocks('<p>Before <img src="/x.png" alt="X"> after</p>', image_for=image_for)
    assert result == [
        ("paragraph", "<p>Before</p>"),
        ("image", {"image": "IMAGE", "alt_text": "X", "caption": "", "credit": ""}),
        ("paragraph", "<p>after</p>"),
    ]
    assert seen[0].url == "https://old.example/x.png"


def test_embeds_from_urls_on_their_own_line_shortcodes_and_block_markup():
    result = blocks(
        "https://www.youtube.com/watch?v=abc\n\n[embed]https://vimeo.com/1[/embed]\n\n"
        '<figure class="wp-block-embed is-provider-twitter"><div class="wp-block-embed__wrapper">'
        "https://twitter.com/a/status/1</div></figure>\n\n[contact-form to=x]Text stays[sic]"
    )
    assert result == [
        (
            "embed",
            {
                "url": "https://www.youtube.com/watch?v=abc",
                "title": "YouTube",
                "provider": "YouTube",
            },
        ),
        ("embed", {"url": "https://vimeo.com/1", "title": "Vimeo", "provider": "Vimeo"}),
        (
            "embed",
            {
                "url": "https://twitter.com/a/status/1",
                "title": "X (Twitter)",
                "provider": "X (Twitter)",
            },
        ),
        ("paragraph", "<p>Text stays[sic]</p>"),
    ]


def test_titles_lose_formatting_tags_but_keep_other_angle_brackets():
    assert title_text("Title <em>With</em> <b>Mark<sup>up</sup></b>") == "Title With Markup"
    assert title_text("some <html> entities &amp; more") == "some <html> entities & more"
