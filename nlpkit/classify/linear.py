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
    C (float): inverse regularization strength.
    class_weight (str | None): None or "balanced".
    """

    def __init__(
        self,
        labels: Sequence[str] = (),
        *,
        exclusive: bool = True,
        classifier: str = "logistic_regression",
        C: float = 1.0,
        class_weight: str | None = None,
    ):
        if classifier not in CLASSIFIERS:
            raise ValueError(
                Errors.E201.format(name=classifier, known=", ".join(CLASSIFIERS))
            )
        if not C > 0:
            raise ValueError(Errors.E202.format(value=C))
        self.labels = list(labels)
        self.exclusive = exclusive
        self.classifier = classifier
        self.C = float(C)
        self.class_weight = class_weight
        self.W: np.ndarray | None = None
        self.b: np.ndarray | None = None
        self.mode = "softmax"

    @property
    def is_fitted(self) -> bool:
        return self.W is not None

    def _estimator(self):
        if self.classifier == "logistic_regression":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(
                C=self.C, max_iter=2000, class_weight=self.class_weight
            )
        from sklearn.svm import LinearSVC

        return LinearSVC(C=self.C, class_weight=self.class_weight)

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
        return {"cfg": self.get_config(), "weights": weights}

    @classmethod
    def from_dict(cls, data: dict) -> LinearClassifier:
        cfg = dict(data["cfg"])
        mode = cfg.pop("mode")
        model = cls(**cfg)
        model.mode = mode
        if data.get("weights"):
            model.W = np.asarray(data["weights"]["W"], dtype="float64")
            model.b = np.asarray(data["weights"]["b"], dtype="float64")
        return model
