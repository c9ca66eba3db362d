from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Subscription


class FollowModeForm(forms.Form):
    """The choice on the confirmation page, for articles the reader follows."""

    mode = forms.ChoiceField(
        label=_("For articles you follow, email me"),
        choices=[
            (Subscription.Mode.EACH, _("about each new comment")),
            (Subscription.Mode.DIGEST, _("a daily digest")),
        ],
        widget=forms.RadioSelect,
        initial=Subscription.Mode.EACH,
    )
