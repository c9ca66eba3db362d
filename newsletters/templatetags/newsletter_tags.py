from django import template

from ..forms import SignUpForm
from ..selectors import open_newsletters

register = template.Library()


@register.inclusion_tag("newsletters/includes/signup.html")
def newsletter_signup(heading_level: int = 2, choose: str = ""):
    """The sign-up box (front page, under articles, section pages). `choose` ticks one
    newsletter by its slug; with none given, the first is ticked. Nothing shows while no
    newsletter is open for sign-up."""
    newsletters = list(open_newsletters())
    chosen = [n.pk for n in newsletters if n.slug == choose] or [n.pk for n in newsletters[:1]]
    return {
        "newsletters": newsletters,
        "form": SignUpForm(initial={"newsletters": chosen}),
        "heading": f"h{heading_level}",
    }
