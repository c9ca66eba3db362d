"""Shared steps of the self-service tests: ask for a link, read it from the real mail,
sign in."""

import re

from django.urls import reverse

LINK = re.compile(r"https?://[^\s\"<>]+/comments/you/sign-in/[^\s\"<>]+/")


def mail_text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def link_in(message) -> str:
    """The sign-in link of a received mail, as a path on this site."""
    url = LINK.search(mail_text(message)).group(0)
    return url[url.index("/comments/you/") :]


def ask_for_link(client, email, *, ip="198.51.100.7", capture):
    with capture(execute=True):
        return client.post(reverse("commenters:start"), {"email": email}, REMOTE_ADDR=ip)


def sign_in(client, smtp_server, email, capture, *, ip="198.51.100.7"):
    """Ask for a link for `email`, follow it from the mail and press the button."""
    ask_for_link(client, email, ip=ip, capture=capture)
    path = link_in(smtp_server[-1])
    response = client.post(path)
    assert response.status_code == 303, response.content
    return response
