"""Reading big XML exports record by record, in constant memory, and reading damaged ones.

An export is a root element (WordPress: <rss><channel>, Disqus: <disqus>) holding a long
run of records (<item>, <post>...). `check` parses the whole file once without keeping
anything, to find the first syntax error before anything is imported. `records` yields
each record as an lxml element, clearing what was read. `salvage` reads a damaged file:
it cuts the raw text into records by their tags and parses each alone, so every complete
record before and after the damage is read and each damaged one is reported.
"""

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

PARSER_OPTIONS = {
    "huge_tree": True,
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
}


@dataclass
class SyntaxProblem:
    line: int
    column: int
    message: str

    def __str__(self):
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass
class Record:
    """One record: its local tag name ("item", "wp:author", "post"...), the element, and
    the line it starts on in the file."""

    tag: str
    element: etree._Element
    line: int


@dataclass
class Damaged:
    """A record that could not be read: its tag, where it starts, what is wrong, and a
    short label (its id or title when the raw text shows one)."""

    tag: str
    line: int
    problem: SyntaxProblem
    label: str


def qualified(element, prefixes: Callable[[str], str]) -> str:
    """The element's tag as prefix:local, with the prefix chosen by `prefixes(uri)`."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    if tag[0] != "{":
        return tag
    uri, local = tag[1:].split("}", 1)
    prefix = prefixes(uri)
    return f"{prefix}:{local}" if prefix else local


def check(path: Path) -> tuple[SyntaxProblem | None, int]:
    """Parse the whole file without keeping it; return the first syntax problem (or
    None) and the number of elements read, for a progress bar."""
    count = 0
    try:
        for _event, element in etree.iterparse(str(path), events=("end",), **PARSER_OPTIONS):
            count += 1
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, exc.offset or 0)
        return SyntaxProblem(line or 0, column or 0, _message(exc)), count
    return None, count


def _message(exc: etree.XMLSyntaxError) -> str:
    message = str(exc.msg or exc)
    # lxml appends "(line N, column M)"; the caller states the position itself.
    return re.sub(r",? ?\(?line \d+,? column \d+\)?$", "", message).strip().rstrip(",")


def records(path: Path, *, depth: int, prefixes: Callable[[str], str]) -> Iterator[Record]:
    """Each element `depth` levels below the root (the root is 1), once it is complete;
    its parents' earlier children are dropped as it goes, so memory stays flat. The
    header elements before the records (a channel's <title>, <link>...) are yielded too."""
    level = 0
    for event, element in etree.iterparse(
        str(path),
        events=("start", "end"),
        remove_comments=True,
        remove_pis=True,
        **PARSER_OPTIONS,
    ):
        if event == "start":
            level += 1
            continue
        level -= 1
        if level == depth - 1:
            yield Record(qualified(element, prefixes), element, element.sourceline or 0)
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]


# Salvaging damaged files ------------------------------------------------------------------

_TOKEN = re.compile(r"<(!\[CDATA\[|!--|\?|/)?([A-Za-z_][\w:.-]*)?")
_ROOT = re.compile(rb"<(rss|disqus)\b[^>]*>", re.DOTALL)
_ENDS = {"![CDATA[": "]]>", "!--": "-->", "?": "?>"}
CHUNK = 1 << 20


class _Buffer:
    """A window on the file's text addressed by absolute positions, refilled on demand
    and cut before the position the reader still needs."""

    def __init__(self, handle):
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.text = ""
        self.base = 0
        self.eof = False
        self.cursor, self.cursor_line = 0, 1

    def fill(self, keep_from: int) -> bool:
        if self.eof:
            return False
        block = self.handle.read(CHUNK)
        if not block:
            self.eof = True
            self.text += self.decoder.decode(b"", final=True)
            return False
        if self.cursor < keep_from:
            self.line_at(keep_from)
        self.text = self.text[keep_from - self.base :] + self.decoder.decode(block)
        self.base = keep_from
        return True

    def find(self, needle: str, start: int, keep_from: int) -> int:
        while True:
            index = self.text.find(needle, start - self.base)
            if index != -1:
                return index + self.base
            # The needle may straddle the refill: search again from a little before.
            start = max(self.base + len(self.text) - len(needle), start)
            if not self.fill(keep_from):
                return -1

    def line_at(self, position: int) -> int:
        """Line of `position`; positions asked for only grow (they are counted on)."""
        if position > self.cursor:
            self.cursor_line += self.text.count("\n", self.cursor - self.base, position - self.base)
            self.cursor = position
        return self.cursor_line

    def column_at(self, position: int) -> int:
        return position - self.base - self.text.rfind("\n", 0, position - self.base)

    def slice(self, start: int, end: int | None = None) -> str:
        return self.text[start - self.base : None if end is None else end - self.base]


def salvage(
    path: Path,
    *,
    record_tags: set[str],
    fresh_tags: set[str],
    prefixes: Callable[[str], str],
    default_root: str,
    header_tags: frozenset[str] = frozenset(),
    label: Callable[[str, str], str] = lambda tag, raw: "",
) -> Iterator[Record | Damaged]:
    """Read a damaged export record by record from its raw text.

    A record runs from a start tag in `record_tags` to its end tag. A start tag in
    `fresh_tags` met inside a record (not self-closing) means that record lost its end:
    it is reported damaged and the new one is read. CDATA sections and comments are
    skipped whole, so a "</item>" in a post's text does not end it. `header_tags` are the
    simple elements read outside records (a channel's <link>...). Each record is parsed
    inside the file's own root start tag, which keeps its namespace declarations.
    """
    prologue = (_root_tag(path) or default_root.encode()).decode("utf-8", "replace")
    root_name = re.match(r"<([\w:]+)", prologue).group(1)
    wrap = (prologue, f"</{root_name}>")
    with open(path, "rb") as handle:
        buf = _Buffer(handle)
        buf.fill(0)
        pos = 0
        current = None  # (tag, start position, start line)
        while True:
            keep = current[1] if current else pos
            lt = buf.find("<", pos, keep)
            if lt == -1:
                break
            while len(buf.text) - (lt - buf.base) < 64 and buf.fill(keep):
                pass
            match = _TOKEN.match(buf.text, lt - buf.base)
            kind, name = match.group(1), match.group(2)
            if kind in _ENDS:
                end = buf.find(_ENDS[kind], lt + 2, keep)
                if end == -1:
                    break
                pos = end + len(_ENDS[kind])
                continue
            gt = buf.find(">", lt, keep)
            if gt == -1:
                break
            pos = gt + 1
            if not name:
                continue
            self_closing = buf.slice(gt - 1, gt) == "/"
            if current is None:
                if kind is None and not self_closing and name in record_tags:
                    current = (name, lt, buf.line_at(lt))
                elif kind is None and not self_closing and name in header_tags:
                    end = buf.find(f"</{name}>", pos, lt)
                    if end != -1:
                        line = buf.line_at(lt)
                        element = _parse_piece(wrap, buf.slice(lt, end + len(name) + 3))
                        if not isinstance(element, SyntaxProblem):
                            yield Record(qualified(element, prefixes), element, line)
                        pos = end + len(name) + 3
                continue
            tag, start, start_line = current
            if kind == "/" and name == tag:
                piece = buf.slice(start, pos)
                yield _record_or_damage(tag, piece, start_line, wrap, prefixes, label)
                current = None
            elif kind is None and not self_closing and name in fresh_tags:
                line = buf.line_at(lt)
                problem = SyntaxProblem(line, buf.column_at(lt), f"<{tag}> is never closed")
                yield Damaged(tag, start_line, problem, label(tag, buf.slice(start, lt)))
                current = (name, lt, line) if name in record_tags else None
        if current is not None:
            tag, start, start_line = current
            problem = SyntaxProblem(start_line, 1, f"the file ends inside this <{tag}>")
            yield Damaged(tag, start_line, problem, label(tag, buf.slice(start)))


def _root_tag(path: Path) -> bytes | None:
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    match = _ROOT.search(head)
    return match.group(0) if match else None


def _parse_piece(wrap: tuple[str, str], piece: str):
    prologue, closing = wrap
    try:
        wrapper = etree.fromstring(
            (prologue + piece + closing).encode("utf-8"),
            etree.XMLParser(remove_comments=True, remove_pis=True, **PARSER_OPTIONS),
        )
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, exc.offset or 0)
        return SyntaxProblem(line or 0, column or 0, _message(exc))
    return wrapper[0] if len(wrapper) else SyntaxProblem(1, 1, "empty record")


def _record_or_damage(tag, piece, start_line, wrap, prefixes, label):
    element = _parse_piece(wrap, piece)
    if isinstance(element, SyntaxProblem):
        # From a position in the wrapped piece back to one in the file.
        prologue = wrap[0]
        line = element.line - prologue.count("\n")
        column = element.column
        if line <= 1:
            line, column = 1, max(column - len(prologue.rsplit("\n", 1)[-1]), 1)
        problem = SyntaxProblem(start_line + line - 1, column, element.message)
        return Damaged(tag, start_line, problem, label(tag, piece))
    # Line numbers inside the element count from the wrapper; make them the file's.
    shift = start_line - 1 - prologue_lines(wrap)
    if shift:
        for node in element.iter():
            if node.sourceline:
                node.sourceline += shift
    return Record(qualified(element, prefixes), element, start_line)


def prologue_lines(wrap) -> int:
    return wrap[0].count("\n")
