"""Signed links in mail. A token names an address by its id and a short keyed hash of the
address (never the address itself), so a link stops working once the address is forgotten
and no link reveals who it was sent to."""

from django.core import signing
from django.utils.crypto import salted_hmac

CONFIRM_SALT = "mailing.confirm"
UNSUBSCRIBE_SALT = "mailing.unsubscribe"


class BadToken(Exception):
    """The link was altered, is not ours, or names an address that is gone."""


class ExpiredToken(BadToken):
    """The link was ours but is older than it may be."""


def _fingerprint(email: str) -> str:
    return salted_hmac("mailing.address", email).hexdigest()[:16]


def make(address, salt: str, **extra) -> str:
    return signing.dumps({"a": address.pk, "h": _fingerprint(address.email), **extra}, salt=salt)


def read(token: str, salt: str, *, max_age=None) -> tuple:
    """(address, payload) for a valid token; raises BadToken or ExpiredToken."""
    from .models import Address

    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise ExpiredToken() from None
    except signing.BadSignature:
        raise BadToken() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int):
        raise BadToken()
    address = Address.objects.filter(pk=payload["a"]).first()
    if address is None or _fingerprint(address.email) != payload.get("h"):
        raise BadToken()
    return address, payload
