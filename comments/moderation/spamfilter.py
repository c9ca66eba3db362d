"""A spam filter that learns from this site's moderators.

scikit-learn's online logistic regression (SGDClassifier, log loss) over hashed word and
character n-grams: no vocabulary to store, and each moderator decision updates the model
with one partial_fit. The weights live in the database (SpamModel) as NumPy arrays, so all
app servers share them. A new site starts from a model trained on public labelled data
(comments/data/spam_seed.csv.gz).
"""

import csv
import gzip
import io
import threading
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.utils import murmurhash3_32

from . import Action, Candidate, Verdict

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "spam_seed.csv.gz"
N_FEATURES = 2**18
CLASSES = np.array([0, 1])
# A moderator's decision counts for more than one seed example.
DECISION_WEIGHT = 5.0

_words = HashingVectorizer(
    n_features=N_FEATURES,
    alternate_sign=False,
    ngram_range=(1, 2),
    norm=None,
    token_pattern=r"(?u)\b\w+\b",
)
_chars = HashingVectorizer(
    n_features=N_FEATURES,
    alternate_sign=False,
    analyzer="char_wb",
    ngram_range=(3, 5),
    norm=None,
)
_analyzers = (_words.build_analyzer(), _chars.build_analyzer())
_lock = threading.Lock()
_loaded: dict = {}  # {"version": int, "model": SGDClassifier, "checked": monotonic time}
RECHECK_SECONDS = 1.0


def _counts(texts):
    """Hashed word (1-2) and character (3-5) n-gram counts, summed."""
    return (_words.transform(texts) + _chars.transform(texts)).tocsr()


def features(texts):
    """Hashed word (1-2) and character (3-5) n-grams, summed and scaled to unit length."""
    matrix = _counts(texts)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sparse.diags(1 / norms) @ matrix


def _text_counts(text: str) -> tuple[list[int], list[int]]:
    """One text's n-gram counts as `_counts` makes them, as (indices, counts) in plain
    Python: the vectorizers' own tokens, hashed as their FeatureHasher does (signed 32-bit
    MurmurHash3, its absolute value modulo N_FEATURES)."""
    counts: dict[int, int] = {}
    for analyze in _analyzers:
        for token in analyze(text):
            hashed = murmurhash3_32(token, seed=0)
            if hashed == -(2**31):  # whose absolute value does not fit
                index = (2**31 - 1 - (N_FEATURES - 1)) % N_FEATURES
            else:
                index = abs(hashed) % N_FEATURES
            counts[index] = counts.get(index, 0) + 1
    return list(counts), list(counts.values())


def _probability(model: SGDClassifier, text: str) -> float:
    """The model's predict_proba for one text, computed over the text's own features:
    the same numbers without building the scaled matrix and checking it on every call."""
    indices, counts = _text_counts(text)
    values = np.asarray(counts, dtype=np.float64)
    norm = np.sqrt(values @ values) or 1.0
    decision = (values / norm) @ model.coef_[0, indices] + model.intercept_[0]
    return float(expit(decision))


def text_of(*, name: str = "", website: str = "", body: str = "") -> str:
    return "\n".join(part for part in (name, website, body) if part)


def new_model() -> SGDClassifier:
    return SGDClassifier(
        loss="log_loss", alpha=1e-4, penalty="l2", learning_rate="optimal", random_state=0
    )


def train(texts, labels, *, weights=None, epochs: int = 10) -> SGDClassifier:
    """A model trained from scratch (several shuffled passes of partial_fit)."""
    model = new_model()
    x = features(list(texts))
    y = np.asarray(labels)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    order = np.random.default_rng(0)
    for _ in range(epochs):
        index = order.permutation(len(y))
        model.partial_fit(x[index], y[index], classes=CLASSES, sample_weight=w[index])
    return model


def seed_examples():
    with gzip.open(SEED_FILE, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [int(row["spam"]) for row in rows]


def dump(model: SGDClassifier) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_,
        t=np.array([model.t_]),
    )
    return buffer.getvalue()


def load(blob: bytes) -> SGDClassifier:
    arrays = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
    model = new_model()
    model.classes_ = CLASSES
    model.coef_ = arrays["coef"].astype(np.float64)
    model.intercept_ = arrays["intercept"]
    model.t_ = float(arrays["t"][0])
    model.n_features_in_ = N_FEATURES
    # partial_fit expects what a fitted model carries.
    model._expanded_class_weight = np.ones(len(CLASSES))
    model.loss_function_ = model._get_loss_function(model.loss)
    return model


def decisions():
    """Moderators' decisions so far: (text, label) with approve = ham and spam = spam,
    taking each comment's latest decision."""
    from ..models import Comment, ModerationEvent

    latest = {}
    for comment_id, to_status in (
        ModerationEvent.objects.filter(actor__isnull=False, to_status__in=["approved", "spam"])
        .order_by("at", "pk")
        .values_list("comment_id", "to_status")
    ):
        latest[comment_id] = to_status
    current = Comment.objects.filter(pk__in=latest).only("id", "name", "website", "body", "status")
    texts, labels = [], []
    for comment in current:
        # A decision since undone (the comment moved on) no longer teaches anything.
        if comment.status != latest[comment.pk]:
            continue
        texts.append(text_of(name=comment.name, website=comment.website, body=comment.body))
        labels.append(1 if comment.status == "spam" else 0)
    return texts, labels


def retrain() -> int:
    """Train from the seed data and every standing moderator decision; returns the new
    model version. Used on first use and when a decision is undone."""
    from ..models import SpamModel

    seed_texts, seed_labels = seed_examples()
    texts, labels = decisions()
    weights = [1.0] * len(seed_texts) + [DECISION_WEIGHT] * len(texts)
    model = train(seed_texts + texts, seed_labels + labels, weights=weights)
    with transaction.atomic():
        row, _ = SpamModel.objects.select_for_update().get_or_create(name="default")
        row.weights = dump(model)
        row.trained_on = len(seed_texts) + len(texts)
        row.version += 1
        row.save()
    forget_loaded()
    return row.version


def learn(text: str, is_spam: bool) -> int:
    """Update the stored model with one moderator decision; returns the new version."""
    from ..models import SpamModel

    with transaction.atomic():
        row = SpamModel.objects.select_for_update().filter(name="default").first()
        if row is None:
            return retrain()
        model = load(row.weights)
        model.partial_fit(
            features([text]), np.array([int(is_spam)]), sample_weight=np.array([DECISION_WEIGHT])
        )
        row.weights = dump(model)
        row.trained_on += 1
        row.version += 1
        row.save()
    forget_loaded()
    return row.version


def current_model() -> SGDClassifier:
    """The stored model, loaded once per version per process. The version is read at most
    every RECHECK_SECONDS, so a moderator's decision reaches every process within that."""
    from ..models import SpamModel

    with _lock:
        if _loaded and time.monotonic() - _loaded["checked"] < RECHECK_SECONDS:
            return _loaded["model"]
    version = SpamModel.objects.filter(name="default").values_list("version", flat=True).first()
    if version is None:
        version = retrain()
    with _lock:
        if _loaded.get("version") != version:
            row = SpamModel.objects.get(name="default")
            _loaded.update(version=row.version, model=load(row.weights))
        _loaded["checked"] = time.monotonic()
        return _loaded["model"]


def forget_loaded() -> None:
    """Read the stored version on the next use (after this process changed it)."""
    with _lock:
        _loaded.clear()


def spam_probability(text: str) -> float:
    return _probability(current_model(), text)


def check(candidate: Candidate) -> Verdict | None:
    """Spam above MASTHEAD_COMMENTS_SPAM_THRESHOLD; held above the hold threshold."""
    spam_at = settings.MASTHEAD_COMMENTS_SPAM_THRESHOLD
    hold_at = settings.MASTHEAD_COMMENTS_SPAM_HOLD_THRESHOLD
    if spam_at <= 0 and hold_at <= 0:
        return None
    value = spam_probability(
        text_of(name=candidate.name, website=candidate.website, body=candidate.body)
    )
    candidate.scores["spam"] = value
    if spam_at > 0 and value >= spam_at:
        return Verdict(Action.SPAM, f"learned filter {value:.2f}")
    if hold_at > 0 and value >= hold_at:
        return Verdict(Action.HOLD, f"learned filter {value:.2f}")
    return None
