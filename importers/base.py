"""What the WordPress and Disqus imports share: the summary, the progress display, the
id bookkeeping, and reading addresses, dates and people's details from exports."""

import datetime as dt
import ipaddress
import re
import sys
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import ImportedObject

WARNINGS_KEPT = 500


class ImportFailed(Exception):
    """The import cannot start or must stop; the message says why and what to do."""


@dataclass
class Summary:
    """What an import did, for the report at the end."""

    title: str = ""
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    lost: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    damage: str = ""
    notes: Counter = field(default_factory=Counter)

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < WARNINGS_KEPT:
            self.warnings.append(message)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] += count

    def lines(self) -> list[str]:
        out = [self.title] if self.title else []
        if self.damage:
            out.append(f"The file is damaged: {self.damage}")
        made = ", ".join(f"{n} {what}" for what, n in self.created.items() if n)
        out.append(f"Imported: {made or 'nothing new'}")
        if sum(self.existing.values()):
            out.append(
                "Already imported before, left as they are: "
                + ", ".join(f"{n} {what}" for what, n in self.existing.items() if n)
            )
        if self.skipped:
            out.append(f"Skipped ({sum(self.skipped.values())}):")
            out += [f"  {reason}: {n}" for reason, n in sorted(self.skipped.items())]
        if self.notes:
            out.append("Notes:")
            out += [f"  {note}: {n}" for note, n in sorted(self.notes.items())]
        if self.unmatched:
            out.append(f"Threads matched to no article ({len(self.unmatched)}), not imported:")
            out += [f"  {entry}" for entry in self.unmatched]
        if self.lost:
            out.append(f"Lost to damage in the file ({len(self.lost)}):")
            out += [f"  {entry}" for entry in self.lost]
        if self.warning_count:
            out.append(f"Warnings ({self.warning_count}):")
            out += [f"  {entry}" for entry in self.warnings]
            if self.warning_count > len(self.warnings):
                out.append(f"  ... and {self.warning_count - len(self.warnings)} more")
        return out


class Progress:
    """A progress bar on a terminal; otherwise a plain log line now and then."""

    def __init__(self, *, total: int, label: str, stream=None, bar: bool | None = None):
        self.stream = stream or sys.stderr
        self.total, self.label, self.done = total, label, 0
        if bar is None:
            bar = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.bar = None
        if bar:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=label, file=self.stream, dynamic_ncols=True)
        self.step = max(total // 20, 1)
        self.started = time.monotonic()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        elif self.done % self.step == 0 or self.done == self.total:
            elapsed = time.monotonic() - self.started
            self.stream.write(f"{self.done}/{self.total} {self.label}s ({elapsed:.0f} s)\n")
            self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Registry:
    """The ImportedObject rows of one source and site: what each record became."""

    def __init__(self, source: str, site: str):
        self.source, self.site = source, site
        self._types: dict[type, ContentType] = {}

    def _rows(self, kind: str):
        return ImportedObject.objects.filter(source=self.source, source_site=self.site, kind=kind)

    def get(self, kind: str, external_id: str) -> ImportedObject | None:
        return self._rows(kind).filter(external_id=external_id).first()

    def existing(self, kind: str, external_ids) -> dict[str, ImportedObject]:
        ids = list(external_ids)
        found = {}
        for start in range(0, len(ids), 500):
            for row in self._rows(kind).filter(external_id__in=ids[start : start + 500]):
                found[row.external_id] = row
        return found

    def object_id(self, kind: str, external_id: str) -> int | None:
        return (
            self._rows(kind)
            .filter(external_id=external_id)
            .values_list("object_id", flat=True)
            .first()
        )

    def content_type(self, obj) -> ContentType:
        model = type(obj)
        if model not in self._types:
            self._types[model] = ContentType.objects.get_for_model(model, for_concrete_model=False)
        return self._types[model]

    def row(self, kind: str, external_id: str, obj=None, **extra) -> ImportedObject:
        return ImportedObject(
            source=self.source,
            source_site=self.site,
            kind=kind,
            external_id=external_id[:255],
            content_type=self.content_type(obj) if obj is not None else None,
            object_id=obj.pk if obj is not None else None,
            **extra,
        )

    def remember(self, kind: str, external_id: str, obj=None, **extra) -> ImportedObject:
        row = self.row(kind, external_id, obj, **extra)
        row.save()
        return row

    def replace(self, kind: str, external_id: str, obj) -> ImportedObject:
        """Remember what a record now is, in place of a row whose object has gone."""
        self._rows(kind).filter(external_id=external_id).delete()
        return self.remember(kind, external_id, obj)

    def remember_all(self, rows: list[ImportedObject]) -> None:
        ImportedObject.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


# Addresses ----------------------------------------------------------------------------------


def site_key(url: str) -> str:
    """A site's address as a key: no scheme, no www., no trailing slash, host lowercased,
    so an export from the same site over https later still finds what was imported."""
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port:
        host = f"{host}:{parts.port}"
    return (host + parts.path.rstrip("/"))[:255]


def url_key(url: str) -> tuple[str, str]:
    """(host + path + query, path + query) of a link, normalised for matching: no scheme,
    no www., no fragment, no trailing slash, percent-encoding undone."""
    url = (url or "").strip()
    if not url:
        return "", ""
    if "://" not in url and not url.startswith("/"):
        url = "http://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = unquote(parts.path).rstrip("/") or "/"
    if path.endswith(("/index.html", "/index.php", "/index.htm")):
        path = path.rsplit("/", 1)[0] or "/"
    tail = path + (f"?{parts.query}" if parts.query else "")
    return (host + tail)[:500], tail[:500]


# Dates --------------------------------------------------------------------------------------


def parse_when(value: str, *, tz: dt.tzinfo | None = None) -> dt.datetime | None:
    """A date and time from an export: ISO 8601 ("2013-10-11T06:51:33Z"), WordPress's
    "2014-01-14 17:31:03" (in `tz`, UTC when not given) or RSS's RFC 822. None for
    empty or impossible values such as WordPress's 0000-00-00 00:00:00."""
    value = (value or "").strip()
    if not value or value.startswith("0000-00-00"):
        return None
    when = None
    try:
        when = parse_datetime(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError:
        when = None
    if when is None:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when is None:
        return None
    if timezone.is_naive(when):
        when = when.replace(tzinfo=tz or dt.UTC)
    if not (1900 <= when.year <= 9999):
        return None
    return when


def time_zone(name: str | None) -> dt.tzinfo:
    if not name:
        return timezone.get_default_timezone()
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImportFailed(
            f"--timezone {name!r} is not a time zone; use a name such as Europe/Paris or UTC."
        ) from None


# People -------------------------------------------------------------------------------------

_web_url = URLValidator(schemes=["http", "https"])


def clean_email(value: str) -> tuple[str, bool]:
    """(email, whether it was given but unusable). Whitespace inside, such as the
    newline some exports leave before the closing tag, is removed."""
    email = re.sub(r"\s+", "", value or "")
    if not email:
        return "", False
    try:
        validate_email(email)
    except ValidationError:
        return "", True
    return (email, False) if len(email) <= 254 else ("", True)


def clean_website(value: str) -> str:
    url = (value or "").strip()
    if not url or url in ("http://", "https://"):
        return ""
    if "://" not in url:
        url = "http://" + url
    try:
        _web_url(url)
    except ValidationError:
        return ""
    return url if len(url) <= 200 else ""


def clean_ip(value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return value


def truthy(value: str) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes"}
