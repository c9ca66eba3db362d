"""Comment moderation in the Wagtail admin: the queue, one-click and bulk decisions, edit."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import URLValidator
from django.db.models import Prefetch, Q, TextField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.models import Page

from . import services
from .errors import ApplicationError
from .models import Comment, Report
from .selectors import confirmed_emails

PERMISSION = "comments.change_comment"
STATUS_TABS = [
    ("pending", gettext_lazy("Pending")),
    ("approved", gettext_lazy("Approved")),
    ("spam", gettext_lazy("Spam")),
    ("trash", gettext_lazy("Trash")),
    # Whatever the status: comments with reports no moderator has dealt with yet.
    ("reported", gettext_lazy("Reported")),
    ("all", gettext_lazy("All")),
]
ACTION_LABELS = {
    "approve": gettext_lazy("Approve"),
    "unapprove": gettext_lazy("Unapprove"),
    "spam": gettext_lazy("Spam"),
    "trash": gettext_lazy("Trash"),
    "restore": gettext_lazy("Restore"),
    "delete": gettext_lazy("Delete forever"),
    "feature": gettext_lazy("Pick"),
    "unfeature": gettext_lazy("Unpick"),
    "trust": gettext_lazy("Trust"),
    "ban": gettext_lazy("Ban"),
}
# Keyboard shortcuts of the queue (the row with focus): also shown on the buttons.
SHORTCUTS = {"approve": "a", "spam": "s", "trash": "t", "restore": "r", "unapprove": "u"}
REASON_FILTERS = [
    ("first comment", gettext_lazy("First comment")),
    ("link", gettext_lazy("Links")),
    ("toxicity", gettext_lazy("Toxicity")),
    ("learned filter", gettext_lazy("Learned filter")),
    ("listed", gettext_lazy("Lists")),
    ("banned", gettext_lazy("Banned")),
    ("reported", gettext_lazy("Reader reports")),
    ("honeypot", gettext_lazy("Bot traps")),
    ("Akismet", gettext_lazy("Akismet")),
]
DONE_MESSAGES = {
    "approve": ("%(n)d comment approved.", "%(n)d comments approved."),
    "unapprove": ("%(n)d comment unapproved.", "%(n)d comments unapproved."),
    "spam": ("%(n)d comment marked as spam.", "%(n)d comments marked as spam."),
    "trash": ("%(n)d comment moved to the trash.", "%(n)d comments moved to the trash."),
    "restore": ("%(n)d comment restored.", "%(n)d comments restored."),
    "delete": ("%(n)d comment deleted forever.", "%(n)d comments deleted forever."),
    "feature": ("%(n)d comment picked.", "%(n)d comments picked."),
    "unfeature": ("%(n)d comment unpicked.", "%(n)d comments unpicked."),
    "trust": ("%(n)d commenter trusted.", "%(n)d commenters trusted."),
    "ban": ("%(n)d commenter banned.", "%(n)d commenters banned."),
}


# Orders of the queue: newest first, or the comments readers liked (or reported) most.
ORDERS = {
    "newest": ("-created_at", "-pk"),
    "likes": ("-likes", "-created_at", "-pk"),
    "reports": ("-report_count", "-created_at", "-pk"),
}

# Actions that take a permission of their own besides PERMISSION: deleting for good, and
# the standing decisions about a person (see docs/moderation.md).
ACTION_PERMISSIONS = {
    "delete": "comments.delete_comment",
    "trust": "comments.trust_commenter",
    "ban": "comments.ban_commenter",
}


def _require_moderator(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def allowed_actions(user) -> set[str]:
    """The moderation actions `user` may take."""
    if not user.has_perm(PERMISSION):
        return set()
    return {
        action
        for action in services.MODERATION_ACTIONS
        if action not in ACTION_PERMISSIONS or user.has_perm(ACTION_PERMISSIONS[action])
    }


def pending_count() -> int:
    return Comment.objects.filter(status=Comment.Status.PENDING).count()


def row_actions(comment, allowed=frozenset(ACTION_LABELS)) -> list[str]:
    actions = {
        "pending": ["approve", "spam", "trash", "trust", "ban"],
        "approved": [
            # Approving a reported comment keeps it up and deals with its reports.
            *(["approve"] if comment.reports.all() else []),
            "unapprove",
            "spam",
            "trash",
            "unfeature" if comment.featured else "feature",
        ],
        "spam": ["restore", "approve", "delete", "ban"],
        "trash": ["restore", "delete"],
    }[comment.status]
    if not comment.email:
        actions = [a for a in actions if a not in ("trust", "ban")]
    return [a for a in actions if a in allowed]


def index(request):
    _require_moderator(request)
    allowed = allowed_actions(request.user)
    status = request.GET.get("status", "pending")
    if status not in dict(STATUS_TABS):
        status = "pending"
    comments = Comment.objects.all()
    if status == "reported":
        comments = comments.filter(pk__in=Report.objects.filter(resolved=False).values("comment"))
    elif status != "all":
        comments = comments.filter(status=status)
    page_filter = None
    page_id = request.GET.get("page_id", "")
    if page_id.isdigit():
        page_filter = Page.objects.filter(pk=int(page_id)).first()
        if page_filter:
            comments = comments.filter(page_id=page_filter.pk)
    reason = request.GET.get("reason", "")
    if reason in dict(REASON_FILTERS):
        comments = comments.annotate(reasons_text=Cast("moderation_reasons", TextField())).filter(
            reasons_text__icontains=reason
        )
    else:
        reason = ""
    if request.GET.get("reported"):
        comments = comments.filter(reports__resolved=False).distinct()
    query = request.GET.get("q", "").strip()[:200]
    if query:
        comments = comments.filter(
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(body__icontains=query)
            | Q(ip_address__startswith=query)
        )
    order = request.GET.get("order", "newest")
    if order not in ORDERS:
        order = "newest"
    comments = comments.order_by(*ORDERS[order])
    paginator = Paginator(comments, 50)
    page_obj = paginator.get_page(request.GET.get("p"))
    rows = list(
        page_obj.object_list.select_related("parent").prefetch_related(
            Prefetch("reports", queryset=Report.objects.filter(resolved=False))
        )
    )
    titles = dict(Page.objects.filter(pk__in={c.page_id for c in rows}).values_list("pk", "title"))
    confirmed = confirmed_emails(c.email for c in rows)
    counts = {
        key: Comment.objects.filter(status=key).count()
        for key, _ in STATUS_TABS
        if key not in ("all", "reported")
    }
    counts["reported"] = Report.objects.filter(resolved=False).values("comment").distinct().count()
    return TemplateResponse(
        request,
        "comments/admin/index.html",
        {
            "rows": [
                {
                    "comment": c,
                    "page_title": titles.get(c.page_id, _("(deleted page)")),
                    "confirmed": c.email.strip().lower() in confirmed,
                    "actions": [
                        (a, ACTION_LABELS[a], SHORTCUTS.get(a, "")) for a in row_actions(c, allowed)
                    ],
                }
                for c in rows
            ],
            "page_obj": page_obj,
            "status": status,
            "tabs": [(key, label, counts.get(key)) for key, label in STATUS_TABS],
            "bulk_actions": [
                (a, ACTION_LABELS[a]) for a in services.MODERATION_ACTIONS if a in allowed
            ],
            "query": query,
            "reason": reason,
            "reason_filters": REASON_FILTERS,
            "page_filter": page_filter,
            "here": request.get_full_path(),
            "order": order,
            "order_query": _without(request.GET, "order", "p"),
        },
    )


def _without(query, *names) -> str:
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


@require_POST
def act(request):
    """Apply one action to the selected comments (a row button or the bulk form)."""
    _require_moderator(request)
    action = request.POST.get("action", "")
    if action in ACTION_PERMISSIONS and not request.user.has_perm(ACTION_PERMISSIONS[action]):
        raise PermissionDenied
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("comments_admin:index")
    if not ids:
        messages.warning(request, _("Select at least one comment."))
        return redirect(back)
    try:
        changed = services.moderate_comments(comment_ids=ids, action=action, moderator=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    singular, plural = DONE_MESSAGES[action]
    messages.success(request, ngettext(singular, plural, changed) % {"n": changed})
    return redirect(back)


class WebAddressField(forms.URLField):
    """A web address: http or https only, as the comment form takes."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class ModeratorEditForm(forms.ModelForm):
    website = WebAddressField(
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={
            "invalid": gettext_lazy("Please enter a web address, like https://example.com.")
        },
    )

    class Meta:
        model = Comment
        fields = ["name", "email", "website", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


def edit(request, comment_id: int):
    _require_moderator(request)
    comment = get_object_or_404(Comment, pk=comment_id)
    form = ModeratorEditForm(request.POST or None, instance=comment)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.moderator_edit_comment(
                comment=comment,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                website=form.cleaned_data["website"],
                body=form.cleaned_data["body"],
                moderator=request.user,
            )
        except ApplicationError as error:
            for field, errors in error.fields.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            if not error.fields:
                form.add_error(None, error.message)
            status = error.status
        else:
            messages.success(request, _("Comment saved."))
            return redirect(reverse("comments_admin:index") + f"?status={comment.status}")
    elif request.method == "POST":
        status = 400
    page = Page.objects.filter(pk=comment.page_id).first()
    return TemplateResponse(
        request,
        "comments/admin/edit.html",
        {
            "form": form,
            "comment": comment,
            "page": page,
            "events": comment.events.select_related("actor"),
            "reports": comment.reports.order_by("created_at"),
        },
        status=status,
    )
