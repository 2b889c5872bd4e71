"""A cross-encoder as an evaluator of (question, answer) or (reference, candidate) pairs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .rerank import Reranker


class CrossEncoderJudge:
    """Scores how well the second text of each pair answers or matches the first.

    model (str | Path): a cross-encoder folder (e.g. one trained with `nlpkit rerank
        train`) or a name; options: as for Reranker (batch_size, max_length,
        device, backend).
    """

    def __init__(self, model: str | Path, **options: Any):
        self.reranker = Reranker(model, **options)

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """One score per pair, batched; RETURNS floats (in [0, 1] for a one-label model)."""
        return self.reranker.score_pairs(list(pairs)).tolist()

    def mean_score(self, pairs: Sequence[tuple[str, str]]) -> float:
        """The average score over pairs (0.0 for no pairs)."""
        scores = self.score(pairs)
        return sum(scores) / len(scores) if scores else 0.0
