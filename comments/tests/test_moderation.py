"""The moderation pipeline: each check, how verdicts combine, and what readers and
moderators see of the outcome."""

import http.server
import re
import threading

import pytest
from django.core import signing

from comments import services
from comments.models import Comment, Commenter, ModerationEvent, ModerationRule, SpamModel
from comments.moderation import RULE_CHECKS, Action, Candidate, Verdict, moderate
from comments.moderation.checks import form_timestamp
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db

RULES = RULE_CHECKS
POST = "/comments/post/"
JSON = {"HTTP_ACCEPT": "application/json"}


def form(article, **fields):
    data = {
        "page": article.pk,
        "body": "A perfectly ordinary remark about the story.",
        "name": "Jane Reader",
        "email": "jane@example.com",
        "ts": form_timestamp(),
    }
    data.update(fields)
    return data


def submit(article, **fields):
    defaults = {
        "page": article,
        "body": "A perfectly ordinary remark about the story.",
        "name": "Jane Reader",
        "email": "jane@example.com",
        "ip_address": "198.51.100.7",
    }
    defaults.update(fields)
    return services.submit_comment(**defaults)


@pytest.fixture
def open_door(settings):
    """Nothing held by the known-commenter rule, so each test sees its own check."""
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    return settings


# Bot traps ---------------------------------------------------------------------------


def test_a_filled_honeypot_sends_the_comment_to_spam(client, open_door):
    article = news.article()

    response = client.post(POST, form(article, homepage="http://bot.example"), **JSON)

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.moderation_reasons == ["spam: honeypot field filled in"]
    # The bot is not told; readers never see it.
    assert response.json()["comment"]["status"] == "pending"
    assert "A perfectly ordinary" not in client_for_stranger(article)


def client_for_stranger(article):
    from django.test import Client

    return Client().get(article.url).content.decode()


def test_a_form_sent_back_faster_than_a_person_types_is_spam(client, open_door):
    open_door.MASTHEAD_COMMENTS_MIN_SECONDS = 3
    article = news.article()

    client.post(POST, form(article), **JSON)

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert re.fullmatch(r"spam: form sent back after [0-2]\.\d s", comment.moderation_reasons[0])


def test_a_form_without_its_signed_timestamp_is_spam(client, open_door):
    article = news.article()
    forged = signing.dumps(0, salt="something else")

    client.post(POST, form(article, ts=forged), **JSON)

    assert Comment.objects.get().moderation_reasons == ["spam: form timestamp missing or forged"]


def test_an_expired_form_asks_the_reader_to_post_again_and_keeps_the_text(client, open_door):
    open_door.MASTHEAD_COMMENTS_FORM_MAX_AGE = -1
    article = news.article()

    response = client.post(POST, form(article, body="Words I typed for a long time."))

    assert response.status_code == 400
    page = response.content.decode()
    assert "This form was open for too long. Please check your comment and post it again." in page
    assert "Words I typed for a long time." in page
    assert Comment.objects.count() == 0


# Rate limits -------------------------------------------------------------------------


def test_too_many_posts_from_one_address_get_429_with_retry_after(client, open_door):
    open_door.MASTHEAD_COMMENTS_RATE_LIMITS = "2/60"
    article = news.article()

    statuses = [
        client.post(POST, form(article, body=f"Comment {i}", email=f"r{i}@example.com"), **JSON)
        for i in range(3)
    ]

    assert [r.status_code for r in statuses] == [201, 201, 429]
    refused = statuses[-1]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json() == {
        "error": {
            "code": "rate_limited",
            "message": "You are posting too quickly. Please wait a little and try again.",
            "fields": {},
        }
    }
    assert Comment.objects.count() == 2


def test_the_form_explains_a_rate_limit_in_plain_words(client, open_door):
    open_door.MASTHEAD_COMMENTS_RATE_LIMITS = "1/3600"
    article = news.article()
    client.post(POST, form(article, body="First"))

    response = client.post(POST, form(article, body="Second", email="other@example.com"))

    assert response.status_code == 429
    assert "You are posting too quickly." in response.content.decode()
    assert "Retry-After" in response


def test_behind_a_proxy_each_reader_has_their_own_limit_and_cannot_forge_it(client, open_door):
    open_door.MASTHEAD_COMMENTS_RATE_LIMITS = "1/60"
    open_door.MASTHEAD_BEHIND_PROXY = True
    article = news.article()

    def from_reader(address, n, forwarded=""):
        return client.post(
            POST,
            form(article, body=f"Comment {n}", email=f"r{n}@example.com"),
            HTTP_X_FORWARDED_FOR=f"{forwarded}{address}",
            **JSON,
        ).status_code

    # Every post reaches the app from the proxy's address; the proxy names the reader.
    assert from_reader("198.51.100.1", 1) == 201
    assert from_reader("198.51.100.2", 2) == 201
    assert from_reader("198.51.100.1", 3) == 429
    # A reader's own X-Forwarded-For comes before what the proxy adds.
    assert from_reader("198.51.100.1", 4, forwarded="192.0.2.99, ") == 429
    assert list(Comment.objects.values_list("ip_address", flat=True)) == [
        "198.51.100.1",
        "198.51.100.2",
    ]


# Duplicates, links, lists ----------------------------------------------------------------


def test_the_same_text_from_the_same_person_on_the_same_article_is_refused(client, open_door):
    article = news.article()
    client.post(POST, form(article, body="Well said."), **JSON)

    again = client.post(POST, form(article, body="  well   SAID. "), **JSON)

    assert again.status_code == 409
    assert again.json()["error"]["message"] == "It looks as though you have already said that."
    assert Comment.objects.count() == 1


def test_more_links_than_allowed_hold_the_comment(open_door):
    article = news.article()
    body = "See https://a.example and https://b.example and www.c.example"

    comment = submit(article, body=body)

    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons == ["hold: 3 links"]
    assert submit(article, body="Only https://a.example", email="x@example.com").status == (
        Comment.Status.APPROVED
    )


def test_listed_words_domains_and_addresses_hold_spam_or_trash(open_door):
    article = news.article()
    ModerationRule.objects.create(kind="word", value="casino", action="hold")
    ModerationRule.objects.create(kind="domain", value="pills.example", action="spam")
    ModerationRule.objects.create(kind="ip", value="203.0.113.0/24", action="trash")

    held = submit(article, body="The casino vote was close.", email="a@example.com")
    spam = submit(article, body="Buy at https://www.pills.example now", email="b@example.com")
    trash = submit(article, body="Hello", email="c@example.com", ip_address="203.0.113.9")

    assert (held.status, held.moderation_reasons) == ("pending", ["hold: word “casino” is listed"])
    assert (spam.status, spam.moderation_reasons) == (
        "spam",
        ["spam: domain “pills.example” is listed"],
    )
    assert trash.status == "trash"


def test_a_rule_applies_to_the_next_comment_and_a_removed_one_no_longer(open_door):
    article = news.article()
    assert submit(article, body="Fresh bread at the market", email="a@example.com").status == (
        "approved"
    )

    rule = ModerationRule.objects.create(kind="word", value="bread", action="hold")
    held = submit(article, body="More bread news", email="b@example.com")
    rule.delete()
    passed = submit(article, body="Bread again", email="c@example.com")

    assert (held.status, passed.status) == ("pending", "approved")


def test_the_strongest_verdict_wins_and_every_reason_is_kept(open_door):
    article = news.article()
    ModerationRule.objects.create(kind="word", value="lottery", action="spam")

    comment = submit(article, body="lottery https://a.example https://b.example https://c.example")

    assert comment.status == Comment.Status.SPAM
    assert comment.moderation_reasons == ["hold: 3 links", "spam: word “lottery” is listed"]


def test_verdicts_combine_in_order_of_strength(settings):
    settings.MASTHEAD_COMMENT_CHECKS = [
        "comments.tests.test_moderation.says_hold",
        "comments.tests.test_moderation.says_accept",
    ]
    decision = moderate(
        Candidate(page=None, name="n", email="e@example.com", website="", body="b", ip_address=None)
    )
    assert decision.action == Action.HOLD
    assert decision.reasons == ["hold: because", "accept: fine"]


def says_hold(candidate):
    return Verdict(Action.HOLD, "because")


def says_accept(candidate):
    return Verdict(Action.ACCEPT, "fine")


# Known commenters --------------------------------------------------------------------------


def test_a_trusted_commenter_goes_straight_through_and_a_banned_one_to_spam():
    article = news.article()
    earlier = factories.comment(article, email_address="friend@example.com")
    Commenter.objects.create(email="friend@example.com", standing="trusted")
    Commenter.objects.create(email="troll@example.com", standing="banned")

    friend = submit(article, email="Friend@Example.com", own_ids=[earlier.pk])
    troll = submit(article, email="troll@example.com", body="Something else")

    assert friend.status == Comment.Status.APPROVED
    assert troll.status == Comment.Status.SPAM
    assert troll.moderation_reasons == ["spam: banned commenter"]


def test_ban_and_trust_from_a_comment_apply_to_that_email_from_then_on(client):
    article = news.article()
    first = submit(article, email="new@example.com")
    assert first.status == Comment.Status.PENDING
    moderator = factories.staff_user("mod")

    services.moderate_comments(comment_ids=[first.pk], action="trust", moderator=moderator)

    assert Commenter.objects.get(email="new@example.com").standing == "trusted"
    first.refresh_from_db()
    assert first.status == Comment.Status.APPROVED
    services.moderate_comments(comment_ids=[first.pk], action="ban", moderator=moderator)
    later = submit(article, email="new@example.com", body="I'm back")
    assert later.status == Comment.Status.SPAM


# Toxicity ------------------------------------------------------------------------------------


def test_a_toxic_comment_is_held_with_its_score_and_a_civil_one_is_not(settings, open_door):
    settings.MASTHEAD_COMMENT_CHECKS = [*RULES, "comments.moderation.toxicity.check"]
    article = news.article()

    toxic = submit(article, body="You are a fucking idiot and everyone hates you.")
    civil = submit(
        article, body="I disagree with the council's decision on parking.", email="b@example.com"
    )

    assert toxic.status == Comment.Status.PENDING
    assert toxic.moderation_reasons == [f"hold: toxicity {toxic.toxicity:.2f}"]
    assert toxic.toxicity > 0.9
    assert civil.status == Comment.Status.APPROVED
    assert civil.toxicity < 0.5


# Learned spam filter ----------------------------------------------------------------------------


SPAMMY = "Check out my channel and subscribe!!! http://my-channel.example free gift cards"


def test_the_learned_filter_starts_from_public_data_and_catches_spam(settings, open_door):
    settings.MASTHEAD_COMMENT_CHECKS = [*RULES, "comments.moderation.spamfilter.check"]
    article = news.article()

    spam = submit(article, body=SPAMMY)
    ham = submit(
        article,
        email="b@example.com",
        body="The bridge closure adds twenty minutes to my commute; the detour signs help.",
    )

    assert spam.status == Comment.Status.SPAM
    assert spam.spam_score >= 0.9
    assert spam.moderation_reasons == [f"spam: learned filter {spam.spam_score:.2f}"]
    assert ham.status == Comment.Status.APPROVED
    assert ham.spam_score < 0.9
    assert SpamModel.objects.get().trained_on == 1956


def test_moderator_decisions_train_the_filter_and_undoing_one_retrains(
    settings, open_door, django_capture_on_commit_callbacks
):
    from comments.moderation import spamfilter

    settings.MASTHEAD_COMMENT_CHECKS = [*RULES, "comments.moderation.spamfilter.check"]
    article = news.article()
    text = "Great coverage of the bakery opening on Mill Street, thanks"
    comment = submit(article, body=text)
    before = spamfilter.spam_probability(spamfilter.text_of(name="Jane Reader", body=text))
    version = SpamModel.objects.get().version
    moderator = factories.staff_user("mod")

    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_comments(comment_ids=[comment.pk], action="spam", moderator=moderator)

    after = spamfilter.spam_probability(spamfilter.text_of(name="Jane Reader", body=text))
    assert SpamModel.objects.get().version == version + 1
    assert after > before
    assert spamfilter.decisions() == ([spamfilter.text_of(name="Jane Reader", body=text)], [1])

    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_comments(comment_ids=[comment.pk], action="restore", moderator=moderator)

    # Taking it out of spam is the opposite decision: the model is retrained with it as
    # a good comment, and the spam lesson is gone.
    assert spamfilter.decisions() == ([spamfilter.text_of(name="Jane Reader", body=text)], [0])
    assert SpamModel.objects.get().version == version + 2
    undone = spamfilter.spam_probability(spamfilter.text_of(name="Jane Reader", body=text))
    assert undone < before < after


# Akismet -------------------------------------------------------------------------------------


@pytest.fixture
def akismet(settings):
    answers = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers["Content-Length"])
            answers.append(self.rfile.read(length).decode())
            body = b"true" if "viagra" in answers[-1] else b"false"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MASTHEAD_COMMENT_CHECKS = [*RULES, "comments.moderation.akismet.check"]
    settings.MASTHEAD_AKISMET_KEY = "test-key"
    settings.MASTHEAD_AKISMET_URL = f"http://127.0.0.1:{server.server_port}/1.1/comment-check"
    yield answers
    server.shutdown()


def test_akismet_is_asked_only_with_a_key_and_its_spam_verdict_counts(akismet, open_door):
    article = news.article()

    spam = submit(article, body="cheap viagra here")
    ham = submit(article, body="Nice reporting", email="b@example.com")

    assert spam.status == Comment.Status.SPAM
    assert spam.moderation_reasons == ["spam: Akismet"]
    assert ham.status == Comment.Status.APPROVED
    assert len(akismet) == 2
    assert "comment_author_email=jane%40example.com" in akismet[0]


def test_akismet_unreachable_loses_nothing(settings, open_door):
    settings.MASTHEAD_COMMENT_CHECKS = [*RULES, "comments.moderation.akismet.check"]
    settings.MASTHEAD_AKISMET_KEY = "test-key"
    settings.MASTHEAD_AKISMET_URL = "http://127.0.0.1:9/1.1/comment-check"

    comment = submit(news.article())

    assert comment.status == Comment.Status.APPROVED


# What readers and moderators see -----------------------------------------------------------------


def test_a_held_comment_is_invisible_to_the_public_and_moderators_get_an_email(
    client, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_COMMENTS_NOTIFY = "each"
    settings.MASTHEAD_COMMENTS_NOTIFY_EMAILS = ["desk@courier.example"]
    article = news.article("Harbour dredging starts")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(POST, form(article, body="Is the dredging safe for the seals?"))

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert "Is the dredging safe" not in client_for_stranger(article)
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["Subject"] == "[The Masthead Courier] 1 comment is awaiting moderation"
    assert message.envelope_to == ["desk@courier.example"]
    text = message.get_payload(decode=True).decode()
    assert "Jane Reader on “Harbour dredging starts”" in text
    assert "hold: first comment from this email address" in text
    assert "/admin/comments/?status=pending" in text
    comment.refresh_from_db()
    assert comment.notified_at is not None


def test_in_digest_mode_one_email_covers_everything_waiting(settings, smtp_server):
    import datetime as dt

    from django.utils import timezone

    from comments.notifications import send_digest_if_due

    settings.MASTHEAD_COMMENTS_NOTIFY = "digest"
    settings.MASTHEAD_COMMENTS_NOTIFY_EMAILS = ["desk@courier.example"]
    article = news.article()
    for i in range(3):
        submit(article, body=f"Held {i}", email=f"r{i}@example.com")
    assert smtp_server == []

    assert send_digest_if_due() == 0  # the oldest has not waited an hour yet
    assert send_digest_if_due(timezone.now() + dt.timedelta(minutes=61)) == 3
    assert len(smtp_server) == 1
    assert smtp_server[0]["Subject"] == "[The Masthead Courier] 3 comments are awaiting moderation"
    assert send_digest_if_due(timezone.now() + dt.timedelta(minutes=120)) == 0


def test_every_decision_is_logged_with_who_and_shown_on_the_comment(client, open_door):
    from django.contrib.auth.models import Group

    article = news.article()
    comment = submit(article)
    moderator = factories.staff_user("mod", first_name="Maria", last_name="Moderator")
    moderator.groups.add(Group.objects.get(name="Moderators"))

    services.moderate_comments(comment_ids=[comment.pk], action="trash", moderator=moderator)
    services.moderate_comments(comment_ids=[comment.pk], action="restore", moderator=moderator)

    events = list(
        ModerationEvent.objects.filter(comment=comment).values_list(
            "action", "from_status", "to_status", "actor__username"
        )
    )
    assert events == [
        ("submitted", "", "approved", None),
        ("trash", "approved", "trash", "mod"),
        ("restore", "trash", "approved", "mod"),
    ]
    client.force_login(moderator)
    page = client.get(f"/admin/comments/{comment.pk}/edit/").content.decode()
    assert "Maria Moderator · trash (approved → trash)" in page


# Reader reports and editors' picks ----------------------------------------------------------


def test_reports_from_three_readers_hold_a_comment_and_one_reader_counts_once(open_door):
    from django.test import Client

    article = news.article()
    comment = submit(article, body="Questionable claim")
    url = f"/comments/{comment.pk}/report/"
    readers = [Client(REMOTE_ADDR=a) for a in ("203.0.113.7", "198.51.100.7", "192.0.2.7")]

    first = readers[0].post(url, {"reason": "abuse", "note": "insulting"})
    again = readers[0].post(url, {"reason": "spam"})
    assert first.status_code == 201
    assert "Thank you. A moderator will look at this comment." in first.content.decode()
    assert again.status_code == 409
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == ("approved", 1)

    readers[1].post(url, {"reason": "off_topic"})
    readers[2].post(url, {"reason": "abuse"})

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons[-1] == "hold: reported by 3 readers"
    assert "Questionable claim" not in client_for_stranger(article)
    assert "1 Comment" not in client_for_stranger(article)


def test_the_report_link_works_without_javascript_and_asks_for_a_reason(client, open_door):
    article = news.article()
    comment = submit(article)

    page = client.get(article.url).content.decode()
    assert f'href="/comments/{comment.pk}/report/"' in page
    form_page = client.get(f"/comments/{comment.pk}/report/")
    assert form_page.status_code == 200
    assert "What is wrong with this comment?" in form_page.content.decode()
    missing = client.post(f"/comments/{comment.pk}/report/", {})
    assert missing.status_code == 400
    assert "Please choose a reason." in missing.content.decode()


def test_an_editors_pick_is_marked_and_shown_first(client, open_door):
    article = news.article()
    plain = submit(article, body="First in time")
    pick = submit(article, body="The best comment", email="b@example.com")

    services.moderate_comments(comment_ids=[pick.pk], action="feature")

    page = client.get(article.url).content.decode()
    assert page.index("Editors’ picks") < page.index(f'id="comment-{plain.pk}"')
    assert page.index("The best comment") < page.index("First in time")
    assert 'class="comment depth-1 comment-featured"' in page


def test_the_fast_toxicity_score_is_the_packaged_models_own():
    from comments.moderation import toxicity

    texts = [
        "You are a fucking idiot and everyone hates you.",
        "I disagree with the council's decision on parking.",
        "what a shitty article",
        "Thanks for the thorough reporting on the bridge.",
        "",
    ]
    for text in texts:
        assert toxicity.score(text) == pytest.approx(toxicity.library_score(text), abs=1e-12)


def test_the_fast_spam_probability_is_the_models_own():
    from comments.moderation import spamfilter

    texts, labels = spamfilter.seed_examples()
    model = spamfilter.train(texts[:400], labels[:400], epochs=2)
    for text in [*texts[400:420], SPAMMY, "", "   "]:
        expected = model.predict_proba(spamfilter.features([text]))[0, 1]
        assert spamfilter._probability(model, text) == pytest.approx(expected, abs=1e-12)
