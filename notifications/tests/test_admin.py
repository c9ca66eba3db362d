"""Moderators see followers per article and a commenter's subscriptions, and remove them."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group

from comments.tests import factories
from mailing import services as mailing
from news.tests import factories as news
from notifications import services
from notifications.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(client):
    user = factories.staff_user("mod")
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return user


def follow(article, email):
    mailing.confirm(address=mailing.address_for(email, create=True))
    comment = factories.comment(article, email_address=email)
    services.subscribe_author(comment=comment, subscribe=("replies", "page"))


def test_moderators_see_followers_per_article_and_remove_a_subscription(client, moderator):
    busy, quiet = news.article("Busy story"), news.article("Quiet story")
    for i in range(3):
        follow(busy, f"f{i}@example.org")
    follow(quiet, "f0@example.org")

    page = BeautifulSoup(client.get("/admin/subscriptions/").content, "html.parser")
    rows = [
        [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in page.select("#followed tbody tr")
    ]
    assert rows == [["Busy story", "3"], ["Quiet story", "1"]]

    page = BeautifulSoup(
        client.get("/admin/subscriptions/", {"email": "F0@example.org"}).content, "html.parser"
    )
    listed = [tr.find("td").get_text() for tr in page.select("#subscriptions tbody tr")]
    assert sorted(listed) == ["Busy story", "Busy story", "Quiet story", "Quiet story"]
    assert "Address confirmed" in page.find(id="address-state").get_text()

    target = Subscription.objects.get(
        address__email="f0@example.org", page=quiet, kind=Subscription.Kind.PAGE
    )
    response = client.post(f"/admin/subscriptions/{target.pk}/remove/")
    assert response.status_code == 302
    assert not Subscription.objects.filter(pk=target.pk).exists()
    assert Subscription.objects.filter(address__email="f0@example.org").count() == 3


def test_other_staff_cannot_see_subscriptions(client):
    editor = factories.staff_user("ed")
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    follow(news.article(), "f@example.org")
    target = Subscription.objects.first()

    assert client.get("/admin/subscriptions/", {"email": "f@example.org"}).status_code == 302
    client.post(f"/admin/subscriptions/{target.pk}/remove/")
    assert Subscription.objects.filter(pk=target.pk).exists()
