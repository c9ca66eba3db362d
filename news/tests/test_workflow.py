"""The review step before publishing, through the Wagtail admin: a reporter (Editors group)
submits, an editor (Moderators group) approves or requests changes."""

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from news.models import ArticlePage
from news.tests import factories


def staff(username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(db):
    return staff("reporter", "Editors")


@pytest.fixture
def editor(db):
    return staff("editor", "Moderators")


def article_form(action: str, title="Harbour reopens", **fields) -> dict:
    """What the admin's article editor posts when the user presses `action`."""
    return nested_form_data(
        {
            "title": title,
            "slug": fields.pop("slug", "harbour-reopens"),
            "dek": "Ferries sail again after the storm.",
            "dateline": "RIVERTON",
            "bylines": inline_formset([]),
            "body": streamfield([("paragraph", rich_text("<p>Ships sailed at dawn.</p>"))]),
            "topics": "Ferries",
            "updates": inline_formset([]),
            "comments": inline_formset([]),
            "comments_enabled": "on",
            f"action-{action}": "1",
            **fields,
        }
    )


def create_in_admin(client, user, action: str, **fields) -> ArticlePage:
    client.force_login(user)
    section = factories.section("Local")
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("news", "articlepage", section.pk)),
        article_form(action, **fields),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    return ArticlePage.objects.get(slug=fields.get("slug", "harbour-reopens"))


def submitted_by(client, reporter) -> ArticlePage:
    page = create_in_admin(client, reporter, "submit")
    client.logout()
    return page


def act(client, user, page, action: str, comment: str = ""):
    client.force_login(user)
    task_state = page.current_workflow_task_state
    return client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk)),
        {"comment": comment},
    )


def test_a_reporter_who_presses_publish_only_saves_a_draft(client, reporter):
    page = create_in_admin(client, reporter, "publish")

    assert (page.live, page.live_revision, page.has_unpublished_changes) == (False, None, True)
    assert client.get(page.url).status_code == 404


def test_a_reporter_cannot_publish_an_existing_draft_through_the_editor(client, reporter):
    page = create_in_admin(client, reporter, "save")

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        article_form("publish", title="Harbour reopens at last"),
    )

    page.refresh_from_db()
    assert response.status_code == 302
    assert (page.live, page.draft_title) == (False, "Harbour reopens at last")


def test_a_reporter_submits_an_article_for_review(client, reporter):
    page = create_in_admin(client, reporter, "submit")

    state = page.current_workflow_state
    assert page.live is False
    assert (state.workflow.name, state.status, state.requested_by) == (
        "Moderators approval",
        WorkflowState.STATUS_IN_PROGRESS,
        reporter,
    )
    assert page.current_workflow_task.name == "Moderators approval"


def test_a_reporter_cannot_approve_their_own_submission(client, reporter):
    page = submitted_by(client, reporter)

    response = act(client, reporter, page, "approve")

    page.refresh_from_db()
    assert (response.status_code, response.url) == (302, "/admin/")
    assert [str(m).strip() for m in get_messages(response.wsgi_request)] == [
        "Sorry, you do not have permission to access this area."
    ]
    assert page.live is False
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_an_editor_approves_and_the_article_goes_live(client, reporter, editor):
    page = submitted_by(client, reporter)

    response = act(client, editor, page, "approve", comment="Good to go.")

    page.refresh_from_db()
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    assert response.status_code == 302
    assert page.live is True
    assert page.title == "Harbour reopens"
    assert state.status == WorkflowState.STATUS_APPROVED
    assert TaskState.objects.get(workflow_state=state).finished_by == editor
    client.logout()
    assert client.get(page.url).status_code == 200


def test_an_editor_requesting_changes_leaves_the_article_unpublished(client, reporter, editor):
    page = submitted_by(client, reporter)

    response = act(client, editor, page, "reject", comment="Needs a second source.")

    page.refresh_from_db()
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    task_state = TaskState.objects.get(workflow_state=state)
    assert response.status_code == 302
    assert page.live is False
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert (task_state.status, task_state.comment, task_state.finished_by) == (
        TaskState.STATUS_REJECTED,
        "Needs a second source.",
        editor,
    )
    client.logout()
    assert client.get(page.url).status_code == 404


def test_after_changes_are_requested_the_reporter_can_resubmit_and_the_editor_approve(
    client, reporter, editor
):
    page = submitted_by(client, reporter)
    act(client, editor, page, "reject", comment="Needs a second source.")
    client.force_login(reporter)

    client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        article_form("submit", title="Harbour reopens, port confirms"),
    )
    page.refresh_from_db()
    act(client, editor, page, "approve")

    page.refresh_from_db()
    assert (page.live, page.title) == (True, "Harbour reopens, port confirms")
