"""A fast path for corpora that are already plain token files.

When a TokenCorpus reads one plain-text file whose lines are already the tokens its
tokenizer would produce (lowercased, separated by spaces), the file is read in large
byte blocks and its tokens are split, interned and counted in one numba pass, instead
of tokenizing line by line in Python. Anything else returns None and the caller
takes the general path, so the tokens are always the same. numba is imported only
when a file is interned: loading it costs about half a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .corpus import TokenCorpus

BLOCK_BYTES = 1 << 23
COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".zip")
_ASCII_WORD = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
_ASCII_OK = {
    "simple": _ASCII_WORD + b" \t\n'-",
    "whitespace": bytes(b for b in range(33, 128)) + b" \t\n",
}
# a character the simple tokenizer drops or splits at, or a lone ' ’ -
_NOT_SIMPLE = re.compile(r"[^\w \t\n'’\-]|(?<!\w)['’\-]|['’\-](?!\w)")
_ODD_SPACE = re.compile(r"[^\S \t\n]")
_IS_WORD = np.zeros(256, dtype=bool)
_IS_WORD[list(_ASCII_WORD)] = True


def _inner_punct_ok(buf: np.ndarray) -> bool:
    """Whether every ' and - of ASCII text has a word character on both sides."""
    at = np.flatnonzero((buf == ord("'")) | (buf == ord("-")))
    if at[0] == 0 or at[-1] == len(buf) - 1:
        return False
    return bool(_IS_WORD[buf[at - 1]].all() and _IS_WORD[buf[at + 1]].all())


def direct_path(corpus) -> Path | None:
    """The corpus's one input file if it may be a token file; None otherwise."""
    if not isinstance(corpus, TokenCorpus) or corpus.texts is not None:
        return None
    tokenizer = getattr(corpus, "tokenizer_name", None)
    if tokenizer not in _ASCII_OK or corpus.min_length != 1:
        return None
    # a line record is its own document; sentence splits need . ! ? (never simple)
    if corpus.context == "sentence" and tokenizer != "simple":
        return None
    if corpus.read_options not in ({}, {"mode": "line"}):
        return None
    inputs = corpus.inputs
    if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
        inputs = inputs[0]
    if not isinstance(inputs, (str, Path)):
        return None
    path = Path(inputs)
    if not path.is_file() or path.suffix.lower() in COMPRESSED:
        return None
    fmt = corpus.format
    if fmt is None:
        from ..errors import CorpusError
        from ..io import detect_format

        try:
            fmt = detect_format(path)
        except CorpusError:
            fmt = "txt"
    return path if fmt == "txt" else None


def _block_ok(data: bytes, tokenizer: str, lowercase: bool, first: bool) -> bool:
    """Whether splitting these bytes at spaces gives the corpus's tokens."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return False
    data = data.replace(b"\r\n", b"\n")
    if data.isascii():
        if data.translate(None, _ASCII_OK[tokenizer]):
            return False
        if lowercase and data.lower() != data:
            return False
        if tokenizer == "simple" and (b"'" in data or b"-" in data):
            return _inner_punct_ok(np.frombuffer(data, dtype=np.uint8))
        return True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if first and text.startswith("\ufeff"):
        return False
    if lowercase and text.lower() != text:
        return False
    odd = _NOT_SIMPLE if tokenizer == "simple" else _ODD_SPACE
    return odd.search(text) is None


class NotATokenFile(Exception):
    """Raised mid-stream when a block of the file is not plain tokens."""


class Interner:
    """Token ids in order of first occurrence, with counts, grown as needed."""

    def __init__(self, capacity: int = 1 << 16):
        self.slots = np.full(capacity, -1, dtype=np.int64)
        self.word_hash = np.zeros(capacity // 2, dtype=np.uint64)
        self.word_off = np.zeros(capacity // 2, dtype=np.int64)
        self.word_len = np.zeros(capacity // 2, dtype=np.int64)
        self.counts = np.zeros(capacity // 2, dtype=np.int64)
        self.arena = np.zeros(capacity * 8, dtype=np.uint8)
        self.n_words = 0
        self.arena_used = 0

    def add(self, buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Intern the tokens of whole lines; RETURNS (ids, tokens per non-empty line)."""
        from . import _kernels as K  # numba: loaded only when a file is interned

        ids = np.empty(len(buf) // 2 + 1, dtype=np.int64)
        lengths = np.empty(int(np.count_nonzero(buf == 10)) + 1, dtype=np.int64)
        state = (0, 0, 0, 0)  # pos, n_ids, n_lines, cur
        while True:
            pos, n_ids, n_lines, cur = state
            status, pos, self.n_words, self.arena_used, n_ids, n_lines, cur = (
                K.intern_tokens(
                    buf, self.slots, self.word_hash, self.word_off, self.word_len,
                    self.counts, self.arena, self.n_words, self.arena_used,
                    ids, n_ids, lengths, n_lines, cur, pos,
                )
            )  # fmt: skip
            state = (pos, n_ids, n_lines, cur)
            if status == 0:
                break
            self._grow(int(len(buf) - pos))
        if cur:
            lengths[n_lines] = cur
            n_lines += 1
        return ids[:n_ids], lengths[:n_lines]

    def _grow(self, need_bytes: int) -> None:
        from . import _kernels as K

        if self.n_words + 1 > (len(self.slots) * 6) // 10:
            self.slots = K.rehash_words(
                self.word_hash, self.n_words, 2 * len(self.slots)
            )
        if self.n_words == len(self.word_off):
            size = 2 * len(self.word_off)
            for name in ("word_hash", "word_off", "word_len", "counts"):
                old = getattr(self, name)
                new = np.zeros(size, dtype=old.dtype)
                new[: len(old)] = old
                setattr(self, name, new)
        if self.arena_used + min(need_bytes, 1 << 20) > len(self.arena):
            new = np.zeros(2 * len(self.arena) + min(need_bytes, 1 << 20), np.uint8)
            new[: self.arena_used] = self.arena[: self.arena_used]
            self.arena = new

    def words(self, start: int = 0) -> list[str]:
        """The interned words, in id order, from id `start` on."""
        arena = self.arena[: self.arena_used].tobytes()
        offs = self.word_off[start : self.n_words].tolist()
        lens = self.word_len[start : self.n_words].tolist()
        return [arena[o : o + n].decode("utf-8") for o, n in zip(offs, lens)]

    def word_counts(self) -> np.ndarray:
        return self.counts[: self.n_words]


def iter_token_blocks(
    corpus, interner: Interner, block_bytes: int = BLOCK_BYTES
) -> Iterator[tuple[np.ndarray, np.ndarray]] | None:
    """(ids, line lengths) per block of a token-file corpus, or None if the corpus is
    not one. A block that turns out not to be a token file raises NotATokenFile."""
    path = direct_path(corpus)
    if path is None:
        return None
    return _blocks(path, corpus.tokenizer_name, corpus.lowercase, interner, block_bytes)


def _blocks(path, tokenizer, lowercase, interner, block_bytes):
    for block in iter_checked_blocks(path, tokenizer, lowercase, block_bytes):
        yield interner.add(np.frombuffer(block, dtype=np.uint8))


def iter_checked_blocks(
    path: Path, tokenizer: str, lowercase: bool, block_bytes: int = BLOCK_BYTES
) -> Iterator[bytes]:
    """The file in blocks of whole lines; a block that is not plain tokens for this
    tokenizer raises NotATokenFile."""
    rest = b""
    first = True
    with open(path, "rb") as f:
        while True:
            data = f.read(block_bytes)
            if not data:
                block, rest = rest, b""
            else:
                data = rest + data
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    rest = data
                    continue
                block, rest = data[:cut], data[cut:]
            if not block:
                return
            if not _block_ok(block, tokenizer, lowercase, first):
                raise NotATokenFile(str(path))
            first = False
            yield block
