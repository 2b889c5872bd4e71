"""nlpkit_cooc: accumulate word co-occurrence counts from docs passing through a pipe."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import srsly
from spacy import util
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span

from ..errors import Errors
from ..util import read_cfg_file
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
CONTEXTS = ("sentence", "doc")


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


class CoocCollector(Pipe):
    """Counts co-occurrences of the docs it sees; docs pass through unchanged.

    Saved as spaCy saves a pipe: `cfg` (JSON, with n_docs) and `counts`; from_disk
    also reads the `cfg.json` and `counts.bin` of pipelines saved before nlpkit 0.3.
    """

    def __init__(
        self,
        vocab,
        name: str = "nlpkit_cooc",
        *,
        window: int = 5,
        direction: str = "symmetric",
        weighting: str = "none",
        context: str = "sentence",
        attr: str = "lower",
        skip_stop: bool = False,
        skip_punct: bool = True,
        skip_numbers: bool = False,
    ):
        for what, value, known in (
            ("attr", attr, ATTRS),
            ("context", context, CONTEXTS),
        ):
            if value not in known:
                raise ValueError(
                    Errors.E107.format(what=what, value=value, known=", ".join(known))
                )
        self.vocab = vocab
        self.name = name
        self.cfg = {
            "window": window,
            "direction": direction,
            "weighting": weighting,
            "context": context,
            "attr": attr,
            "skip_stop": skip_stop,
            "skip_punct": skip_punct,
            "skip_numbers": skip_numbers,
        }
        self.reset()  # CoocCounter checks window, direction and weighting

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
        error_handler = self.get_error_handler()
        try:
            self.counter.add_contexts(list(self.contexts(doc)))
            self.n_docs += 1
        except Exception as e:
            error_handler(self.name, self, [doc], e)
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        error_handler = self.get_error_handler()
        for docs in util.minibatch(stream, size=batch_size):
            try:
                contexts = [c for doc in docs for c in self.contexts(doc)]
                self.counter.add_contexts(contexts)
                self.n_docs += len(docs)
            except Exception as e:
                error_handler(self.name, self, docs, e)
            yield from docs

    def matrix(self, *, min_count: int = 1, max_size: int | None = None) -> CoocMatrix:
        """The counts so far as a CoocMatrix (vocabulary by frequency)."""
        return self.counter.to_matrix(min_count=min_count, max_size=max_size)

    def _state(self) -> dict:
        return {**self.cfg, "n_docs": self.n_docs}

    def _set_state(self, cfg: dict) -> None:
        cfg = dict(cfg)
        n_docs = cfg.pop("n_docs", 0)
        self.cfg.update(cfg)
        self.reset()
        self._pending_n_docs = n_docs

    def _set_counts(self, data: bytes) -> None:
        self.counter = CoocCounter.from_bytes(data)
        self.n_docs = getattr(self, "_pending_n_docs", 0)

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        serializers = {
            "cfg": lambda: json.dumps(self.cfg),
            "n_docs": lambda: self.n_docs,
            "counts": self.counter.to_bytes,
        }
        return util.to_bytes(serializers, exclude)

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()
    ) -> CoocCollector:
        deserializers = {
            "cfg": lambda b: self._set_state(json.loads(b)),
            "n_docs": lambda n: setattr(self, "_pending_n_docs", n),
            "counts": self._set_counts,
        }
        util.from_bytes(bytes_data, deserializers, exclude)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        serializers = {
            "cfg": lambda p: srsly.write_json(p, self._state()),
            "counts": lambda p: p.write_bytes(self.counter.to_bytes()),
        }
        util.to_disk(path, serializers, exclude)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = tuple()
    ) -> CoocCollector:
        path = util.ensure_path(path)
        if not path.exists():
            raise FileNotFoundError(Errors.E001.format(path=path))
        self._set_state(read_cfg_file(path))
        for name in ("counts", "counts.bin"):  # counts.bin: the older layout
            if (path / name).exists() and "counts" not in exclude:
                self._set_counts((path / name).read_bytes())
                break
        return self
