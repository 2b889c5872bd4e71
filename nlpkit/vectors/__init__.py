"""Word vectors and co-occurrence: counting, PPMI/SVD, GloVe, word2vec/fastText, I/O.

Nothing here needs spaCy; the components in nlpkit.components wrap it.
"""

from .._lazy import lazy_exports

_LAZY = {
    "TokenCorpus": "nlpkit.vectors.corpus",
    "simple_tokenize": "nlpkit.vectors.corpus",
    "Vocabulary": "nlpkit.vectors.vocab",
    "CoocCounter": "nlpkit.vectors.cooc",
    "CoocMatrix": "nlpkit.vectors.cooc",
    "count_cooccurrence": "nlpkit.vectors.cooc",
    "cooccurrence_by_document": "nlpkit.vectors.cooc",
    "doc_term_matrix": "nlpkit.vectors.cooc",
    "ppmi": "nlpkit.vectors.ppmi",
    "svd_embeddings": "nlpkit.vectors.ppmi",
    "train_ppmi_svd": "nlpkit.vectors.ppmi",
    "train_glove": "nlpkit.vectors.glove",
    "train_word2vec": "nlpkit.vectors.train",
    "train_fasttext": "nlpkit.vectors.train",
    "train_vectors": "nlpkit.vectors.train",
    "WordVectors": "nlpkit.vectors.kv",
    "load_vectors": "nlpkit.vectors.kv",
    "load_glove_6b_50d": "nlpkit.vectors.kv",
    "evaluate_similarity": "nlpkit.vectors.evaluate",
    "evaluate_analogies": "nlpkit.vectors.evaluate",
    "evaluate_all": "nlpkit.vectors.evaluate",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = list(_LAZY)
