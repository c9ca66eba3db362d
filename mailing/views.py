"""The pages a link in a mail opens. Both answer a GET with a page and a button and act
only on POST, so mail scanners that fetch every link change nothing. Neither needs a
signed-in reader, a cookie or JavaScript: the signed token in the address is the proof."""

from django.conf import settings
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services, tokens


def _bad_link(request, *, expired: bool):
    return TemplateResponse(
        request,
        "mailing/bad_link.html",
        {"expired": expired},
        status=410 if expired else 400,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET: what confirming turns on, and a button. POST: confirm."""
    max_age = settings.MASTHEAD_MAIL_CONFIRM_DAYS * 24 * 3600
    try:
        address, payload = tokens.read(token, tokens.CONFIRM_SALT, max_age=max_age)
    except tokens.BadToken as error:
        return _bad_link(request, expired=isinstance(error, tokens.ExpiredToken))
    purpose = services.purpose(str(payload.get("p", "")))
    form = None
    if purpose.form_class is not None:
        initial = purpose.form_initial(address) if purpose.form_initial else {}
        form = purpose.form_class(request.POST or None, initial=initial)
    context = {
        "lines": purpose.describe(address) if purpose.describe else [],
        "form": form,
        "done": False,
    }
    status = 200
    if request.method == "POST":
        if form is None or form.is_valid():
            services.confirm(address=address)
            services.address_confirmed.send(
                sender=services.Purpose,
                address=address,
                purpose=purpose.name,
                data=form.cleaned_data if form is not None else {},
            )
            context["done"] = True
        else:
            status = 400
    return TemplateResponse(request, "mailing/confirm.html", context, status=status)


@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no cookie and no token
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET: a button. POST (from that button, or a mail client's one-click
    `List-Unsubscribe=One-Click`): stop those emails."""
    try:
        address, payload = tokens.read(token, tokens.UNSUBSCRIBE_SALT)
    except tokens.BadToken:
        return _bad_link(request, expired=False)
    scope = str(payload.get("s") or services.ALL)
    done = request.method == "POST"
    if done:
        services.unsubscribe(address=address, scope=scope)
    return TemplateResponse(
        request,
        "mailing/unsubscribe.html",
        {"everything": scope == services.ALL, "done": done},
    )
