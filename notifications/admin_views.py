"""Subscriptions in the Wagtail admin, for moderators: followers per article, and one
commenter's subscriptions, which they can remove (there is no export)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from mailing import services as mailing

from . import selectors, services
from .models import Subscription

PERMISSION = "comments.change_comment"


def _check(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def index(request):
    _check(request)
    email = request.GET.get("email", "").strip()
    counts = selectors.follower_counts()
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:50]
    titles = dict(Page.objects.filter(pk__in=[pk for pk, _n in top]).values_list("pk", "title"))
    context = {
        "email": email,
        "followed": [{"page_id": pk, "title": titles.get(pk, ""), "count": n} for pk, n in top],
        "subscriptions": list(selectors.subscriptions_of(email)) if email else [],
        "address": mailing.address_for(email) if email else None,
        "totals": dict(
            Subscription.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n")
        ),
    }
    return TemplateResponse(request, "notifications/admin/index.html", context)


@require_POST
def remove(request, subscription_id: int):
    _check(request)
    subscription = Subscription.objects.select_related("address").filter(pk=subscription_id)
    subscription = subscription.first()
    email = subscription.address.email if subscription else ""
    if services.remove_subscription(subscription_id=subscription_id):
        messages.success(request, _("Subscription removed."))
    return redirect(reverse("notifications_admin:index") + "?" + urlencode({"email": email}))
