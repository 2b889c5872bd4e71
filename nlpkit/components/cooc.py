"""nlpkit_cooc: accumulate word co-occurrence counts from docs passing through a pipe."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..errors import Errors
from ..vectors.cooc import CoocCounter, CoocMatrix
from ._base import BatchPipe, read_bytes, read_folder, write_bytes, write_folder

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


class CoocCollector(BatchPipe):
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

    def predict(self, docs: Iterable[Doc]) -> list[list[str]]:
        """The contexts of a batch of docs (nothing is counted yet)."""
        return [c for doc in docs for c in self.contexts(doc)]

    def set_annotations(self, docs: Iterable[Doc], contexts: list[list[str]]) -> None:
        """Count the batch's contexts; the docs themselves are not changed."""
        self.counter.add_contexts(contexts)
        self.n_docs += len(list(docs))

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
        return write_bytes(self._state(), {"counts": self.counter.to_bytes}, exclude)

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()
    ) -> CoocCollector:
        readers = {
            # n_docs: its own key in bytes written before it moved into cfg
            "n_docs": lambda n: setattr(self, "_pending_n_docs", n),
            "counts": self._set_counts,
        }
        read_bytes(bytes_data, readers, exclude, set_cfg=self._set_state)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        writers = {"counts": lambda p: p.write_bytes(self.counter.to_bytes())}
        write_folder(path, self._state(), writers, exclude)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = tuple()
    ) -> CoocCollector:
        readers = {"counts": self._read_counts}
        read_folder(path, readers, exclude, set_cfg=self._set_state)
        return self

    def _read_counts(self, path: Path) -> None:
        for p in (path, path.with_name("counts.bin")):  # counts.bin: the older layout
            if p.exists():
                self._set_counts(p.read_bytes())
                return
