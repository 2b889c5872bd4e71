"""Ranking metrics on graded relevance judgements: nDCG@k, MRR@k, Recall@k, MAP.

Conventions follow trec_eval: a document is relevant when its grade is > 0; nDCG uses
linear gain (grade / log2(rank + 1)) with the ideal ranking built from all judged
documents of the query; queries with no relevant document are left out and counted.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import Errors, Warnings

logger = logging.getLogger("nlpkit")
Qrels = Mapping[str, Mapping[str, int]]
DEFAULT_METRICS = ("ndcg@10", "mrr@10", "recall@100", "map")


def _ids(ranking: Iterable[Any]) -> list[str]:
    return [str(getattr(item, "id", item)) for item in ranking]


def dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranking: Sequence[Any], judged: Mapping[str, int], k: int) -> float:
    """nDCG@k of one ranking (ids or Hits) against one query's graded judgements."""
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    gains = [max(judged.get(doc_id, 0), 0) for doc_id in _ids(ranking)[:k]]
    return dcg(gains) / ideal


def mrr_at_k(ranking: Sequence[Any], judged: Mapping[str, int], k: int) -> float:
    """Reciprocal rank of the first relevant document in the top k (0 if none)."""
    for rank, doc_id in enumerate(_ids(ranking)[:k], 1):
        if judged.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranking: Sequence[Any], judged: Mapping[str, int], k: int) -> float:
    """Share of the query's relevant documents found in the top k."""
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(_ids(ranking)[:k])) / len(relevant)


def average_precision(ranking: Sequence[Any], judged: Mapping[str, int]) -> float:
    """Mean of the precision at each relevant document's rank, over all relevant."""
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for rank, doc_id in enumerate(_ids(ranking), 1):
        if doc_id in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def metric_value(name: str, ranking: Sequence[Any], judged: Mapping[str, int]) -> float:
    base, _, cutoff = name.lower().partition("@")
    if base == "map":
        return average_precision(ranking, judged)
    funcs = {"ndcg": ndcg_at_k, "mrr": mrr_at_k, "recall": recall_at_k}
    if base not in funcs or not cutoff.isdigit() or int(cutoff) < 1:
        raise ValueError(
            Errors.E307.format(
                what="metric", value=name, known="ndcg@K, mrr@K, recall@K, map"
            )
        )
    return funcs[base](ranking, judged, int(cutoff))


@dataclass
class IREvaluation:
    """Mean metrics over queries, per-query values, and what could not be judged."""

    metrics: dict[str, float]
    per_query: dict[str, dict[str, float]]
    n_queries: int
    skipped_no_relevant: list[str] = field(default_factory=list)
    missing_from_run: list[str] = field(default_factory=list)
    unknown_docs: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "n_queries": self.n_queries,
            "skipped_no_relevant": len(self.skipped_no_relevant),
            "missing_from_run": len(self.missing_from_run),
            "unknown_docs": self.unknown_docs,
        }


def unknown_judged_docs(qrels: Qrels, doc_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(query id, doc id) judgements that name documents not in the collection."""
    known = set(doc_ids)
    return [(q, d) for q, docs in qrels.items() for d in docs if d not in known]


def evaluate_run(
    run: Mapping[str, Sequence[Any]],
    qrels: Qrels,
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    doc_ids: Iterable[str] | None = None,
    queries: Iterable[str] | None = None,
) -> IREvaluation:
    """Score a run (query id -> ranking of ids or Hits) against qrels.

    metrics (list[str]): e.g. "ndcg@10", "mrr@10", "recall@100", "map".
    doc_ids (Iterable[str] | None): the collection's ids, to count judgements that
        name unknown documents (reported with a warning, as they cannot be found).
    queries (Iterable[str] | None): evaluate only these query ids (a split).
    RETURNS (IREvaluation): means over judged queries and per-query values.
    """
    unknown = 0
    if doc_ids is not None:
        bad = unknown_judged_docs(qrels, doc_ids)
        unknown = len(bad)
        if bad:
            examples = ", ".join(f"{q}:{d}" for q, d in bad[:3])
            logger.warning(Warnings.W301.format(count=unknown, examples=examples))
    wanted = set(queries) if queries is not None else None
    per_query: dict[str, dict[str, float]] = {}
    skipped, missing = [], []
    for qid in sorted(qrels, key=lambda q: (len(q), q)):
        if wanted is not None and qid not in wanted:
            continue
        judged = qrels[qid]
        if not any(g > 0 for g in judged.values()):
            skipped.append(qid)
            continue
        if qid not in run:
            missing.append(qid)
        ranking = run.get(qid, [])
        per_query[qid] = {m: metric_value(m, ranking, judged) for m in metrics}
    n = len(per_query)
    means = {
        m: (sum(v[m] for v in per_query.values()) / n if n else 0.0) for m in metrics
    }
    return IREvaluation(means, per_query, n, skipped, missing, unknown)
