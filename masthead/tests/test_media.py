"""Uploads served by the site itself (MASTHEAD_SERVE_MEDIA): images at /media/, documents
only through Wagtail's document view, which applies their collection's privacy."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction

from comments.tests import factories as comment_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def document(title: str, collection=None) -> Document:
    return Document.objects.create(
        title=title,
        collection=collection or Collection.get_first_root_node(),
        file=ContentFile(f"{title}: not for the public.".encode(), name="settlement.txt"),
    )


def private_collection() -> Collection:
    legal = Collection.get_first_root_node().add_child(name="Legal")
    CollectionViewRestriction.objects.create(
        collection=legal, restriction_type=CollectionViewRestriction.LOGIN
    )
    return legal


def test_a_document_in_a_private_collection_is_not_served_to_anonymous_readers():
    secret = document("Settlement terms", private_collection())
    raw = f"/media/{secret.file.name}"
    assert secret.file.name.startswith("documents/")

    responses = [
        Client().get(path)
        for path in (raw, raw.replace("/media/", "/media/./"), "/media/images/../" + raw[7:])
    ]
    through_wagtail = Client().get(secret.url)

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(b"not for the public" not in r.content for r in responses)
    assert through_wagtail.status_code == 302
    assert through_wagtail["Location"] == f"/_util/login/?next={secret.url}"


def test_a_signed_in_user_gets_a_private_document_through_the_document_view():
    secret = document("Settlement terms", private_collection())
    client = Client()
    client.force_login(comment_factories.staff_user())

    response = client.get(secret.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Settlement terms: not for the public."


def test_a_public_document_is_served_to_anyone_through_the_document_view_alone():
    public = document("Annual report")

    response = Client().get(public.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Annual report: not for the public."
    assert Client().get(f"/media/{public.file.name}").status_code == 404


def test_other_uploads_are_still_served_at_media(media_root):
    (media_root / "images").mkdir()
    (media_root / "images" / "lead.txt").write_bytes(b"an image, as far as this test cares")

    response = Client().get("/media/images/lead.txt")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"an image, as far as this test cares"
