"""Helpers of the feed, sitemap and structured data tests: real parsers, no string matching."""

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import feedparser
from bs4 import BeautifulSoup

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SITEMAP_NS, "news": NEWS_NS}


def at(year, month, day, hour=12, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def parsed_feed(client, url: str, **headers):
    """The feed at `url`, parsed by feedparser, which must have found nothing wrong."""
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, f"{url}: {parsed.get('bozo_exception')}"
    return parsed


def struct_time_utc(when: dt.datetime):
    return when.astimezone(dt.UTC).timetuple()[:6]


def xml_root(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def json_ld(response) -> list[dict]:
    """Every JSON-LD node of an HTML page, @graph members included."""
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    nodes = []
    for script in soup.find_all("script", type="application/ld+json"):
        data = json.loads(script.string)
        assert data["@context"] == "https://schema.org"
        nodes.extend(data.get("@graph", [data]))
    return nodes


def node_of_type(nodes: list[dict], schema_type: str) -> dict:
    matches = [node for node in nodes if node.get("@type") == schema_type]
    assert len(matches) == 1, f"{len(matches)} {schema_type} nodes in {nodes}"
    return matches[0]


def email_disguises(email: str) -> set[str]:
    """A commenter's address as it might leak: as typed, lowercased, URL-encoded, hashed."""
    normal = email.strip().lower()
    return {
        email,
        normal,
        quote(normal, safe=""),
        hashlib.md5(normal.encode()).hexdigest(),
        hashlib.sha256(normal.encode()).hexdigest(),
    }


def leaked(response, email: str) -> list[str]:
    """The disguises of `email` found in the response's body or headers."""
    text = response.content.decode("utf-8", "replace").lower()
    text += "\n".join(f"{name}: {value}" for name, value in response.items()).lower()
    return sorted(d for d in email_disguises(email) if d.lower() in text)
