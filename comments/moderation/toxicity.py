"""Toxicity scored on this machine by the model inside alt-profanity-check.

The model (a TF-IDF vectoriser and a calibrated ensemble of linear SVMs, trained on a large
corpus of human-labelled comments) ships inside the package; nothing is downloaded. It is
loaded once per process, on first use.
"""

import functools

import numpy as np
from django.conf import settings
from scipy.special import expit

from . import Action, Candidate, Verdict


@functools.cache
def _model():
    """The package's vectoriser and, unpacked from its CalibratedClassifierCV, each
    member's weights and sigmoid calibration, stacked so that one product scores a text.
    scikit-learn's predict_proba spends ~5 ms per call checking its inputs; this computes
    the same numbers (pinned by a test) in a few hundredths of one. Falls back to the
    library when the model's shape is not the one expected."""
    from profanity_check import profanity_check as package

    model = package.model
    try:
        members = model.calibrated_classifiers_
        weights = np.vstack([m.estimator.coef_.ravel() for m in members]).T
        intercepts = np.array([m.estimator.intercept_[0] for m in members])
        slopes = np.array([m.calibrators[0].a_ for m in members])
        offsets = np.array([m.calibrators[0].b_ for m in members])
        if any(m.method != "sigmoid" for m in members) or len(model.classes_) != 2:
            raise ValueError("not a binary sigmoid-calibrated ensemble")
    except (AttributeError, IndexError, ValueError):
        return package.vectorizer, None
    return package.vectorizer, (weights, intercepts, slopes, offsets)


def prepare() -> None:
    """Load the model now rather than on the first comment (unless the check is off)."""
    if settings.MASTHEAD_COMMENTS_TOXICITY_THRESHOLD > 0:
        _analysis(_model()[0])


def library_score(text: str) -> float:
    from profanity_check import predict_prob

    return float(predict_prob([text])[0])


def score(text: str) -> float:
    """Probability in [0, 1] that the text is offensive."""
    vectorizer, unpacked = _model()
    if unpacked is None:
        return library_score(text)
    weights, intercepts, slopes, offsets = unpacked
    decision = _tfidf_times(weights, vectorizer, text) + intercepts
    return float(expit(-(slopes * decision + offsets)).mean())


def _tfidf_times(weights, vectorizer, text: str):
    """The text's TF-IDF vector (as the vectoriser's transform makes it: raw counts times
    idf, scaled to unit length) times the stacked weights, computed over the text's own
    terms only; the vectoriser's transform builds and checks a sparse matrix per call."""
    analyze, vocabulary, idf = _analysis(vectorizer)
    counts: dict[int, int] = {}
    for term in analyze(text):
        index = vocabulary.get(term)
        if index is not None:
            counts[index] = counts.get(index, 0) + 1
    if not counts:
        return np.zeros(weights.shape[1])
    indices = np.fromiter(sorted(counts), dtype=np.intp, count=len(counts))
    values = np.array([counts[i] for i in indices], dtype=np.float64) * idf[indices]
    values /= np.sqrt(values @ values)
    return values @ weights[indices]


@functools.cache
def _analysis(vectorizer):
    return vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_


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
