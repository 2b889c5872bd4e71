"""A frequency-sorted vocabulary with min_count and max_size."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import Errors


class Vocabulary:
    """Words sorted by descending frequency (ties by first occurrence), with counts."""

    def __init__(self, words: list[str], counts: Iterable[int]):
        self.words = list(words)
        self.counts = np.asarray(list(counts), dtype=np.int64)
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> int:
        return self.index[word]

    @classmethod
    def build(
        cls,
        corpus: Iterable[list[str]],
        *,
        min_count: int = 1,
        max_size: int | None = None,
        source: str = "<corpus>",
    ) -> Vocabulary:
        """Count the words of a token stream and keep the frequent ones.

        corpus (Iterable[list[str]]): token lists.
        min_count (int): drop words seen fewer times.
        max_size (int | None): keep at most this many of the most frequent words.
        RETURNS (Vocabulary): raises E101 for an empty corpus, E102 if no word is left.
        """
        counter: Counter = Counter()
        for tokens in corpus:
            counter.update(tokens)
        return cls.from_counter(
            counter, min_count=min_count, max_size=max_size, source=source
        )

    @classmethod
    def from_counter(
        cls,
        counter: Counter,
        *,
        min_count: int = 1,
        max_size: int | None = None,
        source: str = "<corpus>",
    ) -> Vocabulary:
        if min_count < 1:
            raise ValueError(
                Errors.E108.format(what="min_count", rule=">= 1", value=min_count)
            )
        if not counter:
            raise ValueError(Errors.E101.format(source=source))
        items = sorted(
            (kv for kv in counter.items() if kv[1] >= min_count),
            key=lambda kv: -kv[1],
        )
        if not items:
            top = max(counter.values())
            raise ValueError(
                Errors.E102.format(source=source, min_count=min_count, top=top)
            )
        if max_size is not None:
            items = items[:max_size]
        return cls([w for w, _ in items], [c for _, c in items])

    @classmethod
    def from_counts(
        cls,
        words: list[str],
        counts: np.ndarray,
        *,
        min_count: int = 1,
        max_size: int | None = None,
        source: str = "<corpus>",
    ) -> tuple[Vocabulary, np.ndarray]:
        """from_counter for distinct words in first-seen order and their counts.

        RETURNS (tuple[Vocabulary, ndarray]): the vocabulary (the same as
            from_counter's) and the new id of each given word (int32, -1: dropped).
        """
        if min_count < 1:
            raise ValueError(
                Errors.E108.format(what="min_count", rule=">= 1", value=min_count)
            )
        counts = np.asarray(counts, dtype=np.int64)
        if len(counts) == 0:
            raise ValueError(Errors.E101.format(source=source))
        order = np.argsort(-counts, kind="stable")  # ties stay in first-seen order
        order = order[counts[order] >= min_count][:max_size]
        if len(order) == 0:
            raise ValueError(
                Errors.E102.format(
                    source=source, min_count=min_count, top=int(counts.max())
                )
            )
        new_id = np.full(len(counts), -1, dtype=np.int32)
        new_id[order] = np.arange(len(order), dtype=np.int32)
        return cls([words[i] for i in order.tolist()], counts[order]), new_id

    def encode(self, tokens: list[str]) -> np.ndarray:
        """Token ids as int32, -1 for words outside the vocabulary."""
        get = self.index.get
        return np.fromiter((get(t, -1) for t in tokens), np.int32, len(tokens))

    def to_disk(self, path: str | Path) -> None:
        data = {"words": self.words, "counts": self.counts.tolist()}
        Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: str | Path) -> Vocabulary:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["words"], data["counts"])


def saved_folder(path: str | Path, main_file: str) -> Path:
    """The folder of a saved object, checked to hold its main file."""
    path = Path(path)
    if not (path / main_file).exists():
        raise FileNotFoundError(Errors.E001.format(path=path / main_file))
    return path
