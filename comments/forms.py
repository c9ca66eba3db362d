from django import forms
from django.utils.translation import gettext_lazy as _

from .services import LIMITS


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
    save_commenter = forms.BooleanField(
        label=_("Save my name, email, and website in this browser for the next time I comment."),
        required=False,
    )
    page = forms.IntegerField(widget=forms.HiddenInput)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = user is not None and user.is_authenticated and user.is_staff
        if self.staff:
            for name in ("name", "email", "website", "save_commenter"):
                del self.fields[name]
        for name, field in self.fields.items():
            if getattr(field, "max_length", None):
                # The browser may stop typing at the limit; the server still says so.
                field.widget.attrs.pop("maxlength", None)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=LIMITS["body"],
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": _("Please type your comment.")},
    )
