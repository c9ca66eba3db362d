from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Report
from .services import LIMITS

# A field people never see and bots fill in.
HONEYPOT = "homepage"


class CommentForm(forms.Form):
    """The reader's comment form. Limits are field errors, never truncation."""

    body = forms.CharField(
        label=_("Comment"),
        max_length=LIMITS["body"],
        widget=forms.Textarea(attrs={"rows": 7, "cols": 45}),
        error_messages={"required": _("Please type your comment.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=LIMITS["name"],
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=LIMITS["email"],
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address, like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.URLField(
        label=_("Website"),
        max_length=LIMITS["website"],
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Please enter a web address, like https://example.com.")},
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    # Set by the form's script: the same key on a post sent again (see Comment).
    submission = forms.RegexField(
        regex=r"^[A-Za-z0-9-]{8,64}$",
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The form is damaged. Please reload the page.")},
    )
    save_commenter = forms.BooleanField(
        label=_("Save my name, email, and website in this browser for the next time I comment."),
        required=False,
    )
    notify_replies = forms.BooleanField(
        label=_("Email me when someone replies to my comment"), required=False
    )
    follow_page = forms.BooleanField(
        label=_("Email me about new comments on this article"), required=False
    )
    page = forms.IntegerField(widget=forms.HiddenInput)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = user is not None and user.is_authenticated and user.is_staff
        if self.staff:
            for name in ("name", "email", "website", "save_commenter"):
                del self.fields[name]
        if self.staff or not settings.MASTHEAD_NOTIFICATIONS:
            del self.fields["notify_replies"], self.fields["follow_page"]
        for field in self.fields.values():
            if getattr(field, "max_length", None):
                # A browser enforcing maxlength cuts pasted text silently; over the limit
                # must be a field error instead.
                field.widget.attrs.pop("maxlength", None)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=LIMITS["body"],
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": _("Please type your comment.")},
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a reason.")},
    )
    note = forms.CharField(
        label=_("Anything moderators should know (optional)"),
        max_length=LIMITS["note"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
