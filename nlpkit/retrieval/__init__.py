"""Retrieval and reranking: BM25, dense, ChromaDB, hybrid fusion, cross-encoders.

Heavy libraries (bm25s, torch, sentence-transformers, chromadb) load on first use.
"""

from .._lazy import lazy_exports
from .hit import Hit

_LAZY = {
    "BM25Index": "nlpkit.retrieval.bm25",
    "Tokenizer": "nlpkit.retrieval.tokenize",
    "Encoder": "nlpkit.retrieval.dense",
    "SentenceEncoder": "nlpkit.retrieval.dense",
    "DenseIndex": "nlpkit.retrieval.dense",
    "ChromaStore": "nlpkit.retrieval.chroma",
    "HybridIndex": "nlpkit.retrieval.fusion",
    "reciprocal_rank_fusion": "nlpkit.retrieval.fusion",
    "linear_fusion": "nlpkit.retrieval.fusion",
    "Retriever": "nlpkit.retrieval.base",
    "BaseRetriever": "nlpkit.retrieval.base",
    "BaseIndex": "nlpkit.retrieval.base",
    "index_kinds": "nlpkit.retrieval.base",
    "load_index": "nlpkit.retrieval.base",
    "DEFAULT_K": "nlpkit.retrieval.base",
    "DEFAULT_DEPTH": "nlpkit.retrieval.base",
    "IndexLoadError": "nlpkit.errors",
    "ModelLoadError": "nlpkit.retrieval.models",
    "Reranker": "nlpkit.retrieval.rerank",
    "RerankedRetriever": "nlpkit.retrieval.rerank",
    "CrossEncoderJudge": "nlpkit.retrieval.judge",
    "TrainingExample": "nlpkit.retrieval.train",
    "train_reranker": "nlpkit.retrieval.train",
    "pairs_from_documents": "nlpkit.retrieval.train",
    "mine_hard_negatives": "nlpkit.retrieval.train",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = ["Hit", *_LAZY]
