"""Counting a token file for gensim: the plain-Python count (small files, no numba to
load) and the numba interner give the same words, order, counts and sentences."""

import pytest

from nlpkit.vectors.corpus import TokenCorpus
from nlpkit.vectors.tokenfile import NotATokenFile
from nlpkit.vectors.train import (
    MAX_SENTENCE_LEN,
    _count_plain,
    _count_token_file,
    _count_with_numba,
)


def test_plain_and_numba_counts_are_the_same(tmp_path):
    long_line = " ".join(f"t{i % 7}" for i in range(2 * MAX_SENTENCE_LEN + 3))
    text = (
        "the cat sat\r\n\r\n  the\tdog  é naïve\r\n"
        f"{long_line}\r\n   \r\ncat the end"  # no final newline
    )
    path = tmp_path / "tokens.txt"
    path.write_bytes(text.encode("utf-8"))
    corpus = TokenCorpus(path, tokenizer="whitespace")
    plain = _count_plain(path, corpus)
    numba = _count_with_numba(path, corpus)
    assert list(plain[0].items()) == list(numba[0].items())
    assert plain[1:] == numba[1:]
    counts, n_tokens, n_sentences = plain
    assert list(counts)[:4] == ["the", "cat", "sat", "dog"]
    assert counts["the"] == 3 and counts["naïve"] == 1
    assert n_tokens == 3 + 4 + (2 * MAX_SENTENCE_LEN + 3) + 3
    # the long line is cut into 3 sentences, as gensim's LineSentence does
    assert n_sentences == 1 + 1 + 3 + 1
    assert _count_token_file(corpus) == (path, counts, n_tokens, n_sentences)


def test_a_file_that_is_not_plain_tokens_is_not_counted(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("The Cat sat.\n", encoding="utf-8")
    corpus = TokenCorpus(path)  # simple tokenizer, lowercased: not this file's tokens
    for count in (_count_plain, _count_with_numba):
        with pytest.raises(NotATokenFile):
            count(path, corpus)
    assert _count_token_file(corpus) is None
