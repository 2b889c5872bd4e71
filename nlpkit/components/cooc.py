"""nlpkit_cooc: accumulate word co-occurrence counts from docs passing through a pipe."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Literal

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, minibatch

from ..errors import Errors
from ..vectors.cooc import CoocCounter, CoocMatrix

DEFAULT_COOC_CONFIG = {
    "window": 5,
    "direction": "symmetric",
    "weighting": "none",
    "context": "sentence",
    "attr": "lower",
    "skip_stop": False,
    "skip_punct": True,
    "skip_numbers": False,
}
ATTRS = {"lower": "lower_", "text": "text", "lemma": "lemma_", "norm": "norm_"}


@Language.factory("nlpkit_cooc", default_config=DEFAULT_COOC_CONFIG)
def make_cooc(
    nlp: Language,
    name: str,
    window: int,
    direction: Literal["symmetric", "left", "right"],
    weighting: Literal["none", "harmonic"],
    context: Literal["sentence", "doc"],
    attr: Literal["lower", "text", "lemma", "norm"],
    skip_stop: bool,
    skip_punct: bool,
    skip_numbers: bool,
) -> CoocCollector:
    """Create the co-occurrence collector.

    window (int): context words on each side. direction, weighting: as
        nlpkit.vectors.count_cooccurrence.
    context (str): "sentence" (needs sentence boundaries; the whole doc otherwise)
        or "doc".
    attr (str): which form to count: lower, text, lemma or norm.
    skip_stop / skip_punct / skip_numbers: drop those tokens before windowing.
    """
    return CoocCollector(
        nlp.vocab, name, window=window, direction=direction, weighting=weighting,
        context=context, attr=attr, skip_stop=skip_stop, skip_punct=skip_punct,
        skip_numbers=skip_numbers,
    )  # fmt: skip


class CoocCollector:
    """Counts co-occurrences of the docs it sees; docs pass through unchanged."""

    def __init__(self, vocab, name: str = "nlpkit_cooc", **cfg):
        self.vocab = vocab
        self.name = name
        self.cfg = {**DEFAULT_COOC_CONFIG, **cfg}
        if self.cfg["attr"] not in ATTRS:
            raise ValueError(
                Errors.E107.format(
                    what="attr", value=self.cfg["attr"], known=", ".join(ATTRS)
                )
            )
        self.reset()

    def reset(self) -> None:
        """Forget all counts."""
        self.counter = CoocCounter(
            window=self.cfg["window"],
            direction=self.cfg["direction"],
            weighting=self.cfg["weighting"],
        )
        self.n_docs = 0

    def contexts(self, doc: Doc) -> Iterator[list[str]]:
        """The token forms of each context (sentence or doc), filters applied."""
        cfg = self.cfg
        getter = ATTRS[cfg["attr"]]
        if cfg["context"] == "sentence" and doc.has_annotation("SENT_START"):
            spans: Iterable[Span | Doc] = doc.sents
        else:
            spans = [doc]
        for span in spans:
            tokens = [
                getattr(t, getter)
                for t in span
                if not t.is_space
                and not (cfg["skip_punct"] and t.is_punct)
                and not (cfg["skip_stop"] and t.is_stop)
                and not (cfg["skip_numbers"] and t.like_num)
            ]
            if tokens:
                yield tokens

    def __call__(self, doc: Doc) -> Doc:
        self.counter.add_contexts(list(self.contexts(doc)))
        self.n_docs += 1
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        for docs in minibatch(stream, size=batch_size):
            contexts = [c for doc in docs for c in self.contexts(doc)]
            self.counter.add_contexts(contexts)
            self.n_docs += len(docs)
            yield from docs

    def matrix(self, *, min_count: int = 1, max_size: int | None = None) -> CoocMatrix:
        """The counts so far as a CoocMatrix (vocabulary by frequency)."""
        return self.counter.to_matrix(min_count=min_count, max_size=max_size)

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        data = {"cfg": json.dumps(self.cfg), "n_docs": self.n_docs}
        if "counts" not in exclude:
            data["counts"] = self.counter.to_bytes()
        return srsly.msgpack_dumps(data)

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> CoocCollector:
        data = srsly.msgpack_loads(bytes_data)
        self.cfg.update(json.loads(data["cfg"]))
        self.reset()
        if "counts" in data and "counts" not in exclude:
            self.counter = CoocCounter.from_bytes(data["counts"])
            self.n_docs = data["n_docs"]
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", {**self.cfg, "n_docs": self.n_docs})
        if "counts" not in exclude:
            (path / "counts.bin").write_bytes(self.counter.to_bytes())

    def from_disk(self, path, *, exclude=tuple()) -> CoocCollector:
        path = ensure_path(path)
        if not path.exists():
            raise FileNotFoundError(Errors.E001.format(path=path))
        cfg = srsly.read_json(path / "cfg.json")
        n_docs = cfg.pop("n_docs", 0)
        self.cfg.update(cfg)
        self.reset()
        if (path / "counts.bin").exists() and "counts" not in exclude:
            self.counter = CoocCounter.from_bytes((path / "counts.bin").read_bytes())
            self.n_docs = n_docs
        return self
