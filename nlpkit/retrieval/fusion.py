"""Hybrid retrieval: reciprocal rank fusion and score-normalized linear fusion."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors
from .base import DEFAULT_K, BaseIndex, index_kinds, load_index
from .hit import Hit
from .store import check_k, prepare_dir, read_meta, write_meta

FUSION_METHODS = ("rrf", "linear")
NORMALIZATIONS = ("minmax", "zscore")


def _weights(
    weights: Sequence[float] | None, n: int, names: Sequence[str]
) -> list[float]:
    if weights is None:
        return [1.0] * n
    weights = [float(w) for w in weights]
    if len(weights) != n:
        raise ValueError(Errors.E308.format(weights=weights, n=n, names=list(names)))
    if any(not np.isfinite(w) or w < 0 for w in weights):
        raise ValueError(
            Errors.E025.format(
                name="fusion weights", rule="finite and >= 0", value=weights
            )
        )
    return weights


def check_fusion(
    method: str,
    weights: Sequence[float] | None,
    names: Sequence[str],
    rrf_k: float = 60.0,
    normalization: str = "minmax",
) -> list[float]:
    """Check hybrid fusion settings; RETURNS the weights, one per named retriever."""
    for what, value, known in (
        ("fusion method", method, FUSION_METHODS),
        ("normalization", normalization, NORMALIZATIONS),
    ):
        if value not in known:
            raise ValueError(Errors.E307.format(what=what, value=value, known=known))
    if not rrf_k > 0:
        raise ValueError(Errors.E025.format(name="rrf_k", rule="> 0", value=rrf_k))
    return _weights(weights, len(names), names)


def _merge(
    rankings: Sequence[Sequence[Hit]], fused: dict[str, float], names
) -> list[Hit]:
    first: dict[str, Hit] = {}
    detail: dict[str, dict[str, Any]] = {}
    for name, ranking in zip(names, rankings):
        for rank, hit in enumerate(ranking, 1):
            first.setdefault(hit.id, hit)
            detail.setdefault(hit.id, {})[name] = {"rank": rank, "score": hit.score}
    order = sorted(fused, key=lambda i: (-fused[i], i))
    out = []
    for doc_id in order:
        hit = first[doc_id]
        meta = {**hit.meta, "fusion": detail[doc_id]}
        out.append(Hit(doc_id, float(fused[doc_id]), hit.text, meta))
    return out


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Hit]],
    *,
    k: float = 60.0,
    weights: Sequence[float] | None = None,
    names: Sequence[str] | None = None,
) -> list[Hit]:
    """Fuse rankings by sum of weight / (k + rank) (Cormack et al. 2009).

    rankings (list[list[Hit]]): one ranking per retriever, best first.
    k (float): the RRF constant; larger flattens the advantage of top ranks.
    weights (list[float] | None): one weight per ranking (default all 1).
    RETURNS (list[Hit]): all documents seen, by fused score; meta["fusion"] keeps
        each ranker's rank and score.
    """
    if k < 0:
        raise ValueError(Errors.E025.format(name="RRF k", rule=">= 0", value=k))
    names = list(names or [str(i) for i in range(len(rankings))])
    weights = _weights(weights, len(rankings), names)
    fused: dict[str, float] = {}
    for weight, ranking in zip(weights, rankings):
        for rank, hit in enumerate(ranking, 1):
            fused[hit.id] = fused.get(hit.id, 0.0) + weight / (k + rank)
    return _merge(rankings, fused, names)


def normalize_scores(scores: np.ndarray, method: str = "minmax") -> np.ndarray:
    """Scores mapped to a common scale: min-max to [0, 1], or z-scores."""
    if method not in NORMALIZATIONS:
        raise ValueError(
            Errors.E307.format(what="normalization", value=method, known=NORMALIZATIONS)
        )
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    if method == "minmax":
        span = scores.max() - scores.min()
        return (scores - scores.min()) / span if span > 0 else np.ones_like(scores)
    std = scores.std()
    return (scores - scores.mean()) / std if std > 0 else np.zeros_like(scores)


def linear_fusion(
    rankings: Sequence[Sequence[Hit]],
    *,
    weights: Sequence[float] | None = None,
    normalization: str = "minmax",
    names: Sequence[str] | None = None,
) -> list[Hit]:
    """Fuse rankings by a weighted sum of per-ranking normalized scores.

    A document missing from a ranking gets that ranking's lowest normalized score
    (0 for min-max), as it scored no better than the last document returned.
    RETURNS (list[Hit]): all documents seen, by fused score.
    """
    names = list(names or [str(i) for i in range(len(rankings))])
    weights = _weights(weights, len(rankings), names)
    fused: dict[str, float] = {}
    all_ids = {hit.id for ranking in rankings for hit in ranking}
    for weight, ranking in zip(weights, rankings):
        norm = normalize_scores(np.array([h.score for h in ranking]), normalization)
        floor = float(norm.min()) if norm.size else 0.0
        given = {hit.id: float(s) for hit, s in zip(ranking, norm)}
        for doc_id in all_ids:
            fused[doc_id] = fused.get(doc_id, 0.0) + weight * given.get(doc_id, floor)
    return _merge(rankings, fused, names)


@index_kinds.register("hybrid")
class HybridIndex(BaseIndex):
    """Several retrievers (e.g. BM25 and dense) searched together and fused.

    retrievers (dict[str, retriever]): name -> anything with search_batch.
    method (str): "rrf" or "linear".
    weights (list[float] | None): one per retriever, in dict order.
    rrf_k (float): RRF constant; depth (int): hits taken from each retriever.
    """

    kind = "hybrid"

    def __init__(
        self,
        retrievers: dict[str, Any],
        *,
        method: str = "rrf",
        weights: Sequence[float] | None = None,
        rrf_k: float = 60.0,
        depth: int = 100,
        normalization: str = "minmax",
    ):
        self.retrievers = dict(retrievers)
        self.weights = check_fusion(
            method, weights, list(self.retrievers), rrf_k, normalization
        )
        self.method = method
        self.rrf_k = rrf_k
        self.depth = check_k(depth)
        self.normalization = normalization

    @property
    def modes(self) -> list[str]:
        return [*self.retrievers, "hybrid"]

    def fuse(self, rankings: Sequence[Sequence[Hit]]) -> list[Hit]:
        names = list(self.retrievers)
        if self.method == "rrf":
            return reciprocal_rank_fusion(
                rankings, k=self.rrf_k, weights=self.weights, names=names
            )
        return linear_fusion(
            rankings,
            weights=self.weights,
            normalization=self.normalization,
            names=names,
        )

    def search_batch(
        self, queries: Sequence[str], k: int = DEFAULT_K
    ) -> list[list[Hit]]:
        """Search every retriever for all queries, then fuse per query."""
        check_k(k)
        depth = max(self.depth, k)
        per_retriever = [
            r.search_batch(queries, depth) for r in self.retrievers.values()
        ]
        return [self.fuse(rankings)[:k] for rankings in zip(*per_retriever)]

    @property
    def docs(self):
        return next(iter(self.retrievers.values())).docs

    def save(self, path: str | Path) -> Path:
        """Save each retriever to a subfolder and the fusion settings as JSON."""
        path = prepare_dir(path)
        for name, retriever in self.retrievers.items():
            retriever.save(path / name)
        write_meta(
            path,
            self.kind,
            retrievers=list(self.retrievers),
            method=self.method,
            weights=self.weights,
            rrf_k=self.rrf_k,
            depth=self.depth,
            normalization=self.normalization,
        )
        return path

    @classmethod
    def load(cls, path: str | Path, **options: Any) -> HybridIndex:
        """Open a saved hybrid index (each part checked as it is opened)."""
        path = Path(path)
        meta = read_meta(path, cls.kind)
        retrievers = {
            name: load_index(path / name, **options) for name in meta["retrievers"]
        }
        return cls(
            retrievers,
            method=meta["method"],
            weights=meta["weights"],
            rrf_k=meta["rrf_k"],
            depth=meta["depth"],
            normalization=meta.get("normalization", "minmax"),
        )
