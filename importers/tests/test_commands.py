"""The commands as a newsroom runs them: dashed names, progress, summary and errors."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from importers.base import Progress
from masthead import cli
from news.models import ArticlePage

from .helpers import write_wxr, wxr_comment, wxr_item

pytestmark = pytest.mark.django_db


def run_cli(monkeypatch, capsys, *args) -> tuple[str, str]:
    monkeypatch.setattr(sys, "argv", ["masthead", *args])
    # A command run from the command line closes the database connections when it ends;
    # the test's transaction lives on one of them.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    cli.main()
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_import_wordpress_runs_under_its_dashed_name_and_prints_a_summary(
    tmp_path, monkeypatch, capsys
):
    path = write_wxr(
        tmp_path,
        wxr_item(1, "One", comments=wxr_comment(10) + wxr_comment(11, 10, approved="spam")),
        wxr_item(2, "Secret", status="private", comments=wxr_comment(20)),
    )
    out, err = run_cli(monkeypatch, capsys, "import-wordpress", str(path))
    assert out.splitlines() == [
        "WordPress import of export.xml (site gazette.example)",
        "Imported: 1 sections, 1 authors, 1 posts, 2 comments",
        "Skipped (2):",
        "  comments on skipped items: 1",
        "  private posts and pages: 1",
    ]
    # Not a terminal: plain log lines, no progress bar.
    assert "2/2 items (" in err and "\r" not in err
    out, _ = run_cli(monkeypatch, capsys, "import-wordpress", str(path))
    assert "Already imported before, left as they are: 1 posts and pages, 2 comments" in out


def test_a_progress_bar_is_drawn_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    progress = Progress(total=4, label="item", stream=screen)
    for _ in range(4):
        progress.advance()
    progress.close()
    assert "100%" in screen.getvalue() and "4/4" in screen.getvalue()
    assert "\r" in screen.getvalue()


def test_malformed_file_fails_with_the_position_and_a_nonzero_exit(tmp_path, monkeypatch, capsys):
    path = tmp_path / "broken.xml"
    path.write_text("<rss><channel><item><title>A</title></channel></rss>\n")
    with pytest.raises(SystemExit) as exit_:
        run_cli(monkeypatch, capsys, "import-wordpress", str(path))
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert f"{path}:1:" in err and "Nothing was imported" in err
    assert ArticlePage.objects.count() == 0


def test_missing_files_and_folders_are_named(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_wordpress", str(tmp_path / "none.xml"), stdout=io.StringIO())
    path = write_wxr(tmp_path, wxr_item(1, "One"))
    with pytest.raises(CommandError, match="--uploads .*: no such folder"):
        call_command("import_wordpress", str(path), "--uploads", str(tmp_path / "nope"))
    with pytest.raises(CommandError, match="not a time zone"):
        call_command("import_wordpress", str(path), "--timezone", "Mars/Olympus")


def test_export_wordpress_writes_a_file_that_imports_back(tmp_path, monkeypatch, capsys):
    path = write_wxr(tmp_path, wxr_item(1, "One", comments=wxr_comment(10) + wxr_comment(11, 10)))
    run_cli(monkeypatch, capsys, "import-wordpress", str(path))
    target = tmp_path / "out.xml"
    _, err = run_cli(
        monkeypatch,
        capsys,
        "export-wordpress",
        "-o",
        str(target),
        "--base-url",
        "https://n.example",
    )
    assert "Exported 1 articles, 2 comments, 1 authors and 0 images." in err
    text = target.read_text()
    assert "<wp:wxr_version>1.2</wp:wxr_version>" in text
    assert "<link>https://n.example/news/post-1/</link>" in text


def test_import_disqus_runs_under_its_dashed_name(acceptance_data, monkeypatch, capsys):
    out, _ = run_cli(
        monkeypatch, capsys, "import-disqus", str(acceptance_data / "disqus" / "isso-disqus.xml")
    )
    assert out.splitlines()[0] == "Disqus import of isso-disqus.xml (forum disqusdev)"
    assert "Threads matched to no article (2), not imported:" in out
