"""word2vec (CBOW / skip-gram, negative sampling) and fastText, and one train_vectors
entry point for every algorithm.

word2vec: the corpus is read once into word ids (a plain token file in bulk, anything
else token list by token list), gensim builds the model from those counts, and
nlpkit's own kernel (_w2v) trains it on the ids in memory. Below 1M tokens x epochs
gensim's own corpus_file loop trains it instead, on the same counts: there loading
numba would cost more than the kernel saves. Which one trains depends only on the
token count and the epochs, so the same input always gets the same vectors.

fastText goes to gensim with `corpus_file`: its fast path, which runs the worker
threads without the GIL. A corpus that is already one plain token file is trained on
in place; any other stream is written once into a temporary token file. Either way the
words are counted in that one pass, so gensim does not read the corpus again to build
its vocabulary. A list of token lists is already in memory: it goes to gensim as it is
(`sentences`), which on few cores is cheaper than writing it out and reading it back.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from ..errors import Errors
from .corpus import as_token_corpus
from .kv import WordVectors, from_gensim

logger = logging.getLogger("nlpkit")
MAX_SENTENCE_LEN = 10000  # gensim cuts longer lines into sentences of this length
# below this much work word2vec trains in gensim's loop: loading numba costs about
# 0.9 s a process (import 0.4 s, first call 0.5 s), more than nlpkit's kernel saves
KERNEL_MIN_TOKENS_X_EPOCHS = 1_000_000
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


def _write_and_count(corpus: Iterable[list[str]], path: str | Path):
    """write_token_file that also RETURNS (word counts, n_tokens, n_sentences)."""
    counts: Counter = Counter()
    n_tokens = n_sentences = 0
    with open(path, "w", encoding="utf-8") as f:
        for tokens in corpus:
            if tokens:
                f.write(" ".join(tokens))
                f.write("\n")
                counts.update(tokens)
                n_tokens += len(tokens)
                n_sentences += -(-len(tokens) // MAX_SENTENCE_LEN)
    return counts, n_tokens, n_sentences


def _count_token_file(corpus, epochs: int = 1):
    """(path, word counts, n_tokens, n_sentences) when the corpus is a plain token
    file gensim can read as it is; None otherwise."""
    found = _read_token_file(corpus, epochs)
    if found is None:
        return None
    ids, path = found
    return path, ids.word_counts(), ids.n_tokens, ids.n_sentences


def _word2vec_train(corpus, *, source: str, **params):
    from gensim.models import Word2Vec

    from . import _w2v

    if isinstance(corpus, list):
        n_tokens = sum(len(tokens) for tokens in corpus)
        if n_tokens * params["epochs"] < KERNEL_MIN_TOKENS_X_EPOCHS:
            return _gensim_train(Word2Vec, corpus, source=source, hs=0, **params)
        ids, path = _w2v.ids_from_lists(corpus), None
    else:
        ids, path = _read_ids(corpus, params["epochs"])
    n_tokens = ids.n_tokens
    if n_tokens == 0:
        raise ValueError(Errors.E101.format(source=source))
    if n_tokens * params["epochs"] < KERNEL_MIN_TOKENS_X_EPOCHS:
        return _fit_ids_in_gensim(ids, path, source, {**params, "hs": 0}), n_tokens
    model = _new_model(Word2Vec, {**params, "hs": 0})
    with _vocabulary_errors(source, params):
        model.build_vocab_from_freq(ids.word_counts(), corpus_count=len(ids.lengths))
    model.corpus_total_words = n_tokens
    if len(model.wv):
        logger.info("training word2vec on %d tokens", n_tokens)
        _w2v.train(model, ids, params["workers"])
    return model, n_tokens


def _read_ids(corpus, epochs: int):
    """(IdCorpus, the plain token file it came from or None), in one pass."""
    from . import _w2v

    return _read_token_file(corpus, epochs) or (_w2v.ids_from_lists(corpus), None)


def _read_token_file(corpus, epochs: int):
    """(IdCorpus, path) when the corpus is one plain token file; None otherwise."""
    from .tokenfile import NotATokenFile, direct_path

    path = direct_path(corpus)
    if path is None:
        return None
    # numba's first call costs more than it saves on a small file, unless word2vec's
    # kernel (numba too) will train on it: a token takes 8 bytes or less
    small = path.stat().st_size * epochs < 8 * KERNEL_MIN_TOKENS_X_EPOCHS
    try:
        return (_plain_ids if small else _numba_ids)(path, corpus), path
    except NotATokenFile:
        return None


def _plain_ids(path, corpus):
    from . import _w2v
    from .tokenfile import iter_checked_blocks

    blocks = iter_checked_blocks(path, corpus.tokenizer_name, corpus.lowercase)
    return _w2v.ids_from_byte_blocks(blocks)


def _numba_ids(path, corpus):
    from . import _w2v
    from .tokenfile import Interner, iter_token_blocks

    interner = Interner()
    blocks = iter_token_blocks(corpus, interner)
    return _w2v.ids_from_blocks(blocks, interner, path.stat().st_size)


def _count_plain(path, corpus):
    ids = _plain_ids(path, corpus)
    return ids.word_counts(), ids.n_tokens, ids.n_sentences


def _count_with_numba(path, corpus):
    ids = _numba_ids(path, corpus)
    return ids.word_counts(), ids.n_tokens, ids.n_sentences


def _fit_ids_in_gensim(ids, path, source, params):
    """gensim's own corpus_file training, on the file the ids came from or on a
    temporary one written from them."""
    from gensim.models import Word2Vec

    counts, n_tokens, n_sentences = ids.word_counts(), ids.n_tokens, ids.n_sentences
    if path is not None:
        return _fit(Word2Vec, path, counts, n_tokens, n_sentences, source, params)
    with tempfile.TemporaryDirectory(prefix="nlpkit-vectors-") as tmp:
        path = os.path.join(tmp, "corpus.txt")
        write_token_file(ids.token_lists(), path)
        return _fit(Word2Vec, path, counts, n_tokens, n_sentences, source, params)


def _gensim_train(cls, corpus, *, source: str, **params):
    if isinstance(corpus, list):
        # token lists already in memory: gensim's own path for them, no file
        model = _fit_sentences(cls, corpus, source, params)
        return model, int(model.corpus_total_words)
    direct = _count_token_file(corpus, params["epochs"])
    if direct is not None:
        path, counts, n_tokens, n_sentences = direct
        model = _fit(cls, path, counts, n_tokens, n_sentences, source, params)
        return model, n_tokens
    with tempfile.TemporaryDirectory(prefix="nlpkit-vectors-") as tmp:
        path = os.path.join(tmp, "corpus.txt")
        counts, n_tokens, n_sentences = _write_and_count(corpus, path)
        model = _fit(cls, path, counts, n_tokens, n_sentences, source, params)
    return model, n_tokens


def _fit_sentences(cls, sentences, source, params):
    # what cls(sentences=sentences, **params) does, with nlpkit's errors
    model = _new_model(cls, params)
    with _vocabulary_errors(source, params):
        model.build_vocab(sentences)
        if model.corpus_total_words == 0:
            raise ValueError(Errors.E101.format(source=source))
        logger.info("training %s on %d tokens", cls.__name__, model.corpus_total_words)
        model.train(
            sentences, total_examples=model.corpus_count,
            total_words=model.corpus_total_words, epochs=model.epochs,
            start_alpha=model.alpha, end_alpha=model.min_alpha,
            compute_loss=model.compute_loss,
        )  # fmt: skip
    return model


def _fit(cls, path, counts, n_tokens, n_sentences, source, params):
    # what cls(corpus_file=path, **params) does, with the vocabulary scan replaced
    # by the counts already made (same words, counts and first-seen order)
    if n_tokens == 0:
        raise ValueError(Errors.E101.format(source=source))
    logger.info("training %s on %d tokens", cls.__name__, n_tokens)
    model = _new_model(cls, params)
    with _vocabulary_errors(source, params):
        model.build_vocab_from_freq(counts, corpus_count=n_sentences)
        model.corpus_total_words = n_tokens
        model.train(
            corpus_file=str(path), total_examples=n_sentences, total_words=n_tokens,
            epochs=model.epochs, start_alpha=model.alpha, end_alpha=model.min_alpha,
            compute_loss=model.compute_loss,
        )  # fmt: skip
    return model


def _new_model(cls, params):
    model = cls(**params)
    if hasattr(model.wv, "vectors_ngrams"):
        from ._subwords import lean_fasttext

        lean_fasttext(model)  # same vectors, without filling 2M unused buckets
    return model


@contextmanager
def _vocabulary_errors(source: str, params: dict):
    """gensim's "you must first build vocabulary" (no word left) as E102."""
    try:
        yield
    except RuntimeError as err:
        if "vocabulary" not in str(err):
            raise
        logger.debug("gensim: %s", err)
        raise ValueError(
            Errors.E102.format(
                source=source, min_count=params.get("min_count"), top="too few"
            )
        ) from None


def _common(dim, window, min_count, epochs, threads, seed, negative, sample, max_size):
    for what, value in (
        ("dim", dim),
        ("window", window),
        ("epochs", epochs),
        ("threads", threads),
        ("negative", negative),
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
    subwords: dict | None = None,
    **corpus_options,
) -> WordVectors:
    """Train word2vec with negative sampling (skip-gram, or CBOW with sg=False).

    corpus: a TokenCorpus, token lists, texts or input paths.
    subwords (dict | None): gensim FastText's min_n, max_n and bucket: train
        fastText instead (as train_fasttext does).
    RETURNS (WordVectors): with meta holding the settings and the token count.
    """
    from gensim.models import FastText

    corpus = as_token_corpus(corpus, **corpus_options)
    source = getattr(corpus, "source", "<corpus>")
    params = _common(
        dim, window, min_count, epochs, threads, seed, negative, sample, max_size
    )
    if subwords is None:
        model, n_tokens = _word2vec_train(corpus, source=source, sg=int(sg), **params)
    else:
        model, n_tokens = _gensim_train(
            FastText, corpus, source=source, sg=int(sg), hs=0, **subwords, **params
        )
    if len(model.wv) == 0:
        raise ValueError(
            Errors.E102.format(source=source, min_count=min_count, top="fewer")
        )
    algorithm = "fasttext" if subwords is not None else ("skipgram" if sg else "cbow")
    meta = {"algorithm": algorithm, "n_tokens": n_tokens, **_jsonable(params)}
    return from_gensim(model.wv, meta=meta)


def train_fasttext(
    corpus, *, minn: int = 3, maxn: int = 6, bucket: int = 2_000_000, **options
) -> WordVectors:
    """Train fastText (subword) vectors; OOV words get vectors from their n-grams.

    minn / maxn: character n-gram lengths. bucket (int): n-gram hash buckets.
    options: as train_word2vec (sg, dim, window, min_count, max_size, epochs,
        threads, negative, sample, seed) and corpus options.
    RETURNS (WordVectors): with subword buckets (has_subwords True).
    """
    subwords = {"min_n": minn, "max_n": maxn, "bucket": bucket}
    return train_word2vec(corpus, subwords=subwords, **options)


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
