"""Self-training: a linear classifier fitted again on its own confident predictions.

With a handful of labelled texts per label, the classifier's boundary follows the
few examples it has. Unlabelled texts from the same domain (often plentiful) show
where the data lies: each round labels them with the current classifier, keeps the
most confident share of each predicted label, and refits on the labelled examples
plus those. Exclusive (one label per text) classifiers only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import Errors
from .linear import LinearClassifier


@dataclass
class SelfTrainStats:
    """What each round added: pseudo-labelled texts per label."""

    n_unlabelled: int = 0
    added: list[dict[str, int]] = field(default_factory=list)


def check_self_train_settings(rounds: int, fraction: float) -> None:
    if not (isinstance(rounds, int) and rounds >= 0):
        raise ValueError(
            Errors.E221.format(
                name="self_train_rounds", rule="an int >= 0", value=rounds
            )
        )
    if not 0.0 < fraction <= 1.0:
        raise ValueError(
            Errors.E221.format(
                name="self_train_fraction", rule="in (0, 1]", value=fraction
            )
        )


def confident_rows(scores: np.ndarray, fraction: float) -> np.ndarray:
    """Rows to keep: per predicted label, the most confident `fraction` of them.

    Taking a share of each predicted label (not one global cut) keeps a label the
    classifier is less sure of from vanishing from the pseudo-labels.
    """
    predicted = scores.argmax(axis=1)
    confidence = scores.max(axis=1)
    keep: list[np.ndarray] = []
    for label in range(scores.shape[1]):
        rows = np.flatnonzero(predicted == label)
        order = rows[np.argsort(-confidence[rows], kind="stable")]
        keep.append(order[: int(fraction * len(rows))])
    return np.sort(np.concatenate(keep)) if keep else np.zeros(0, dtype=int)


def self_train(
    make_classifier: Callable[[], LinearClassifier],
    X: np.ndarray,
    Y: np.ndarray,
    U: np.ndarray,
    *,
    rounds: int = 2,
    fraction: float = 0.5,
) -> tuple[LinearClassifier, SelfTrainStats]:
    """Fit on (X, Y), then `rounds` times on (X, Y) plus confident pseudo-labels of U.

    make_classifier: returns a fresh, unfitted exclusive LinearClassifier.
    X (n, d), Y (n, labels): the labelled features and 0/1 label matrix.
    U (m, d): features of unlabelled texts (the labelled ones need not be removed,
        but should be, or they count twice).
    RETURNS: the last classifier and what each round added.
    """
    check_self_train_settings(rounds, fraction)
    clf = make_classifier()
    if not clf.exclusive:
        raise ValueError(Errors.E222)
    clf.fit(X, Y)
    U = np.asarray(U, dtype="float64").reshape(-1, np.asarray(X).shape[1])
    stats = SelfTrainStats(n_unlabelled=len(U))
    for _ in range(rounds if len(U) else 0):
        scores = clf.predict_proba(U)
        rows = confident_rows(scores, fraction)
        pseudo = np.eye(len(clf.labels))[scores[rows].argmax(axis=1)]
        stats.added.append(
            {lab: int(pseudo[:, i].sum()) for i, lab in enumerate(clf.labels)}
        )
        clf = make_classifier()
        clf.fit(np.concatenate([X, U[rows]]), np.concatenate([Y, pseudo]))
    return clf, stats
