"""Toxicity scored on this machine by the model inside alt-profanity-check.

The model (a linear classifier trained on a large corpus of human-labelled comments) ships
inside the package; nothing is downloaded. It is loaded once per process, on first use.
"""

import functools

from django.conf import settings

from . import Action, Candidate, Verdict


@functools.cache
def _predict_prob():
    from profanity_check import predict_prob

    return predict_prob


def score(text: str) -> float:
    """Probability in [0, 1] that the text is offensive."""
    return float(_predict_prob()([text])[0])


def check(candidate: Candidate) -> Verdict | None:
    """Above MASTHEAD_COMMENTS_TOXICITY_THRESHOLD the comment is held, never dropped."""
    threshold = settings.MASTHEAD_COMMENTS_TOXICITY_THRESHOLD
    if threshold <= 0:
        return None
    value = score(candidate.body)
    candidate.scores["toxicity"] = value
    if value >= threshold:
        return Verdict(Action.HOLD, f"toxicity {value:.2f}")
    return None
