"""Cross-encoder reranking over many queries at once, without spaCy."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, Warnings
from .base import DEFAULT_DEPTH, DEFAULT_K, BaseRetriever, as_retriever
from .hit import Hit
from .models import hub_error, pick_device, resolve_model
from .store import check_k, check_query

logger = logging.getLogger("nlpkit")
BACKENDS = ("torch", "int8")
Candidate = str | Hit


def load_cross_encoder(
    model: str | Path,
    *,
    device: str | None = None,
    max_length: int | None = None,
    num_labels: int | None = None,
):
    """A sentence-transformers CrossEncoder from a name or a local folder.

    RETURNS (CrossEncoder): the model, on device, in eval mode.
    """
    from sentence_transformers import CrossEncoder

    path = resolve_model(model)
    try:
        ce = CrossEncoder(
            path,
            device=pick_device(device),
            num_labels=num_labels,
            max_length=max_length,
        )
    except (OSError, ValueError) as err:
        raise hub_error(str(model), err) from None
    ce.eval()
    return ce


def quantize_int8(ce):
    """Dynamic int8 quantization of the Linear layers (CPU inference only)."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*")
        return torch.ao.quantization.quantize_dynamic(
            ce, {torch.nn.Linear}, dtype=torch.qint8
        )


class Reranker:
    """Scores (query, passage) pairs with a cross-encoder and reorders candidates.

    model (str | Path): a local model folder (e.g. from `nlpkit rerank train`), or a
        name; an unknown path raises at once, the weights load on first use.
    batch_size (int): pairs per forward pass; pairs of all queries are batched
        together, longest first, so batches are full and little padding is spent.
    max_length (int | None): token limit for a pair; None takes the model's own.
        Longer pairs are truncated (with one warning).
    device (str | None): None picks the GPU when there is one.
    backend (str): "torch", or "int8" (dynamic int8 quantization, CPU).
    """

    def __init__(
        self,
        model: str | Path,
        *,
        batch_size: int = 32,
        max_length: int | None = None,
        device: str | None = None,
        backend: str = "torch",
    ):
        if backend not in BACKENDS:
            raise ValueError(
                Errors.E307.format(what="backend", value=backend, known=BACKENDS)
            )
        if batch_size < 1:
            raise ValueError(
                Errors.E025.format(
                    name="batch_size", rule="an integer >= 1", value=batch_size
                )
            )
        self.name = str(model)
        self.path = resolve_model(model)
        self.batch_size = batch_size
        self._max_length = max_length
        self.device = device
        self.backend = backend
        self._model = None
        self._warned = False

    @property
    def model(self):
        """The CrossEncoder, loaded on first use."""
        if self._model is None:
            ce = load_cross_encoder(self.path, device=self.device)
            if self._max_length:
                ce.max_seq_length = self._max_length
            if self.backend == "int8":
                ce = quantize_int8(ce.to("cpu"))
            self._model = ce
        return self._model

    @property
    def max_length(self) -> int:
        return int(self._max_length or self.model.max_seq_length)

    def _check_lengths(self, pairs: Sequence[tuple[str, str]]) -> None:
        # A WordPiece token covers at least one character, so only pairs with more
        # characters than the limit can be too long: tokenize just those.
        if self._warned:
            return
        limit = self.max_length
        long = [p for p in pairs if len(p[0]) + len(p[1]) + 3 > limit]
        if not long:
            return
        tokenizer = self.model.tokenizer
        for query, text in long:
            n = len(
                tokenizer(query, text, truncation=False, verbose=False)["input_ids"]
            )
            if n > limit:
                warnings.warn(
                    Warnings.W302.format(n_tokens=n, max_length=limit),
                    UserWarning,
                    stacklevel=3,
                )
                self._warned = True
                return

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Cross-encoder scores of (query, passage) pairs, in one batched pass.

        RETURNS (np.ndarray): float32 scores aligned with pairs (in [0, 1] for a
            one-label model with its default sigmoid).
        """
        pairs = [(str(q), str(t)) for q, t in pairs]
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        self._check_lengths(pairs)
        scores = self.model.predict(
            pairs,
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(scores, dtype=np.float32).reshape(len(pairs))

    def predict(
        self,
        sentences: Sequence[Sequence[str]],
        batch_size: int | None = None,
        show_progress_bar: bool = False,
        convert_to_numpy: bool = True,
    ):
        """Scores of (query, passage) pairs, as sentence-transformers' CrossEncoder.

        sentences: a list of pairs, or one pair (then RETURNS one float).
        RETURNS (np.ndarray | float): float32 scores aligned with the pairs.
        """
        single = len(sentences) == 2 and all(isinstance(x, str) for x in sentences)
        if batch_size and batch_size != self.batch_size:
            saved, self.batch_size = self.batch_size, batch_size
            try:
                scores = self.score_pairs([sentences] if single else sentences)
            finally:
                self.batch_size = saved
        else:
            scores = self.score_pairs([sentences] if single else sentences)
        if single:
            return float(scores[0])
        if not convert_to_numpy:
            import torch

            return torch.from_numpy(scores)
        return scores

    def rank(
        self,
        query: str,
        documents: Sequence[str],
        top_k: int | None = None,
        return_documents: bool = False,
        batch_size: int | None = None,
        show_progress_bar: bool = False,
    ) -> list[dict]:
        """Documents ranked for a query, as sentence-transformers' CrossEncoder.rank.

        RETURNS (list[dict]): {"corpus_id", "score"} (and "text" with
            return_documents), best first, top_k of them (all when None).
        """
        scores = self.predict([(query, d) for d in documents], batch_size=batch_size)
        order = np.argsort(-scores, kind="stable")[:top_k]
        ranked = []
        for i in order.tolist():
            item = {"corpus_id": i, "score": float(scores[i])}
            if return_documents:
                item["text"] = documents[i]
            ranked.append(item)
        return ranked

    def rerank(
        self,
        query: str,
        candidates: Sequence[Candidate],
        top_k: int | None = None,
        *,
        threshold: float | None = None,
    ) -> list[Hit]:
        """Reorder one query's candidates by cross-encoder score.

        candidates (list[str | Hit]): passages; strings get their position as id.
        top_k (int | None): keep the best k; threshold (float | None): drop lower scores.
        RETURNS (list[Hit]): best first; meta keeps the first-stage rank and score.
        """
        return self.rerank_batch([query], [candidates], top_k, threshold=threshold)[0]

    def rerank_batch(
        self,
        queries: Sequence[str],
        candidates: Sequence[Sequence[Candidate]],
        top_k: int | None = None,
        *,
        threshold: float | None = None,
    ) -> list[list[Hit]]:
        """Rerank many queries' candidates with one flat batch of all pairs.

        RETURNS (list[list[Hit]]): one reranked list per query.
        """
        if len(queries) != len(candidates):
            raise ValueError(
                Errors.E025.format(
                    name="candidates",
                    rule=f"one list per query ({len(queries)} queries)",
                    value=f"{len(candidates)} lists",
                )
            )
        if top_k is not None:
            check_k(top_k)
        hits_per_query: list[list[Hit]] = []
        pairs: list[tuple[str, str]] = []
        for i, (query, cands) in enumerate(zip(queries, candidates)):
            check_query(query, f" (query {i})")
            if not cands:
                raise ValueError(Errors.E302.format(query=query))
            hits = [as_hit(c, j) for j, c in enumerate(cands)]
            hits_per_query.append(hits)
            pairs.extend((query, h.text or "") for h in hits)
        scores = self.score_pairs(pairs).tolist()
        out, pos = [], 0
        for hits in hits_per_query:
            ranked = []
            for rank, hit in enumerate(hits, 1):
                score = scores[pos]
                pos += 1
                meta = {
                    **hit.meta,
                    "first_stage_rank": rank,
                    "first_stage_score": hit.score,
                }
                ranked.append(Hit(hit.id, float(score), hit.text, meta))
            ranked.sort(key=lambda h: -h.score)
            if threshold is not None:
                ranked = [h for h in ranked if h.score >= threshold]
            out.append(ranked[:top_k] if top_k else ranked)
        return out


def as_hit(candidate: Any, position: int) -> Hit:
    """A candidate (Hit, dict, str, or an object with id/text/score) as a Hit."""
    if not isinstance(candidate, (Hit, dict, str)) and hasattr(candidate, "text"):
        candidate = Hit(
            str(getattr(candidate, "id", position)),
            float(getattr(candidate, "score", 0.0) or 0.0),
            candidate.text,
            dict(getattr(candidate, "meta", None) or {}),
        )
    if isinstance(candidate, Hit):
        if candidate.text is None:
            raise ValueError(
                Errors.E025.format(
                    name=f"candidate {candidate.id!r}",
                    rule="a Hit with text",
                    value=None,
                )
            )
        return candidate
    if isinstance(candidate, dict):
        return Hit.from_dict({"score": 0.0, **candidate})
    return Hit(str(position), 0.0, str(candidate), {})


class RerankedRetriever(BaseRetriever):
    """A first-stage retriever followed by a cross-encoder over its top `depth` hits.

    The one composition of search and rerank: `nlpkit search --rerank`, the
    nlpkit_reranker component (candidates = "index") and the RAG task all use it,
    from config as nlpkit.RerankedRetriever.v1.

    retriever (Retriever): an index or anything with search_batch (or search);
    reranker (Reranker): nlpkit's cross-encoder, or anything with rerank(query,
    candidates, top_k); depth (int): hits reranked per query. When k > depth, the
    first stage's hits below depth follow the reranked ones in their own order (so
    Recall@k is that of the first stage).
    weight (float): the cross-encoder's share of the final score. 1.0 orders by the
    cross-encoder alone; below 1, min-max normalized cross-encoder and first-stage
    scores are summed with weights (weight, 1 - weight), which keeps what the
    first stage knows when the reranker is trained on little data.
    """

    def __init__(
        self,
        retriever: Any,
        reranker: Reranker,
        *,
        depth: int = DEFAULT_DEPTH,
        weight: float = 1.0,
    ):
        if not 0.0 <= weight <= 1.0:
            raise ValueError(
                Errors.E025.format(name="rerank weight", rule="in [0, 1]", value=weight)
            )
        self.retriever = as_retriever(retriever)
        self.reranker = reranker
        self.depth = check_k(depth, "depth")
        self.weight = float(weight)

    @property
    def docs(self):
        return self.retriever.docs

    def doc_ids(self) -> list[str] | None:
        """The ids of every document the first stage holds (None if it cannot tell)."""
        inner = self.retriever
        if hasattr(inner, "doc_ids"):
            return list(inner.doc_ids())
        docs = getattr(inner, "docs", None)
        return None if docs is None else [d.id for d in docs]

    def search_batch(
        self, queries: Sequence[str], k: int = DEFAULT_K
    ) -> list[list[Hit]]:
        """First-stage search, then one batched rerank of all queries' candidates."""
        check_k(k)
        first = self.retriever.search_batch(queries, max(self.depth, k))
        first = [
            [h if isinstance(h, Hit) else as_hit(h, j) for j, h in enumerate(hits)]
            for hits in first
        ]
        out: list[list[Hit]] = [[] for _ in queries]
        todo = [i for i, hits in enumerate(first) if hits]
        if todo:
            reranked = self.rerank_batch(
                [queries[i] for i in todo], [first[i][: self.depth] for i in todo]
            )
            for i, hits in zip(todo, reranked):
                out[i] = self.combine(first[i], hits, k)
        return out

    def rerank_batch(self, queries, candidates) -> list[list[Hit]]:
        if hasattr(self.reranker, "rerank_batch"):
            return self.reranker.rerank_batch(queries, candidates)
        # a reranker with only rerank(query, candidates, top_k), one query at a time
        return [
            [as_hit(h, j) for j, h in enumerate(self.reranker.rerank(q, c, None))]
            for q, c in zip(queries, candidates)
        ]

    def combine(self, first: Sequence[Hit], reranked: Sequence[Hit], k: int):
        """One query's final top k from its first-stage and reranked hits."""
        hits = list(reranked)
        if self.weight < 1.0:
            hits = self.fuse(first[: self.depth], hits)
        floor = min(h.score for h in hits) if hits else 0.0
        tail = [
            Hit(h.id, floor - 1.0 - n, h.text, h.meta)
            for n, h in enumerate(first[self.depth :])
        ]
        return (hits + tail)[:k]

    def fuse(self, first: Sequence[Hit], reranked: Sequence[Hit]) -> list[Hit]:
        """Weighted sum of normalized first-stage and cross-encoder scores."""
        from .fusion import linear_fusion

        fused = linear_fusion(
            [first, reranked],
            weights=[1.0 - self.weight, self.weight],
            names=["first_stage", "cross_encoder"],
        )
        by_id = {h.id: h for h in reranked}
        return [
            Hit(h.id, h.score, h.text, {**by_id[h.id].meta, "fusion": h.meta["fusion"]})
            for h in fused
        ]
