from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .services import ERASE_ACTION


@hooks.register("register_log_actions")
def register_erasure(actions):
    actions.register_action(
        ERASE_ACTION, _("Erase"), _("A reader erased their comments and address")
    )
