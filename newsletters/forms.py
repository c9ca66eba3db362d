from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Newsletter


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    newsletters = forms.ModelMultipleChoiceField(
        label=_("Newsletters"),
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one newsletter.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import open_newsletters

        self.fields["newsletters"].queryset = open_newsletters()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One address per row, in the first column (or a column headed “email”)."),
    )
    consent_note = forms.CharField(
        label=_("Where consent came from"),
        max_length=255,
        help_text=_(
            "Required, e.g. “Subscribers of our Mailchimp list, double opt-in, exported "
            "2026-11-30”."
        ),
    )


class BounceForm(forms.Form):
    file = forms.FileField(label=_("CSV file of bounced addresses"))
    reason = forms.ChoiceField(
        choices=[
            ("bounced", _("They bounced")),
            ("complained", _("They complained (marked as spam)")),
        ]
    )


class TestSendForm(forms.Form):
    email = forms.EmailField(label=_("Send a test to"))


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
