"""Linear classifiers trained with scikit-learn, stored and applied as plain arrays.

Only the weights are kept (W, b), so a trained classifier saves as .npy/JSON and
predicts with numpy alone: no pickle, no scikit-learn needed at prediction time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..errors import Errors, Warnings

logger = logging.getLogger("nlpkit")

CLASSIFIERS = ("logistic_regression", "linear_svc")
# C = "auto" picks one of these by stratified k-fold cross-validation on the training
# examples; with fewer than two examples of a class it uses FALLBACK_C, which suits
# L2-normalized embeddings better than scikit-learn's 1.0 (too strong a penalty for
# their small norms: one class predicted for everything).
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
CV_FOLDS = 5
CV_MAX_EXAMPLES = 2000
FALLBACK_C = 10.0


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class LinearClassifier:
    """A linear text classifier over fixed feature vectors, exclusive or multilabel.

    labels (Sequence[str]): the label names, in output order.
    exclusive (bool): one label per text (softmax) or any number (one-vs-rest).
    classifier (str): "logistic_regression" or "linear_svc" (its decision values go
        through a sigmoid/softmax, so they are scores rather than calibrated
        probabilities).
    C (float | str): inverse regularization strength, or "auto": chosen by
        cross-validation in fit (the choice is in best_C).
    class_weight (str | None): None or "balanced".
    """

    def __init__(
        self,
        labels: Sequence[str] = (),
        *,
        exclusive: bool = True,
        classifier: str = "logistic_regression",
        C: float | str = "auto",
        class_weight: str | None = None,
    ):
        if classifier not in CLASSIFIERS:
            raise ValueError(
                Errors.E201.format(name=classifier, known=", ".join(CLASSIFIERS))
            )
        if C != "auto" and not (isinstance(C, int | float) and C > 0):
            raise ValueError(Errors.E202.format(value=C))
        self.labels = list(labels)
        self.exclusive = exclusive
        self.classifier = classifier
        self.C = C if C == "auto" else float(C)
        self.best_C: float | None = None if C == "auto" else float(C)
        self.class_weight = class_weight
        self.W: np.ndarray | None = None
        self.b: np.ndarray | None = None
        self.mode = "softmax"

    @property
    def is_fitted(self) -> bool:
        return self.W is not None

    def _estimator(self):
        C = self.best_C
        if self.classifier == "logistic_regression":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(
                C=C, max_iter=2000, class_weight=self.class_weight
            )
        from sklearn.svm import LinearSVC

        return LinearSVC(C=C, class_weight=self.class_weight)

    def fit(self, X: np.ndarray, Y: np.ndarray) -> LinearClassifier:
        """Train on features X (n, d) and a 0/1 label matrix Y (n, len(labels)).

        RETURNS (LinearClassifier): self.
        """
        X = np.asarray(X, dtype="float64")
        Y = np.asarray(Y)
        n_labels = len(self.labels)
        if X.shape[0] == 0:
            raise ValueError(Errors.E203)
        if not np.isfinite(X).all():
            raise ValueError(Errors.E204)
        if self.exclusive:
            if n_labels < 2:
                raise ValueError(Errors.E205.format(labels=self.labels))
            counts = (Y > 0.5).sum(axis=1)
            bad = np.flatnonzero(counts != 1)
            if bad.size:
                raise ValueError(
                    Errors.E206.format(index=int(bad[0]), n=int(counts[bad[0]]))
                )
            y = Y.argmax(axis=1)
            missing = [self.labels[i] for i in range(n_labels) if not (y == i).any()]
            if missing:
                raise ValueError(Errors.E207.format(labels=missing))
        if self.C == "auto":
            self.best_C = select_C(self, X, Y)
        return self._fit(X, Y)

    def _fit(
        self, X: np.ndarray, Y: np.ndarray, quiet: bool = False
    ) -> LinearClassifier:
        """Fit with best_C on checked inputs; quiet: no W201 (cross-validation)."""
        n_labels = len(self.labels)
        if self.exclusive:
            y = Y.argmax(axis=1)
            est = self._estimator().fit(X, y)
            W = np.asarray(est.coef_, dtype="float64")
            b = np.atleast_1d(np.asarray(est.intercept_, dtype="float64"))
            self.mode = "binary" if n_labels == 2 else "softmax"
        else:
            W = np.zeros((n_labels, X.shape[1]))
            b = np.zeros(n_labels)
            for i, label in enumerate(self.labels):
                y = (Y[:, i] > 0.5).astype(int)
                if y.min() == y.max():
                    if not quiet:
                        logger.warning(Warnings.W201.format(label=label, value=y[0]))
                    b[i] = 10.0 if y[0] else -10.0
                    continue
                est = self._estimator().fit(X, y)
                W[i] = np.asarray(est.coef_, dtype="float64")[0]
                b[i] = float(np.atleast_1d(est.intercept_)[0])
            self.mode = "sigmoid"
        self.W, self.b = W, b
        return self

    def decision(self, X: np.ndarray) -> np.ndarray:
        """Raw linear scores X @ W.T + b."""
        if self.W is None:
            raise ValueError(Errors.E208)
        return np.asarray(X, dtype="float64") @ self.W.T + self.b

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Scores per label, shape (n, len(labels)), each in [0, 1]."""
        X = np.asarray(X, dtype="float64")
        if X.shape[0] == 0:
            return np.zeros((0, len(self.labels)), dtype="float32")
        z = self.decision(X)
        if self.mode == "binary":
            p = _sigmoid(z[:, 0])
            scores = np.stack([1.0 - p, p], axis=1)
        elif self.mode == "softmax":
            scores = _softmax(z)
        else:
            scores = _sigmoid(z)
        return scores.astype("float32")

    def get_config(self) -> dict:
        return {
            "labels": self.labels,
            "exclusive": self.exclusive,
            "classifier": self.classifier,
            "C": self.C,
            "class_weight": self.class_weight,
            "mode": self.mode,
        }

    def to_dict(self) -> dict:
        """Config and weights as plain JSON/msgpack-able values."""
        weights = None
        if self.W is not None:
            weights = {"W": self.W.tolist(), "b": self.b.tolist()}
        cfg = {**self.get_config(), "best_C": self.best_C}
        return {"cfg": cfg, "weights": weights}

    @classmethod
    def from_dict(cls, data: dict) -> LinearClassifier:
        cfg = dict(data["cfg"])
        mode = cfg.pop("mode")
        best_C = cfg.pop("best_C", None)
        model = cls(**cfg)
        model.mode = mode
        if best_C is not None:
            model.best_C = best_C
        if data.get("weights"):
            model.W = np.asarray(data["weights"]["W"], dtype="float64")
            model.b = np.asarray(data["weights"]["b"], dtype="float64")
        return model


def select_C(
    model: LinearClassifier, X: np.ndarray, Y: np.ndarray, grid=C_GRID
) -> float:
    """The C of grid with the best stratified k-fold accuracy of model on (X, Y).

    Exclusive models score accuracy; multilabel ones the share of correct label
    decisions. Ties go to the larger C. With fewer than two examples of some class
    (or label set) there is nothing to cross-validate: RETURNS FALLBACK_C.
    RETURNS (float): the chosen C.
    """
    from sklearn.model_selection import StratifiedKFold

    gold = Y > 0.5
    strata = gold.argmax(axis=1) if model.exclusive else _label_sets(gold)
    if len(strata) > CV_MAX_EXAMPLES:
        rng = np.random.default_rng(0)
        keep = np.sort(rng.choice(len(strata), CV_MAX_EXAMPLES, replace=False))
        X, gold, strata = X[keep], gold[keep], strata[keep]
    smallest = np.unique(strata, return_counts=True)[1].min()
    k = min(CV_FOLDS, int(smallest))
    if k < 2 or len(np.unique(strata)) < 2:
        logger.info(
            "C = 'auto': too few examples per class to cross-validate; C = %s",
            FALLBACK_C,
        )
        return FALLBACK_C
    folds = list(
        StratifiedKFold(n_splits=k, shuffle=True, random_state=0).split(X, strata)
    )
    best_C, best_score = FALLBACK_C, -1.0
    for C in grid:
        probe = LinearClassifier(
            model.labels,
            exclusive=model.exclusive,
            classifier=model.classifier,
            C=C,
            class_weight=model.class_weight,
        )
        correct = 0.0
        for train, test in folds:
            probe._fit(X[train], gold[train].astype(float), quiet=True)
            scores = probe.predict_proba(X[test])
            if model.exclusive:
                correct += (scores.argmax(axis=1) == strata[test]).sum()
            else:
                correct += ((scores > 0.5) == gold[test]).mean(axis=1).sum()
        score = correct / len(strata)
        if score >= best_score:
            best_C, best_score = C, score
    logger.info(
        "C = 'auto': chose C = %s (%d-fold accuracy %.3f)", best_C, k, best_score
    )
    return best_C


def _label_sets(gold: np.ndarray) -> np.ndarray:
    """One stratum id per row of a multilabel 0/1 matrix: its set of labels."""
    _, ids = np.unique(gold.astype(np.int8), axis=0, return_inverse=True)
    return ids.ravel()
