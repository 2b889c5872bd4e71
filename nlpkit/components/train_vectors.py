"""nlpkit.train_vectors.v1: train vectors on the training corpus from `spacy train`.

Use it as `[initialize.before_init]`: it trains before the pipeline is initialized
and installs the table in nlp.vocab.vectors, so `tok2vec` (StaticVectors) sees it.
fastText vectors become a floret-mode table: unseen words get subword vectors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.util import registry

from ..vectors.corpus import TokenCorpus

logger = logging.getLogger("nlpkit")


class DocBinTokens:
    """Re-iterable token lists of the docs in .spacy files (one list per sentence
    when the docs have sentence boundaries)."""

    def __init__(self, paths: list[Path], lowercase: bool = True):
        self.paths = paths
        self.lowercase = lowercase
        self.source = ", ".join(str(p) for p in paths)

    def __iter__(self) -> Iterator[list[str]]:
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        vocab = Vocab()  # bare: no lexical attributes, so use t.text
        for path in self.paths:
            for doc in DocBin().from_disk(path).get_docs(vocab):
                spans = doc.sents if doc.has_annotation("SENT_START") else [doc]
                for span in spans:
                    tokens = [
                        t.text.lower() if self.lowercase else t.text
                        for t in span
                        if not (t.is_punct or t.is_space)
                    ]
                    if tokens:
                        yield tokens


def training_tokens(corpus: str, *, lowercase: bool = True, **options):
    """Token lists from .spacy DocBins or any corpus read_corpus understands."""
    from ..io import expand_inputs

    paths = expand_inputs(corpus)
    if paths and all(p.suffix == ".spacy" for p in paths):
        return DocBinTokens(paths, lowercase=lowercase)
    return TokenCorpus(corpus, lowercase=lowercase, **options)


@registry.callbacks("nlpkit.train_vectors.v1")
def create_train_vectors(
    corpus: str,
    algorithm: str = "fasttext",
    dim: int = 100,
    window: int = 5,
    min_count: int = 1,
    epochs: int = 5,
    threads: int = 1,
    seed: int = 1,
    mode: str = "auto",
    lowercase: bool = True,
    output: str | None = None,
) -> Callable[[Language], Language]:
    """A before_init callback that trains vectors and installs them in the vocab.

    corpus (str): .spacy file(s)/directory or a text/JSONL corpus.
    algorithm (str): word2vec, cbow, fasttext, glove or ppmi-svd.
    mode (str): "floret", "default" or "auto" (floret for fasttext).
    output (str | None): also save the nlpkit vectors there (and <output>/spacy, a
        vectors-only pipeline usable as `[initialize] vectors`).
    RETURNS (Callable[[Language], Language]): the callback.
    """

    def train_before_init(nlp: Language) -> Language:
        from ..vectors.train import train_vectors

        options = {"dim": dim, "window": window, "min_count": min_count}
        if algorithm != "ppmi-svd":
            options.update(epochs=epochs, threads=threads, seed=seed)
        tokens = training_tokens(corpus, lowercase=lowercase)
        wv = train_vectors(tokens, algorithm=algorithm, **options)
        table_mode = (
            mode if mode != "auto" else ("floret" if wv.has_subwords else "default")
        )
        attr = "LOWER" if lowercase else "ORTH"
        nlp.vocab.vectors = wv.to_spacy_vectors(nlp.vocab, mode=table_mode, attr=attr)
        logger.info(
            "trained %s vectors: %d words x %d (%s table)",
            algorithm, len(wv), wv.dim, table_mode,
        )  # fmt: skip
        if output:
            wv.to_disk(output)
            wv.to_spacy(
                Path(output) / "spacy", lang=nlp.lang, mode=table_mode, attr=attr
            )
        return nlp

    return train_before_init
