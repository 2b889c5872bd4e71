"""Retrieval and reranking: BM25, dense, ChromaDB, hybrid fusion, cross-encoders.

Heavy libraries (bm25s, torch, sentence-transformers, chromadb) load on first use.
"""

from .._lazy import by_name, lazy_exports
from .hit import Hit

_LAZY = by_name(
    {
        "nlpkit.retrieval.bm25": ("BM25Index",),
        "nlpkit.retrieval.tokenize": ("Tokenizer",),
        "nlpkit.retrieval.dense": ("Encoder", "SentenceEncoder", "DenseIndex"),
        "nlpkit.retrieval.chroma": ("ChromaStore",),
        "nlpkit.retrieval.fusion": (
            "HybridIndex",
            "reciprocal_rank_fusion",
            "linear_fusion",
        ),
        "nlpkit.retrieval.base": (
            "Retriever",
            "BaseRetriever",
            "BaseIndex",
            "index_kinds",
            "load_index",
            "DEFAULT_K",
            "DEFAULT_DEPTH",
        ),
        "nlpkit.errors": ("IndexLoadError",),
        "nlpkit.retrieval.models": ("ModelLoadError",),
        "nlpkit.retrieval.rerank": ("Reranker", "RerankedRetriever"),
        "nlpkit.retrieval.judge": ("CrossEncoderJudge",),
        "nlpkit.retrieval.train": (
            "TrainingExample",
            "train_reranker",
            "pairs_from_documents",
            "mine_hard_negatives",
        ),
    }
)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = ["Hit", *_LAZY]
