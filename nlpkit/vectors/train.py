"""word2vec (CBOW / skip-gram, negative sampling) and fastText through gensim, and one
train_vectors entry point for every algorithm.

The corpus is streamed once into a temporary file of space-separated tokens, and
gensim trains from it with `corpus_file`: its fast path, which runs the worker
threads without the GIL and without re-tokenizing on every epoch.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import Errors
from .corpus import as_token_corpus
from .kv import WordVectors, from_gensim

logger = logging.getLogger("nlpkit")
ALGORITHMS = ("word2vec", "skipgram", "cbow", "fasttext", "glove", "ppmi-svd")


def write_token_file(corpus: Iterable[list[str]], path: str | Path) -> int:
    """Write token lists as lines of space-separated tokens; RETURNS the token count."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for tokens in corpus:
            if tokens:
                f.write(" ".join(tokens))
                f.write("\n")
                n += len(tokens)
    return n


def _gensim_train(cls, corpus, *, source: str, **params):
    with tempfile.TemporaryDirectory(prefix="nlpkit-vectors-") as tmp:
        path = os.path.join(tmp, "corpus.txt")
        n_tokens = write_token_file(corpus, path)
        if n_tokens == 0:
            raise ValueError(Errors.E101.format(source=source))
        logger.info("training %s on %d tokens", cls.__name__, n_tokens)
        try:
            model = cls(corpus_file=path, **params)
        except RuntimeError as err:
            # gensim: "you must first build vocabulary before training the model"
            if "vocabulary" in str(err):
                logger.debug("gensim: %s", err)
                raise ValueError(
                    Errors.E102.format(
                        source=source, min_count=params.get("min_count"), top="too few"
                    )
                ) from None
            raise
    return model, n_tokens


def _common(dim, window, min_count, epochs, threads, seed, negative, sample, max_size):
    for what, value in (
        ("dim", dim),
        ("window", window),
        ("epochs", epochs),
        ("threads", threads),
    ):
        if value < 1:
            raise ValueError(Errors.E108.format(what=what, rule=">= 1", value=value))
    return {
        "vector_size": dim,
        "window": window,
        "min_count": min_count,
        "epochs": epochs,
        "workers": threads,
        "seed": seed,
        "negative": negative,
        "sample": sample,
        "max_final_vocab": max_size,
    }


def train_word2vec(
    corpus,
    *,
    sg: bool = True,
    dim: int = 100,
    window: int = 5,
    min_count: int = 5,
    max_size: int | None = None,
    epochs: int = 5,
    threads: int = 2,
    negative: int = 5,
    sample: float = 1e-3,
    seed: int = 1,
    **corpus_options,
) -> WordVectors:
    """Train word2vec with negative sampling (skip-gram, or CBOW with sg=False).

    corpus: a TokenCorpus, token lists, texts or input paths.
    RETURNS (WordVectors): with meta holding the settings and the token count.
    """
    from gensim.models import Word2Vec

    corpus = as_token_corpus(corpus, **corpus_options)
    params = _common(
        dim, window, min_count, epochs, threads, seed, negative, sample, max_size
    )
    model, n_tokens = _gensim_train(
        Word2Vec,
        corpus,
        source=getattr(corpus, "source", "<corpus>"),
        sg=int(sg),
        hs=0,
        **params,
    )
    _check_vocab(model, corpus, min_count)
    meta = {
        "algorithm": "skipgram" if sg else "cbow",
        "n_tokens": n_tokens,
        **_jsonable(params),
    }
    return from_gensim(model.wv, meta=meta)


def train_fasttext(
    corpus,
    *,
    sg: bool = True,
    dim: int = 100,
    window: int = 5,
    min_count: int = 5,
    max_size: int | None = None,
    epochs: int = 5,
    threads: int = 2,
    negative: int = 5,
    sample: float = 1e-3,
    minn: int = 3,
    maxn: int = 6,
    bucket: int = 2_000_000,
    seed: int = 1,
    **corpus_options,
) -> WordVectors:
    """Train fastText (subword) vectors; OOV words get vectors from their n-grams.

    minn / maxn: character n-gram lengths. bucket (int): n-gram hash buckets.
    RETURNS (WordVectors): with subword buckets (has_subwords True).
    """
    from gensim.models import FastText

    corpus = as_token_corpus(corpus, **corpus_options)
    params = _common(
        dim, window, min_count, epochs, threads, seed, negative, sample, max_size
    )
    model, n_tokens = _gensim_train(
        FastText, corpus, source=getattr(corpus, "source", "<corpus>"),
        sg=int(sg), hs=0, min_n=minn, max_n=maxn, bucket=bucket, **params,
    )  # fmt: skip
    _check_vocab(model, corpus, min_count)
    meta = {"algorithm": "fasttext", "n_tokens": n_tokens, **_jsonable(params)}
    return from_gensim(model.wv, meta=meta)


def _check_vocab(model, corpus, min_count) -> None:
    if len(model.wv) == 0:
        raise ValueError(
            Errors.E102.format(
                source=getattr(corpus, "source", "<corpus>"),
                min_count=min_count,
                top="fewer",
            )
        )


def _jsonable(params: dict) -> dict:
    return {
        k: v for k, v in params.items() if isinstance(v, (int, float, str)) or v is None
    }


def train_vectors(corpus, *, algorithm: str = "word2vec", **options) -> WordVectors:
    """Train vectors with any algorithm: word2vec/skipgram, cbow, fasttext, glove,
    ppmi-svd. Options not used by the algorithm raise TypeError.

    RETURNS (WordVectors): the trained vectors.
    """
    if algorithm in ("word2vec", "skipgram"):
        return train_word2vec(corpus, sg=True, **options)
    if algorithm == "cbow":
        return train_word2vec(corpus, sg=False, **options)
    if algorithm == "fasttext":
        return train_fasttext(corpus, **options)
    if algorithm == "glove":
        from .glove import train_glove

        return train_glove(corpus, **options)
    if algorithm == "ppmi-svd":
        from .ppmi import train_ppmi_svd

        options.pop("threads", None)
        options.pop("epochs", None)
        return train_ppmi_svd(corpus, **options)
    raise ValueError(
        Errors.E107.format(
            what="algorithm", value=algorithm, known=", ".join(ALGORITHMS)
        )
    )
